// vfork area of ops.def (issue 3): vfork and clone(CLONE_VM|CLONE_VFORK).
//
// The caller is suspended until its child calls exec or _exit, and the child
// runs in the caller's memory. The model predicts the step to block until
// the child's exec or _exit, so RunStep hands the turn on before the call
// and the child runs its own steps while the caller is suspended.
//
// vfork(2): "The child must not return from the current function". Here the
// child never returns at all: VforkChild() runs the child's steps (RunActor,
// which is noreturn) in frames *below* the caller's, and leaves by exec or
// _exit only. What it writes in the caller's memory:
//   - g_process.actor (this global is the caller's too): the caller restores
//     its own id as soon as vfork returns;
//   - `word` in the caller's frame: the child stores its pid there, so the
//     caller can observe that the stack is shared (a2);
//   - errno (the caller's thread-local): the caller reads it only when vfork
//     failed, in which case there was no child.
// The model lets a vfork child make only single system calls and stores
// (oracles/vfork.cc), so nothing else of the caller's is touched.
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness/executor/actor.h"
#include "harness/executor/util.h"

namespace fcp {
namespace {

// The child's own stack for clone_vfork (the libc clone() wrapper needs one).
// Mapped by the caller before the call, unmapped once the child has let go.
constexpr size_t kCloneVforkStackBytes = 1u << 20;

struct VforkChildArgs {
  ControlBlock* cb;
  int index;       // the vfork step
  int child;       // the actor it creates
  long ret;        // what the call returned in the child
  volatile long* word;  // in the caller's frame
};

// The child's half of the step, then its steps. Never returns.
[[noreturn]] void VforkChild(const VforkChildArgs& a) {
  StepResult& result = a.cb->results[a.index];
  const pid_t self = static_cast<pid_t>(syscall(SYS_getpid));
  *a.word = self;  // the caller's stack frame: man vfork(2) "including the stack"
  // Other actors may name this one before the caller has resumed.
  StoreRelease(&a.cb->actor_pid[a.child], static_cast<int32_t>(self));
  result.aux[0] = a.ret;
  StoreRelease(&result.child_reported, 1u);
  FutexWakeAll(&result.child_reported);
  *static_cast<volatile int*>(&g_process.actor) = a.child;  // restored by the caller
  if (a.cb->mode == kModeSubreaper) ArmSafetyAlarm(a.cb);
  RunActor(a.index + 1);
}

int CloneVforkEntry(void* arg) {
  VforkChildArgs* a = static_cast<VforkChildArgs*>(arg);
  a->ret = 0;  // clone(2): the wrapper calls fn only in the child, where the call returned 0
  VforkChild(*a);
}

// The caller's half, once the child has exec'd or exited (or the call failed).
StepEnd VforkParent(StepCall& call, int self_actor, pid_t pid, int err, long word) {
  // The child wrote its own id into this global; a volatile store, so that
  // no compiler takes it for a store of the value it already holds.
  *static_cast<volatile int*>(&g_process.actor) = self_actor;
  ControlBlock* cb = call.cb();
  const int child = call.spec().out;
  StoreRelease(&cb->actor_pid[child], pid > 0 ? static_cast<int32_t>(pid) : kActorFailed);
  call.Returned(pid, err);
  call.SetAux(1, LoadAcquire(&call.result().child_reported));
  call.SetAux(2, word);
  return StepEnd::kFinish;
}

}  // namespace

// vfork(2): "the calling thread is suspended until the child terminates ...
// or it makes a call to execve(2). Until that point, the child shares all
// memory with its parent, including the stack."
StepEnd OpVfork(StepCall& call) {
  const int self_actor = g_process.actor;
  VforkChildArgs args{call.cb(), call.index(), call.spec().out, 0, nullptr};
  volatile long word = 0;
  args.word = &word;
  pid_t pid = vfork();
  if (pid == 0) {
    args.ret = pid;
    VforkChild(args);  // noreturn: the child never leaves this frame
  }
  int err = errno;
  return VforkParent(call, self_actor, pid, err, word);
}

// clone(2) CLONE_VFORK: "the execution of the calling process is suspended
// until the child releases its virtual memory resources via a call to
// execve(2) or _exit(2)"; CLONE_VM: "memory writes performed by the calling
// process or by the child process are also visible in the other process".
// Through the libc clone() wrapper (no fork handlers; it only switches to
// the child's stack and calls the entry function), on every architecture.
StepEnd OpCloneVfork(StepCall& call) {
  const int self_actor = g_process.actor;
  void* stack = mmap(nullptr, kCloneVforkStackBytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return call.Fail("mmap of the child's stack: %s", strerror(errno));
  VforkChildArgs args{call.cb(), call.index(), call.spec().out, 0, nullptr};
  volatile long word = 0;
  args.word = &word;
  pid_t pid = clone(CloneVforkEntry, static_cast<char*>(stack) + kCloneVforkStackBytes,
                    CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  int err = errno;
  munmap(stack, kCloneVforkStackBytes);  // the child has exec'd or exited
  return VforkParent(call, self_actor, pid, err, word);
}

}  // namespace fcp
