// Standalone C reproducers.
//
// emit_c() turns a program and its plan into ONE C11 file (libc and Linux
// headers only; builds with `gcc -O2` and `musl-gcc -static`) that replays the
// program exactly as fcp-exec runs it: the same control block and turn
// protocol (each actor a process, step i waits for turn == i on a futex, a
// step the plan says blocks hands the turn on before its call, after an exit
// step the next step waits for the exited process to be dead, a fork child
// reports before its parent hands the turn on, exec re-executes the binary
// itself in report mode), the same reaper (child subreaper, /dev/null on fds
// 0-2, P0 in its own process group) and the same canonical observations as
// the runner's normaliser, so the reproducer's output can be compared with
// the model. With `check` it compares every observation with the allowed
// ones and exits 0 (the target behaves), 1 (a divergence; each difference is
// printed as "step N: observed X, expected Y") or 3 (could not run: setup
// failure, timeout).
//
// The runtime part of the emitted file is harness/repro/c_runtime.inc: a C
// re-statement of harness/executor/actor.cc + supervisor.cc (subreaper mode)
// and harness/runner/wire_codec.cc normalize(). Change them together.
#pragma once

#include <string>
#include <vector>

#include "harness/check/check.h"
#include "harness/ir/program.h"
#include "oracles/model.h"

namespace fc {

struct EmitOptions {
  // Compare each step's observation with the allowed ones (exit 1 on a
  // difference). Without it the reproducer only runs and prints the trace.
  bool check = true;
  std::string title;                  // first line of the header comment
  std::vector<std::string> comments;  // more header lines (seed, kernel, ...)
  // Allowed observations per step, canonical text. Empty: the plan's one
  // expected observation per step. A step with an empty list is not checked.
  std::vector<std::vector<std::string>> allowed;
  int timeout_ms = 3000;  // per run, like the executor's watchdog
};

// One standalone C file that replays `program` (plan.unblock_by is the sync
// plan, plan.expected the default expectations).
std::string emit_c(const Program& program, const Plan& plan, const EmitOptions& options = {});

// One C file whose main runs every program once, each in a fresh reaper
// child, without checking, and prints
//   fcbatch programs=<n> seconds=<s> rate=<programs/s> timeouts=<n> errors=<n>
// `./batch <shard> <nshards>` runs only the programs with index % nshards ==
// shard (for running several processes side by side). For the benchmark.
std::string emit_c_batch(const std::vector<Program>& programs, const std::vector<Plan>& plans,
                         int timeout_ms = 3000);

// Every observation the model allows for each step on some path through the
// program (at most `max_paths` model states are followed). An
// over-approximation of what check() accepts (it follows paths; this merges
// them per step), suitable as EmitOptions::allowed for programs where the
// model allows several outcomes (wait(-1) with two zombies, ...). Steps the
// model leaves blocked at the end allow "state=blocked". Empty if the model
// refuses the program.
std::vector<std::vector<std::string>> allowed_by_model(const Program& program,
                                                       const oracle::Profile& profile,
                                                       std::size_t max_paths = 64);

}  // namespace fc
