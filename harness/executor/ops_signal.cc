// Signal area of ops.def (issue 4): kill, sigaction, caught.
//
// The recording handler adds the signal to a per-process set in this
// process's own memory (g_caught): fork copies it, exec starts a new image
// with an empty one. It is installed with SA_RESTART, so a blocked wait or
// read of the program is restarted, and so are the executor's own calls.
//
// kill synchronises with the asynchronous effect the model predicts (the S
// line's data, wire.h FC_SYNC_*): it waits, bounded, until the target has
// died (pidfd), stopped or continued (the caller's waitid(WNOWAIT), which
// leaves the event to be reported to the program's own waits), and reports
// a1 = 1 if it saw it, 0 if it gave up.
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/executor/actor.h"
#include "harness/executor/util.h"

namespace fcp {

volatile uint32_t g_caught = 0;

namespace {

void RecordingHandler(int sig) {
  if (sig > 0 && sig <= FC_MAX_SIGNAL) {
    __atomic_fetch_or(&g_caught, 1u << sig, __ATOMIC_SEQ_CST);
  }
}

// wire.h FC_SIG* are Linux numbers; map to this libc's constants.
int NativeSignal(int64_t fc) {
  switch (fc) {
    case 0: return 0;
    case FC_SIGHUP: return SIGHUP;
    case FC_SIGINT: return SIGINT;
    case FC_SIGQUIT: return SIGQUIT;
    case FC_SIGKILL: return SIGKILL;
    case FC_SIGUSR1: return SIGUSR1;
    case FC_SIGSEGV: return SIGSEGV;
    case FC_SIGUSR2: return SIGUSR2;
    case FC_SIGTERM: return SIGTERM;
    case FC_SIGCHLD: return SIGCHLD;
    case FC_SIGCONT: return SIGCONT;
    case FC_SIGSTOP: return SIGSTOP;
  }
  return -1;
}

int64_t SyncLimit(ControlBlock* cb) {
  int64_t limit = MonotonicNs() + kDeathWaitNs;
  return limit > cb->deadline_ns ? cb->deadline_ns : limit;
}

// The target has died: its pidfd polls readable (or it is already gone).
bool WaitDeath(ControlBlock* cb, int pidfd) {
  if (pidfd < 0) return errno == ESRCH;
  const int64_t limit = SyncLimit(cb);
  for (;;) {
    int64_t left_ms = (limit - MonotonicNs()) / 1000000;
    if (left_ms < 0) return false;
    struct pollfd pfd = {pidfd, POLLIN, 0};
    int n = poll(&pfd, 1, static_cast<int>(left_ms) + 1);
    if (n > 0) {
      TasklistBarrier();
      return true;
    }
    if (n < 0 && errno != EINTR) return false;
  }
}

// The target (a child of the caller) has a stop (or continue) to report.
bool WaitJobControl(ControlBlock* cb, pid_t pid, bool stop) {
  const int64_t limit = SyncLimit(cb);
  for (;;) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int options = WNOHANG | WNOWAIT | (stop ? WSTOPPED : WCONTINUED);
    if (waitid(P_PID, static_cast<id_t>(pid), &info, options) == 0 && info.si_pid == pid &&
        info.si_code == (stop ? CLD_STOPPED : CLD_CONTINUED)) {
      return true;
    }
    if (MonotonicNs() >= limit) return false;
    SleepNs(100 * 1000);
  }
}

}  // namespace

// Makes every signal of the process wait until exit_notify() of a process
// whose death a pidfd reported has finished: exit_notify() holds tasklist_lock
// for writing while it notifies the parent (SIGCHLD), and waitid takes it for
// reading. WNOWAIT | WNOHANG: nothing is reaped or consumed.
void TasklistBarrier() {
  siginfo_t info;
  memset(&info, 0, sizeof info);
  waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT);
}

StepEnd OpKill(StepCall& call) {
  int target = 0;
  if (!call.ActorPid(call.arg(0), &target)) return StepEnd::kAbort;
  const int sig = NativeSignal(call.arg(1));
  if (sig < 0) return call.Fail("signal %lld is not one forkconf uses", static_cast<long long>(call.arg(1)));
  const int expect = call.spec().data_len > 0 ? call.spec().data[0] : FC_SYNC_NONE;
  UniqueFd pidfd;
#ifdef SYS_pidfd_open
  if (expect == FC_SYNC_DEATH) pidfd.Reset(static_cast<int>(syscall(SYS_pidfd_open, target, 0)));
#endif
  int saved_open_errno = errno;
  int ret = kill(target, sig);
  call.Returned(ret, errno);
  bool seen = true;
  if (ret == 0) {
    switch (expect) {
      case FC_SYNC_DEATH:
        errno = saved_open_errno;
        seen = WaitDeath(call.cb(), pidfd.get());
        break;
      case FC_SYNC_STOP: seen = WaitJobControl(call.cb(), target, true); break;
      case FC_SYNC_CONT: seen = WaitJobControl(call.cb(), target, false); break;
      default: break;
    }
  }
  call.SetAux(1, seen ? 1 : 0);
  return StepEnd::kFinish;
}

