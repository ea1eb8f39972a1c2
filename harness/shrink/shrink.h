// Shrinking a failing program to a minimal one.
//
// Candidates are ordered smallest first: drop a whole actor (its fork and
// every step of it and its descendants), drop chunks of steps (halves,
// quarters, ... single steps), move a fork one generation up (shorter fork
// chains), then simplify arguments (shorter data,
// smaller numbers, fewer flag bits). A candidate is only offered if it is
// still a program the model accepts (structurally valid and plannable), so
// the shrinker never wastes an execution on a program the executor would
// refuse. The same candidate function drives RapidCheck's shrinking
// (shrinkable::shrinkRecur) and the CLI's.
#pragma once

#include <functional>
#include <vector>

#include "harness/ir/program.h"
#include "oracles/model.h"

namespace fc {

bool plannable(const Program& program, const oracle::Profile& profile);

std::vector<Program> shrink_candidates(const Program& program, const oracle::Profile& profile);

struct ShrinkStats {
  int attempts = 0;   // candidates executed
  int accepted = 0;   // candidates that still failed
};

// The same program with actors and regions renumbered in creation order
// (P0, P1, ... and M0, M1, ...), as a person would write it.
Program canonical_names(const Program& program);

// Greedy: take the first candidate that still fails, repeat until none does
// or `max_attempts` executions were spent; the result has canonical names.
Program shrink(Program failing, const oracle::Profile& profile,
               const std::function<bool(const Program&)>& still_fails, int max_attempts,
               ShrinkStats* stats = nullptr);

}  // namespace fc
