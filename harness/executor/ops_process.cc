// Process area of ops.def: fork, exit, _exit, getpid, getppid, wait family.
// Every function makes exactly the call named in ops.def through its libc
// wrapper and records the raw result; the model interprets it.
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/executor/actor.h"
#include "harness/executor/util.h"

namespace fcp {

int NativeWaitOptions(int64_t fc_opts) {
  int native = 0;
  if (fc_opts & FC_WNOHANG) native |= WNOHANG;
  // Not valid for waitpid/wait4: passed through so the kernel rejects them.
  if (fc_opts & FC_WNOWAIT) native |= WNOWAIT;
  if (fc_opts & FC_WEXITED) native |= WEXITED;
  // issue 4: WUNTRACED and WSTOPPED are the same bit.
  if (fc_opts & FC_WUNTRACED) native |= WUNTRACED;
  if (fc_opts & FC_WCONTINUED) native |= WCONTINUED;
  return native;
}

// fork(2): "On success, the PID of the child process is returned in the
// parent, and 0 is returned in the child."
StepEnd OpFork(StepCall& call) {
  ControlBlock* cb = call.cb();
  StepResult& result = call.result();
  const int child_actor = call.spec().out;
  pid_t pid = fork();
  if (pid == 0) {
    // The child reports fork's return value at once, then becomes the actor.
    result.aux[0] = pid;
    StoreRelease(&result.child_reported, 1u);
    FutexWakeAll(&result.child_reported);
    g_process.actor = child_actor;
    if (cb->mode == kModeSubreaper) ArmSafetyAlarm(cb);
    return StepEnd::kChildContinues;
  }
  int err = errno;
  StoreRelease(&cb->actor_pid[child_actor], pid > 0 ? static_cast<int32_t>(pid) : kActorFailed);
  call.Returned(pid, err);
  if (pid > 0) {
    // Hand the turn on only once the child's half of the result is written.
    int64_t limit = MonotonicNs() + kChildReportWaitNs;
    if (limit > cb->deadline_ns) limit = cb->deadline_ns;
    while (LoadAcquire(&result.child_reported) == 0) {
      if (!FutexWaitUntil(&result.child_reported, 0, limit)) break;
    }
  }
  result.aux[1] = LoadAcquire(&result.child_reported);
  return StepEnd::kFinish;
}

// exit(3): runs atexit handlers and flushes stdio, then _exit(status). The
// raw int goes to the kernel unmasked: wait(2) shows "the least significant
// 8 bits" (WEXITSTATUS), and the model checks that cut.
StepEnd OpExit(StepCall& call) {
  call.Returned(0, 0);
  call.Finish();
  exit(static_cast<int>(call.arg(0)));
}

// _exit(2)
StepEnd OpUExit(StepCall& call) {
  call.Returned(0, 0);
  call.Finish();
  _exit(static_cast<int>(call.arg(0)));
}

StepEnd OpGetPid(StepCall& call) {
  pid_t pid = getpid();
  call.Returned(pid, errno);
  return StepEnd::kFinish;
}

StepEnd OpGetPpid(StepCall& call) {
  pid_t pid = getppid();
  call.Returned(pid, errno);
  return StepEnd::kFinish;
}

/* ---- reparenting (issue 4) ---- */
// prctl(PR_SET_CHILD_SUBREAPER, arg): "If arg2 is nonzero, set ...".
StepEnd OpSubreaper(StepCall& call) {
  int ret = prctl(PR_SET_CHILD_SUBREAPER, call.arg(0) != 0 ? 1UL : 0UL, 0UL, 0UL, 0UL);
  call.Returned(ret, errno);
  return StepEnd::kFinish;
}

StepEnd OpWait(StepCall& call) {
  int status = 0;
  pid_t pid = wait(&status);
  call.Returned(pid, errno);
  call.SetAux(0, status);
  return StepEnd::kFinish;
}

namespace {

// waitpid(2): "< -1 ... -1 meaning wait for any child process ... 0 meaning
// wait for any child process whose process group ID is equal to that of the
// calling process ... > 0 meaning wait for the child whose process ID is
// equal to the value of pid."
bool WaitpidTarget(StepCall& call, int64_t selector, pid_t* pid) {
  if (selector == FC_PIDSEL_ANY) {
    *pid = -1;
    return true;
  }
  if (selector == FC_PIDSEL_PGRP) {
    *pid = 0;
    return true;
  }
  // issue 4 (groups): "< -1 meaning wait for any child process whose process
  // group ID is equal to the absolute value of pid."
  if (FC_PIDSEL_IS_GROUP(selector)) {
    int leader_pid = 0;
    if (!call.ActorPid(FC_PIDSEL_GROUP_ACTOR(selector), &leader_pid)) return false;
    *pid = -leader_pid;
    return true;
  }
  int actor_pid = 0;
  if (!call.ActorPid(selector, &actor_pid)) return false;
  *pid = actor_pid;
  return true;
}

}  // namespace

StepEnd OpWaitPid(StepCall& call) {
  pid_t target = 0;
  if (!WaitpidTarget(call, call.arg(0), &target)) return StepEnd::kAbort;
  int options = NativeWaitOptions(call.arg(1));
  int status = 0;
  pid_t pid = waitpid(target, &status, options);
  call.Returned(pid, errno);
  call.SetAux(0, status);
  return StepEnd::kFinish;
}

StepEnd OpWait4(StepCall& call) {
  pid_t target = 0;
  if (!WaitpidTarget(call, call.arg(0), &target)) return StepEnd::kAbort;
  int options = NativeWaitOptions(call.arg(1));
  int status = 0;
  struct rusage usage;
  memset(&usage, 0, sizeof usage);
  pid_t pid = wait4(target, &status, options, &usage);
  call.Returned(pid, errno);
  call.SetAux(0, status);
  return StepEnd::kFinish;
}

// waitid(2): P_ALL ignores id; P_PID/P_PGID take the actor's pid (the
// selectors ANY and PGRP give id 0). "Applications should zero out the
// si_pid field before the call and check for a nonzero value in this field
// after the call returns" (WNOHANG with nothing to report): zero it all.
StepEnd OpWaitId(StepCall& call) {
  idtype_t idtype = P_ALL;
  switch (call.arg(0)) {
    case FC_P_ALL: idtype = P_ALL; break;
    case FC_P_PID: idtype = P_PID; break;
    default: idtype = P_PGID; break;
  }
  id_t id = 0;
  int64_t selector = call.arg(1);
  if (FC_PIDSEL_IS_GROUP(selector)) {  // issue 4 (groups): waitpid/wait4 only
    return call.Fail("waitid takes no group pid selector (%lld)", static_cast<long long>(selector));
  }
  if (selector >= 0) {
    int actor_pid = 0;
    if (!call.ActorPid(selector, &actor_pid)) return StepEnd::kAbort;
    id = static_cast<id_t>(actor_pid);
  }
  int options = NativeWaitOptions(call.arg(2));
  siginfo_t info;
  memset(&info, 0, sizeof info);
  int ret = waitid(idtype, id, &info, options);
  call.Returned(ret, errno);
  call.SetAux(0, info.si_pid);
  call.SetAux(1, info.si_code);
  call.SetAux(2, info.si_status);
  return StepEnd::kFinish;
}

}  // namespace fcp
