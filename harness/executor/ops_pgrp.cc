// Process groups and sessions (issue 4, groups): setpgid, setsid, getpgid,
// getsid, getpgrp. Each makes exactly the call named in ops.def through its
// libc wrapper and records the raw result; the runner names the returned
// ids (pids of actors, or REAPER).
#include <errno.h>
#include <sys/types.h>
#include <unistd.h>

#include "harness/executor/actor.h"
#include "harness/executor/util.h"

namespace fcp {

namespace {

// FC_ARG_PROCSEL: FC_PROCSEL_SELF is pid 0 ("the calling process").
bool ProcPid(StepCall& call, int64_t selector, pid_t* pid) {
  if (selector == FC_PROCSEL_SELF) {
    *pid = 0;
    return true;
  }
  int actor_pid = 0;
  if (!call.ActorPid(selector, &actor_pid)) return false;
  *pid = actor_pid;
  return true;
}

}  // namespace

// setpgid(2): "If pid is zero, then the process ID of the calling process is
// used. If pgid is zero, then the PGID of the process specified by pid is
// made the same as its process ID."
StepEnd OpSetPgid(StepCall& call) {
  pid_t pid = 0;
  if (!ProcPid(call, call.arg(0), &pid)) return StepEnd::kAbort;
  pid_t pgid = 0;
  if (call.arg(1) == FC_PGID_NEGATIVE) {
    pgid = -1;
  } else if (call.arg(1) != FC_PGID_SAME) {
    int actor_pid = 0;
    if (!call.ActorPid(call.arg(1), &actor_pid)) return StepEnd::kAbort;
    pgid = actor_pid;
  }
  int ret = setpgid(pid, pgid);
  call.Returned(ret, errno);
  return StepEnd::kFinish;
}

StepEnd OpSetSid(StepCall& call) {
  pid_t ret = setsid();
  call.Returned(ret, errno);
  return StepEnd::kFinish;
}

StepEnd OpGetPgid(StepCall& call) {
  pid_t pid = 0;
  if (!ProcPid(call, call.arg(0), &pid)) return StepEnd::kAbort;
  pid_t ret = getpgid(pid);
  call.Returned(ret, errno);
  return StepEnd::kFinish;
}

StepEnd OpGetSid(StepCall& call) {
  pid_t pid = 0;
  if (!ProcPid(call, call.arg(0), &pid)) return StepEnd::kAbort;
  pid_t ret = getsid(pid);
  call.Returned(ret, errno);
  return StepEnd::kFinish;
}

StepEnd OpGetPgrp(StepCall& call) {
  pid_t ret = getpgrp();
  call.Returned(ret, errno);
  return StepEnd::kFinish;
}

}  // namespace fcp
