// Actors: the processes that run a program's steps, and the turn protocol
// that makes their interleaving deterministic.
//
// Step i may start only when ControlBlock::turn == i. Before it starts, its
// actor waits (bounded by kSyncWaitNs) until every earlier step k with
// unblock_by[k] in [0, i-1] has returned, and, if step i-1 was an exit step,
// until that actor is really dead. A step the model predicts to block
// (unblock_by != -1) hands the turn on *before* making its call; every other
// step hands it on after recording its result. Every wait is bounded by the
// program's absolute deadline; kStragglerGraceNs past it an actor _exits by
// itself, which ends stragglers even if the supervisor is gone.
#pragma once

#include <stdint.h>

#include "harness/executor/control.h"
#include "harness/executor/ops.h"

namespace fcp {

// The one piece of mutable per-process state. fork copies it (the child's
// region table equals the parent's, exactly like its address space); exec
// starts a fresh one (an exec'd image has no regions).
struct ProcessContext {
  ControlBlock* cb = nullptr;
  int actor = -1;  // actor id of this process; -1 in the server and reaper
  void* regions[FC_MAX_REGIONS] = {};
};
extern ProcessContext g_process;

// The step being executed, as seen by an op function.
class StepCall {
 public:
  StepCall(ControlBlock* cb, int index) : cb_(cb), index_(index) {}

  int index() const { return index_; }
  const StepSpec& spec() const { return cb_->steps[index_]; }
  StepResult& result() const { return cb_->results[index_]; }
  ControlBlock* cb() const { return cb_; }
  int64_t arg(int i) const { return spec().arg[i]; }

  // Records what the call returned: ret, errno (kept only when ret == -1)
  // and a3 = progress, read now. Call it right after the system call. If
  // the program has already ended (the reaper is killing everything) the
  // result is frozen and the process leaves quietly instead.
  void Returned(int64_t ret, int err);
  void SetAux(int i, int64_t value) const { result().aux[i] = value; }
  // Copies step data (read bytes, exec report) to the arena; false if full.
  bool SetData(const void* data, uint32_t size);

  // Records the result (done, or late) and hands the turn on if the step did
  // not already do so. For exit steps, called by the op before exit().
  void Finish();

  // Executor error: records "step <i> (<op>): <message>" for the E line.
  StepEnd Fail(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

  // Pid selector (FC_ARG_PIDSEL) -> the actor's pid. False after Fail() if
  // the named actor has no pid.
  bool ActorPid(int64_t selector, int* pid);

 private:
  ControlBlock* cb_;
  int index_;
};

// Runs the current actor's steps from `from_step` on; never returns.
[[noreturn]] void RunActor(int from_step);

// Hands the turn from step `index` to the next step that can run; tells the
// reaper when the last step has been passed.
void AdvanceTurn(ControlBlock* cb, int index);

// Waits (bounded) until every step k < `before` with unblock_by in
// [0, before - 1] has returned; marks the ones that have not as given up.
void WaitForPredictedReturns(ControlBlock* cb, int before);

// Waits up to kForeverSettleNs while a step predicted to block forever is
// still in its call (the reaper, at the end of a program).
void SettleForeverSteps(ControlBlock* cb);

// Records an executor error (first error wins) and wakes the reaper.
void RecordError(ControlBlock* cb, int step, const char* message);

// Tells the reaper (SIGUSR1) that the program is over; actors only.
void WakeReaper(const ControlBlock* cb);

// In subreaper mode, actors arm alarm(2) for deadline + grace: the
// safety net for an actor blocked in a system call if the server is gone.
void ArmSafetyAlarm(const ControlBlock* cb);

/* ---- signals (issue 4) ---- */
// Returns once the exit_notify() of a process whose pidfd polled readable is
// over, so the SIGCHLD it sends its parent has been generated (ops_signal.cc).
void TasklistBarrier();
// What every actor process sets up before its first step, and an exec'd
// image again: never dump core (prctl PR_SET_DUMPABLE 0, RLIMIT_CORE 0).
void NoCoreDumps();

// `fcp-exec resume <actor> <step>`: entry point of an exec'd image.
int ResumeMain(int argc, char** argv);
// issue 3: `fcp-exec spawned <actor> <step>`: the image a posix_spawn step made
// (ops_libc.cc).
int SpawnedMain(int argc, char** argv);

}  // namespace fcp
