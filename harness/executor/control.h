// Layout of the shared control block.
//
// One block per server, in a memfd at kControlFd, mapped MAP_SHARED by the
// server, the reaper, every actor and every exec'd image (`fcp-exec resume`
// re-maps the same memfd). It holds the program being run (so an exec'd image
// can read the steps still to come), the turn counter that serialises the
// steps, and every step's result. The server resets it before each program.
#pragma once

#include <stdint.h>

extern "C" {
#include "harness/ir/wire.h"
}

namespace fcp {

constexpr uint32_t kControlMagic = 0x66637065;  // "fcpe"

// How long an actor waits, at a sync point, for a step that the model
// predicted to have returned by then, before it gives up and lets the step
// turn `late` (or stay `blocked`).
constexpr int64_t kSyncWaitNs = 500LL * 1000 * 1000;
// At the end of a program, how long the reaper gives steps predicted to
// block forever to show that they return after all (a wrong prediction of
// a call that returns at once). They started before the end, so a call that
// does not block needs only microseconds; a heuristic, not a guarantee.
constexpr int64_t kForeverSettleNs = 2LL * 1000 * 1000;
// How long a forking parent waits for the child's report, and how long an
// actor waits for an exited actor to be really dead (exit_notify done).
constexpr int64_t kChildReportWaitNs = 500LL * 1000 * 1000;
constexpr int64_t kDeathWaitNs = 500LL * 1000 * 1000;
// Actors leave by themselves this long after the deadline: a safety net for
// a dead supervisor, late enough never to race with the watchdog (which
// fires at the deadline and freezes the results before killing).
constexpr int64_t kStragglerGraceNs = 1000LL * 1000 * 1000;

// Bytes of step data (read results, exec reports) for one program. An exec
// report line is at most ~55 bytes per descriptor and a program can hold
// at most ~3 + 2 * FC_MAX_STEPS descriptors, so one report fits in 32 KiB;
// the arena is a sparse memfd range, so unused pages cost nothing.
constexpr uint32_t kArenaBytes = 4u << 20;

enum StepState : uint32_t {
  kNotStarted = 0,
  kStarted = 1,  // entered, has not returned (yet)
  kGaveUp = 2,   // entered, not returned, and an actor stopped waiting for it
  kDone = 3,     // returned in time (or exit step entered)
  kLate = 4,     // returned after an actor had given up waiting for it
};

enum RunMode : int32_t { kModePidns = 0, kModeSubreaper = 1 };

// One step as parsed from the wire (S line); values as on the wire.
struct StepSpec {
  int32_t actor;
  int32_t op;
  int64_t arg[3];
  int32_t out;
  int32_t unblock_by;
  uint32_t data_len;
  uint8_t data[FC_MAX_IO];
};

struct StepResult {
  uint32_t state;           // StepState
  uint32_t child_reported;  // fork: futex word, 1 once the child wrote a0
  int64_t ret;
  int32_t err;
  int32_t pad;
  int64_t aux[4];  // a0..a3 on the wire
  uint32_t data_off;
  uint32_t data_len;
};

constexpr int32_t kActorFailed = -1;  // actor_pid value: its fork failed

struct ControlBlock {
  uint32_t magic;
  uint32_t turn;         // futex: the index of the next step allowed to start
  uint32_t completions;  // futex: bumped whenever a blocking step returns
  uint32_t over;         // 1 once the program ended: results are frozen
  int32_t progress;      // highest step index that has started, -1 if none
  int32_t nsteps;
  int64_t deadline_ns;               // absolute CLOCK_MONOTONIC; every wait is bounded by it
  int32_t reaper_pid;                // as seen by the actors
  int32_t mode;                      // RunMode
  int32_t actor_pid[FC_MAX_ACTORS];  // as seen inside the run; 0 = not created
  uint32_t error_set;                // first executor error wins
  int32_t error_step;
  char error_msg[192];
  uint32_t arena_used;
  uint32_t pad;
  /* ---- pid namespaces (issue 4, pidns) ---- */
  int32_t pidns;      // 1: P0 is the init of a pid namespace of its own
  int32_t pidns_pad;
  StepSpec steps[FC_MAX_STEPS];
  StepResult results[FC_MAX_STEPS];
  // Everything above is reset per program; the arena is written before read.
  char arena[kArenaBytes];
};

// Bytes reset before every program.
constexpr unsigned long kControlResetBytes = __builtin_offsetof(ControlBlock, arena);

}  // namespace fcp
