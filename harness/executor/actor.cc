#include "harness/executor/actor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness/executor/util.h"
#include "harness/executor/wire_io.h"

namespace fcp {

ProcessContext g_process;

namespace {

// The program is over for this actor: leave without touching any result.
[[noreturn]] void LeaveQuietly() {
  _exit(0);
}

// Waits until turn == index; past the deadline the actor leaves by itself.
void WaitForTurn(ControlBlock* cb, int index) {
  for (;;) {
    uint32_t turn = LoadAcquire(&cb->turn);
    if (static_cast<int>(turn) == index) return;
    if (LoadAcquire(&cb->over) != 0 || LoadAcquire(&cb->error_set) != 0) LeaveQuietly();
    if (!FutexWaitUntil(&cb->turn, turn, cb->deadline_ns + kStragglerGraceNs)) LeaveQuietly();
  }
}

// Waits until the process `pid` has died, i.e. exit_notify() is complete:
// it is a zombie or already reaped, and its children have been reparented.
// pidfd_open(2): "the file descriptor ... is readable when the process
// terminates"; poll on a pidfd reports POLLIN once the process has exited.
// Without pidfd_open (Linux < 5.3) we cannot tell a zombie from a live
// process without /proc, so we only sleep a short fixed time: imprecise.
void WaitForDeath(ControlBlock* cb, int pid) {
  if (pid <= 0) return;
  int64_t limit = MonotonicNs() + kDeathWaitNs;
  if (limit > cb->deadline_ns) limit = cb->deadline_ns;
#ifdef SYS_pidfd_open
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (pidfd.valid()) {
    for (;;) {
      int64_t left_ms = (limit - MonotonicNs()) / 1000000;
      if (left_ms < 0) return;
      struct pollfd pfd = {pidfd.get(), POLLIN, 0};
      int n = poll(&pfd, 1, static_cast<int>(left_ms) + 1);
      if (n > 0) TasklistBarrier();  // issue 4: the parent's SIGCHLD is generated
      if (n > 0 || (n < 0 && errno != EINTR)) return;
      if (n == 0 && MonotonicNs() >= limit) return;
    }
  }
  if (errno == ESRCH) return;  // already reaped
#endif
  // Imprecise fallback: give exit_notify() a moment.
  int64_t fallback = MonotonicNs() + 2 * 1000 * 1000;
  SleepNs((fallback < limit ? fallback : limit) - MonotonicNs());
}

void WaitBeforeStep(ControlBlock* cb, int index) {
  if (index > 0) {
    const StepSpec& prev = cb->steps[index - 1];
    if ((kOpTable[prev.op].flags & FC_OPF_NORETURN) &&
        LoadAcquire(&cb->results[index - 1].state) != kNotStarted &&
        prev.actor != g_process.actor) {
      WaitForDeath(cb, LoadAcquire(&cb->actor_pid[prev.actor]));
    }
    /* ---- issue 4: deaths the previous step caused beyond its own target
     * (parent-death signals, the SIGHUP of a newly orphaned process group),
     * wire.h FC_SYNC_DEATHS. Only steps
     * whose data is a sync expectation carry them. */
    const int prev_op = prev.op;
    if ((prev_op == kOpExit || prev_op == kOpUExit || prev_op == kOpKill ||
         prev_op == kOpPidfdSendSignal || prev_op == kOpSigprocmask) &&
        prev.data_len >= 2 && prev.data[1] == FC_SYNC_DEATHS &&
        LoadAcquire(&cb->results[index - 1].state) != kNotStarted) {
      for (uint32_t k = 2; k < prev.data_len; ++k) {
        const int actor = prev.data[k];
        if (actor >= 0 && actor < FC_MAX_ACTORS && actor != g_process.actor) {
          WaitForDeath(cb, LoadAcquire(&cb->actor_pid[actor]));
        }
      }
    }
    /* ---- vfork and exec (issue 3) ---- */
    // A sigprocmask the model predicts to kill its caller (it unblocks a
    // pending fatal signal) hands the turn on before its call: wait for the
    // death it causes, as after an exit step.
    if (prev.op == kOpSigprocmask && prev.data_len >= 1 && prev.data[0] == FC_SYNC_SELF_DEATH &&
        LoadAcquire(&cb->results[index - 1].state) != kNotStarted &&
        prev.actor != g_process.actor) {
      WaitForDeath(cb, LoadAcquire(&cb->actor_pid[prev.actor]));
    }
    // A vfork step hands the turn on before its call (its caller blocks):
    // the next step may name the child only once the child exists and has
    // reported (its pid is in actor_pid), as fork's caller waits for it.
    if ((prev.op == kOpVfork || prev.op == kOpCloneVfork) && prev.actor != g_process.actor) {
      StepResult& r = cb->results[index - 1];
      int64_t limit = MonotonicNs() + kChildReportWaitNs;
      if (limit > cb->deadline_ns) limit = cb->deadline_ns;
      while (LoadAcquire(&r.child_reported) == 0) {
        if (!FutexWaitUntil(&r.child_reported, 0, limit)) break;
      }
    }
  }
  WaitForPredictedReturns(cb, index);
}

StepEnd RunStep(ControlBlock* cb, int index) {
  const StepSpec& spec = cb->steps[index];
  StoreSeqCst(&cb->results[index].state, static_cast<uint32_t>(kStarted));
  AtomicMax(&cb->progress, static_cast<int32_t>(index));
  // Predicted to block: hand the turn on before making the call.
  if (spec.unblock_by != -1) AdvanceTurn(cb, index);
  StepCall call(cb, index);
  StepEnd end = kOpTable[spec.op].fn(call);
  if (end == StepEnd::kFinish) call.Finish();
  return end;
}

}  // namespace

// ---- StepCall --------------------------------------------------------------

void StepCall::Returned(int64_t ret, int err) {
  int32_t progress = LoadSeqCst(&cb_->progress);
  if (LoadSeqCst(&cb_->over) != 0) LeaveQuietly();
  StepResult& r = result();
  r.ret = ret;
  r.err = ret == -1 ? err : 0;
  r.aux[3] = progress;
}

bool StepCall::SetData(const void* data, uint32_t size) {
  uint32_t off = FetchAdd(&cb_->arena_used, size);
  if (off > kArenaBytes || size > kArenaBytes - off) return false;
  memcpy(cb_->arena + off, data, size);
  result().data_off = off;
  result().data_len = size;
  return true;
}

void StepCall::Finish() {
  StepResult& r = result();
  if (!CompareExchange(&r.state, static_cast<uint32_t>(kStarted), static_cast<uint32_t>(kDone))) {
    // An actor stopped waiting for this step at its sync point: it is late.
    CompareExchange(&r.state, static_cast<uint32_t>(kGaveUp), static_cast<uint32_t>(kLate));
  }
  if (spec().unblock_by != -1) {
    FetchAdd(&cb_->completions, 1u);
    FutexWakeAll(&cb_->completions);
  } else {
    AdvanceTurn(cb_, index_);
  }
}

StepEnd StepCall::Fail(const char* fmt, ...) {
  char msg[sizeof cb_->error_msg];
  int n = snprintf(msg, sizeof msg, "step %d (%s): ", index_, kOpTable[spec().op].name);
  va_list ap;
  va_start(ap, fmt);
  if (n > 0 && static_cast<size_t>(n) < sizeof msg) vsnprintf(msg + n, sizeof msg - n, fmt, ap);
  va_end(ap);
  RecordError(cb_, index_, msg);
  return StepEnd::kAbort;
}

bool StepCall::ActorPid(int64_t selector, int* pid) {
  if (selector >= 0 && selector < FC_MAX_ACTORS) {
    int p = LoadAcquire(&cb_->actor_pid[selector]);
    if (p <= 0) {
      Fail("actor P%d has no pid (never created or its fork failed)", static_cast<int>(selector));
      return false;
    }
    *pid = p;
    return true;
  }
  Fail("pid selector %lld is not an actor", static_cast<long long>(selector));
  return false;
}

// ---- turn protocol ---------------------------------------------------------

void AdvanceTurn(ControlBlock* cb, int index) {
  int next = index + 1;
  // Steps of an actor whose fork failed can never run: skip them.
  while (next < cb->nsteps && LoadAcquire(&cb->actor_pid[cb->steps[next].actor]) == kActorFailed) {
    ++next;
  }
  StoreSeqCst(&cb->turn, static_cast<uint32_t>(next));
  FutexWakeAll(&cb->turn);
  if (next >= cb->nsteps) WakeReaper(cb);
}

void WakeReaper(const ControlBlock* cb) {
  // Only actors signal, and only the run's reaper (never pid <= 0: kill(0)
  // would hit a whole process group). From outside a pid namespace,
  // reaper_pid 1 would be the host's init, so the server never calls this.
  // issue 4, pidns: inside P0's namespace, pid 1 is P0, not the reaper
  // (which polls instead).
  if (cb->pidns) return;
  if (g_process.actor >= 0 && cb->reaper_pid > 0) kill(cb->reaper_pid, SIGUSR1);
}

void WaitForPredictedReturns(ControlBlock* cb, int before) {
  int64_t limit = MonotonicNs() + kSyncWaitNs;
  if (limit > cb->deadline_ns) limit = cb->deadline_ns;
  for (;;) {
    uint32_t seen = LoadAcquire(&cb->completions);
    bool pending = false;
    for (int k = 0; k < before; ++k) {
      int32_t by = cb->steps[k].unblock_by;
      if (by < 0 || by >= before) continue;
      if (LoadAcquire(&cb->results[k].state) == kStarted) {
        pending = true;
        break;
      }
    }
    if (!pending) return;
    if (!FutexWaitUntil(&cb->completions, seen, limit)) break;
  }
  // Gave up: whatever returns from now on is late.
  for (int k = 0; k < before; ++k) {
    int32_t by = cb->steps[k].unblock_by;
    if (by < 0 || by >= before) continue;
    CompareExchange(&cb->results[k].state, static_cast<uint32_t>(kStarted),
                    static_cast<uint32_t>(kGaveUp));
  }
}

void SettleForeverSteps(ControlBlock* cb) {
  const int64_t limit = MonotonicNs() + kForeverSettleNs;
  for (;;) {
    uint32_t seen = LoadAcquire(&cb->completions);
    bool in_call = false;
    for (int k = 0; k < cb->nsteps && !in_call; ++k) {
      in_call = cb->steps[k].unblock_by == FC_BLOCKS_FOREVER &&
                LoadAcquire(&cb->results[k].state) == kStarted;
    }
    if (!in_call || !FutexWaitUntil(&cb->completions, seen, limit)) return;
  }
}

void RecordError(ControlBlock* cb, int step, const char* message) {
  if (CompareExchange(&cb->error_set, 0u, 2u)) {
    cb->error_step = step;
    size_t n = CStrLen(message);
    if (n >= sizeof cb->error_msg) n = sizeof cb->error_msg - 1;
    memcpy(cb->error_msg, message, n);
    cb->error_msg[n] = '\0';
    StoreSeqCst(&cb->error_set, 1u);  // message complete
  }
  // The program ends here: freeze the results, so what returns because the
  // failing actor leaves (a parent's wait, a pipe's EOF) is not recorded.
  StoreSeqCst(&cb->over, 1u);
  FutexWakeAll(&cb->turn);
  WakeReaper(cb);
}

// issue 4: core(5) "The process is not dumpable" / "RLIMIT_CORE ... set to
// zero": a signal whose default action dumps core leaves nothing behind,
// even with a piped core_pattern (which ignores RLIMIT_CORE).
void NoCoreDumps() {
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

void ArmSafetyAlarm(const ControlBlock* cb) {
  int64_t left_ns = cb->deadline_ns + kStragglerGraceNs - MonotonicNs();
  unsigned seconds = left_ns <= 0 ? 1u : static_cast<unsigned>(left_ns / 1000000000LL) + 1u;
  alarm(seconds);
}

[[noreturn]] void RunActor(int from_step) {
  ControlBlock* cb = g_process.cb;
  for (int i = from_step; i < cb->nsteps; ++i) {
    if (cb->steps[i].actor != g_process.actor) continue;
    WaitForTurn(cb, i);
    WaitBeforeStep(cb, i);
    StepEnd end = RunStep(cb, i);
    if (end == StepEnd::kAbort) _exit(FC_EXIT_HARNESS);
    // kChildContinues: g_process.actor is now the child's; keep scanning.
  }
  // No steps left: stay alive (a parent may wait for us) until the reaper
  // kills us, or leave by ourselves once the deadline has passed.
  for (;;) {
    uint32_t over = LoadAcquire(&cb->over);
    if (!FutexWaitUntil(&cb->over, over, cb->deadline_ns + kStragglerGraceNs)) LeaveQuietly();
  }
}

// ---- exec'd image ------------------------------------------------------------

namespace {

bool ParseSmallInt(const char* s, int max, int* out) {
  if (*s == '\0') return false;
  int v = 0;
  for (; *s != '\0'; ++s) {
    if (*s < '0' || *s > '9') return false;
    v = v * 10 + (*s - '0');
    if (v > max) return false;
  }
  *out = v;
  return true;
}

}  // namespace

int ResumeMain(int argc, char** argv) {
  if (argc != 4) {  // typed by a person: an exec step always passes 4 args
    Diag("resume: usage: fcp-exec resume <actor> <step> (internal)");
    return FC_EXIT_USAGE;
  }
  // From here on this process is an actor: its fd 2 belongs to the program,
  // so errors go to the control block, never to stderr.
  int actor = 0, step = 0;
  if (!ParseSmallInt(argv[2], FC_MAX_ACTORS - 1, &actor) ||
      !ParseSmallInt(argv[3], FC_MAX_STEPS - 1, &step)) {
    _exit(FC_EXIT_HARNESS);
  }
  void* addr =
      mmap(nullptr, sizeof(ControlBlock), PROT_READ | PROT_WRITE, MAP_SHARED, kControlFd, 0);
  if (addr == MAP_FAILED) _exit(FC_EXIT_HARNESS);
  ControlBlock* cb = static_cast<ControlBlock*>(addr);
  if (cb->magic != kControlMagic) _exit(FC_EXIT_HARNESS);
  if (step >= cb->nsteps || cb->steps[step].actor != actor || cb->steps[step].op != kOpExec) {
    RecordError(cb, step, "resume: the control block does not match the exec'd actor and step");
    _exit(FC_EXIT_HARNESS);
  }
  g_process.cb = cb;
  g_process.actor = actor;
  NoCoreDumps();  // issue 4: exec made the process dumpable again
  StepCall call(cb, step);
  call.Returned(0, 0);
  // The report of this image: every descriptor 0..999 it holds.
  char report[64 * 1024];
  uint32_t n = WriteFdReport(report, sizeof report);
  if (!call.SetData(report, n)) {
    call.Fail("step data arena full");
    _exit(FC_EXIT_HARNESS);
  }
  call.Finish();
  RunActor(step + 1);
}

}  // namespace fcp
