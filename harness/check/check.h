// Checking an observed trace against the reference model.
//
// plan():  walks the model once to derive the sync plan the executor enforces
//          (which steps block and which step unblocks them) and the expected
//          observations used as comments in printed programs.
// check(): follows the set of model states the observations allow, step by
//          step. At a mismatch it records "observed X / allowed are only Y"
//          and carries on with every state the model allowed, so one
//          difference does not hide the next (SibylFS checkLib).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "harness/ir/observation.h"
#include "harness/ir/program.h"
#include "oracles/model.h"

namespace fc {

struct Plan {
  std::vector<int> unblock_by;          // per step, wire.h <unblock_by>
  std::vector<Observation> expected;    // first allowed observation per step
  std::vector<std::vector<std::string>> rules;  // citations per step
  std::vector<int> sync;  // issue 4: per step, wire.h FC_SYNC_* (kill's effect)
  std::vector<std::vector<int>> deaths;  // issue 4: per step, Outcome::deaths
};

// Why a program cannot be planned: the model refuses one of its steps.
struct PlanRefusal {
  std::size_t step;
  oracle::Special special;
  std::string text() const;
};

struct PlanResult {
  std::optional<Plan> plan;
  std::optional<PlanRefusal> refusal;
};

PlanResult plan(const Program& program, const oracle::Profile& profile);

// What the executor saw, symbolically (harness/runner/normalize.h builds it).
struct StepTrace {
  enum class State { NotStarted, Done, Blocked, Late } state = State::NotStarted;
  Observation obs;   // meaningful when Done or Late
  int progress = -1; // highest step index started when the call returned
};

struct Trace {
  std::vector<StepTrace> steps;
  enum class End { Ok, Timeout, Error } end = End::Ok;
  int turn = 0;          // next step that had not started (Timeout)
  std::string message;   // executor's message (Error)
};

struct Divergence {
  enum class Kind {
    Mismatch,        // the step returned something the model does not allow
    ReturnedEarly,   // returned before the step that should unblock it
    NotBlocked,      // returned, but the model says it is still blocked
    Blocked,         // never returned, but the model says it returns
    Timeout,         // the program stopped (watchdog) at this step
  } kind = Kind::Mismatch;
  std::size_t step = 0;
  std::string step_text;                 // the step in .fcp form
  std::string observed;                  // what the target did
  std::vector<std::string> allowed;      // what the model allows
  std::vector<std::string> rules;        // citations behind the allowed set
  // Observation fields in which the target differs from every allowed
  // outcome (e.g. "status"), empty when the whole step differs.
  std::vector<std::string> fields;
  std::string explain() const;           // one paragraph, for people
  // Stable across seeds and programs: "mismatch:waitpid[status]".
  std::string signature(const Program& program) const;
};

std::string_view kind_name(Divergence::Kind kind);

struct Verdict {
  std::vector<Divergence> divergences;
  // The model had no answer: NotModeled/Undefined (program is discarded) or a
  // harness problem (executor error): never reported as a pass.
  std::optional<std::string> inconclusive;
  bool conforms() const { return divergences.empty() && !inconclusive; }
};

Verdict check(const Program& program, const Trace& trace, const oracle::Profile& profile);

}  // namespace fc
