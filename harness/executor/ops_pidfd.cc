// Pidfd area of ops.def, and the parent-death signal ops (issue 4, pidfd):
// pidfd_open, pidfd_poll, pidfd_send_signal, waitid_pidfd (raw system calls:
// libcs without wrappers, and musl, have the numbers), set_pdeathsig,
// get_pdeathsig.
//
// pidfd_send_signal synchronises with the asynchronous effect the model
// predicts exactly like kill (wire.h FC_SYNC_*, the S line's data): death is
// seen on the program's own pidfd (poll, which changes nothing), a stop or a
// continue through waitid(P_PIDFD, WNOWAIT | WNOHANG), which leaves the event
// to the program's waits.
//
// Raw results: pidfd_open a2 = the pidfd's inode (pidfs: one per process;
// the runner names it "pidfd:P<n>"); pidfd_poll a0 = revents; waitid_pidfd as
// waitid (a0 si_pid, a1 si_code, a2 si_status); pidfd_send_signal a1 = 1 if
// the predicted effect was seen; get_pdeathsig a0 = the signal (Linux number).
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/executor/actor.h"
#include "harness/executor/util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434  // the same number on every architecture (asm-generic)
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef PR_SET_PDEATHSIG
#define PR_SET_PDEATHSIG 1
#endif
#ifndef PR_GET_PDEATHSIG
#define PR_GET_PDEATHSIG 2
#endif

namespace fcp {

namespace {

int64_t PidfdSyncLimit(ControlBlock* cb) {
  int64_t limit = MonotonicNs() + kDeathWaitNs;
  return limit > cb->deadline_ns ? cb->deadline_ns : limit;
}

// The process behind `pidfd` has died (the pidfd polls readable).
bool PidfdWaitDeath(ControlBlock* cb, int pidfd) {
  const int64_t limit = PidfdSyncLimit(cb);
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

// The process behind `pidfd` (a child of the caller) has a stop (continue)
// to report; WNOWAIT leaves it to the program.
bool PidfdWaitJobControl(ControlBlock* cb, int pidfd, bool stop) {
  const int64_t limit = PidfdSyncLimit(cb);
  for (;;) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int options = WNOHANG | WNOWAIT | (stop ? WSTOPPED : WCONTINUED);
    if (waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &info, options) == 0 &&
        info.si_pid != 0 && info.si_code == (stop ? CLD_STOPPED : CLD_CONTINUED)) {
      return true;
    }
    if (MonotonicNs() >= limit) return false;
    SleepNs(100 * 1000);
  }
}

}  // namespace

StepEnd OpPidfdOpen(StepCall& call) {
  pid_t pid = 0;
  const int64_t selector = call.arg(0);
  if (selector == FC_PIDSEL_ANY) {
    pid = -1;
  } else if (selector == FC_PIDSEL_PGRP) {
    pid = 0;
  } else {
    int actor_pid = 0;
    if (!call.ActorPid(selector, &actor_pid)) return StepEnd::kAbort;
    pid = actor_pid;
  }
  // FC_O_NONBLOCK is PIDFD_NONBLOCK (= O_NONBLOCK); other bits pass through
  // (NativeOpenFlags) for the kernel to refuse.
  const unsigned flags = static_cast<unsigned>(NativeOpenFlags(call.arg(1)));
  long fd = syscall(SYS_pidfd_open, pid, flags);
  call.Returned(fd, errno);
  if (fd >= 0) {
    struct stat st;
    call.SetAux(2, fstat(static_cast<int>(fd), &st) == 0 ? static_cast<int64_t>(st.st_ino) : -1);
  }
  return StepEnd::kFinish;
}

StepEnd OpPidfdPoll(StepCall& call) {
  struct pollfd pfd = {static_cast<int>(call.arg(0)), POLLIN, 0};
  int n = poll(&pfd, 1, 0);
  call.Returned(n, errno);
  call.SetAux(0, n > 0 ? pfd.revents : 0);
  return StepEnd::kFinish;
}

StepEnd OpPidfdSendSignal(StepCall& call) {
  const int pidfd = static_cast<int>(call.arg(0));
  const int sig = NativeSignalNumber(call.arg(1));
  if (sig < 0) {
    return call.Fail("signal %lld is not one forkconf uses", static_cast<long long>(call.arg(1)));
  }
  const int expect = call.spec().data_len > 0 ? call.spec().data[0] : FC_SYNC_NONE;
  long ret = syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0u);
  call.Returned(ret, errno);
  bool seen = true;
  if (ret == 0) {
    switch (expect) {
      case FC_SYNC_DEATH: seen = PidfdWaitDeath(call.cb(), pidfd); break;
      case FC_SYNC_STOP: seen = PidfdWaitJobControl(call.cb(), pidfd, true); break;
      case FC_SYNC_CONT: seen = PidfdWaitJobControl(call.cb(), pidfd, false); break;
      default: break;
    }
  }
  call.SetAux(1, seen ? 1 : 0);
  return StepEnd::kFinish;
}

// waitid(2) P_PIDFD; the siginfo is zeroed first (WNOHANG with nothing to
// report leaves si_pid 0).
StepEnd OpWaitIdPidfd(StepCall& call) {
  siginfo_t info;
  memset(&info, 0, sizeof info);
  const int options = NativeWaitOptions(call.arg(1));
  int ret = waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(call.arg(0)), &info, options);
  call.Returned(ret, errno);
  call.SetAux(0, info.si_pid);
  call.SetAux(1, info.si_code);
  call.SetAux(2, info.si_status);
  return StepEnd::kFinish;
}

StepEnd OpSetPdeathsig(StepCall& call) {
  const int sig = NativeSignalNumber(call.arg(0));
  if (sig < 0) {
    return call.Fail("signal %lld is not one forkconf uses", static_cast<long long>(call.arg(0)));
  }
  int ret = prctl(PR_SET_PDEATHSIG, static_cast<unsigned long>(sig), 0UL, 0UL, 0UL);
  call.Returned(ret, errno);
  return StepEnd::kFinish;
}

StepEnd OpGetPdeathsig(StepCall& call) {
  int sig = -1;
  int ret = prctl(PR_GET_PDEATHSIG, &sig, 0UL, 0UL, 0UL);
  call.Returned(ret, errno);
  call.SetAux(0, LinuxSignalNumber(sig));
  return StepEnd::kFinish;
}

}  // namespace fcp