StepEnd OpSigaction(StepCall& call) {
  const int sig = NativeSignal(call.arg(0));
  if (sig < 0) return call.Fail("signal %lld is not one forkconf uses", static_cast<long long>(call.arg(0)));
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  switch (call.arg(1)) {
    case FC_DISP_DFL: sa.sa_handler = SIG_DFL; break;
    case FC_DISP_IGN: sa.sa_handler = SIG_IGN; break;
    default:
      sa.sa_handler = RecordingHandler;
      sa.sa_flags |= SA_RESTART;
      break;
  }
  if (call.arg(2) & FC_SA_NOCLDSTOP) sa.sa_flags |= SA_NOCLDSTOP;
  if (call.arg(2) & FC_SA_NOCLDWAIT) sa.sa_flags |= SA_NOCLDWAIT;
  int ret = sigaction(sig, &sa, nullptr);
  call.Returned(ret, errno);
  return StepEnd::kFinish;
}

/* ---- pidfd and parent-death signal (issue 4, pidfd) ---- */
int NativeSignalNumber(int64_t fc) { return NativeSignal(fc); }

int64_t LinuxSignalNumber(int native) {
  for (int fc = 0; fc <= FC_MAX_SIGNAL; ++fc) {
    if (NativeSignal(fc) == native) return fc;
  }
  return native;  // not one forkconf names: as it is
}

StepEnd OpCaught(StepCall& call) {
  call.Returned(0, 0);
  call.SetAux(0, __atomic_load_n(&g_caught, __ATOMIC_SEQ_CST));
  return StepEnd::kFinish;
}

}  // namespace fcp

/* ---- vfork and exec (issue 3): signal mask and pending set ---- */
namespace fcp {
namespace {

// A native set -> bit s for every FC_SIG* s in it; bit 0 for any other
// signal (1..64) found, so that nothing in the set goes unreported.
int64_t AbstractSigset(const sigset_t& set) {
  static const int kFc[] = {FC_SIGHUP,  FC_SIGINT,  FC_SIGQUIT, FC_SIGKILL, FC_SIGUSR1, FC_SIGSEGV,
                            FC_SIGUSR2, FC_SIGTERM, FC_SIGCHLD, FC_SIGCONT, FC_SIGSTOP};
  int64_t bits = 0;
  for (int native = 1; native <= 64; ++native) {
    if (sigismember(&set, native) != 1) continue;
    bool known = false;
    for (int fc : kFc) {
      if (NativeSignal(fc) == native) {
        bits |= int64_t{1} << fc;
        known = true;
      }
    }
    if (!known) bits |= 1;
  }
  return bits;
}

}  // namespace

// sigprocmask(2): "SIG_BLOCK The set of blocked signals is the union of the
// current set and the set argument. SIG_UNBLOCK ... removed ... SIG_SETMASK
// The set of blocked signals is set to the argument set." "If oldset is
// non-NULL, the previous value of the signal mask is stored in oldset."
StepEnd OpSigprocmask(StepCall& call) {
  int how = 0x7fff;  // FC_SIG_HOW_BAD: a value no libc defines (EINVAL)
  switch (call.arg(0)) {
    case FC_SIG_BLOCK: how = SIG_BLOCK; break;
    case FC_SIG_UNBLOCK: how = SIG_UNBLOCK; break;
    case FC_SIG_SETMASK: how = SIG_SETMASK; break;
    default: break;
  }
  sigset_t set, old;
  sigemptyset(&set);
  sigemptyset(&old);
  for (int sig = 1; sig <= FC_MAX_SIGNAL; ++sig) {
    if (!(call.arg(1) & (int64_t{1} << sig))) continue;
    const int native = NativeSignal(sig);
    if (native <= 0) return call.Fail("signal %d in the set is not one forkconf uses", sig);
    sigaddset(&set, native);
  }
  int ret = sigprocmask(how, &set, &old);
  call.Returned(ret, errno);
  call.SetAux(0, ret == 0 ? AbstractSigset(old) : 0);
  return StepEnd::kFinish;
}

// sigpending(2): "returns the set of signals that are pending for delivery
// to the calling thread (i.e., the signals which have been raised while
// blocked)".
StepEnd OpSigpending(StepCall& call) {
  sigset_t set;
  sigemptyset(&set);
  int ret = sigpending(&set);
  call.Returned(ret, errno);
  call.SetAux(0, ret == 0 ? AbstractSigset(set) : 0);
  return StepEnd::kFinish;
}

}  // namespace fcp
