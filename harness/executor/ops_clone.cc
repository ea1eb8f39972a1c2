// clone / clone3 (issue 3): the raw system calls, with generated flag sets.
//
// The child created by a successful call does nothing but exit(0): the
// instructions right after the system call (inline assembly) test the return
// value and, in the child, call SYS_exit at once without touching memory or
// the stack. So the child is harmless whatever it shares (CLONE_VM with no
// stack of its own, CLONE_THREAD, CLONE_FILES ...). The caller then
//   - reaps it with waitpid(pid, __WALL) unless it is a thread (CLONE_THREAD),
//     so children with exit_signal 0 or SIGURG are reaped too;
//   - for a CLONE_THREAD child, waits (bounded) until the kernel has cleared
//     (CLONE_CHILD_CLEARTID, as pthread_join does) or set (CLONE_CHILD_SETTID)
//     the child tid word;
//   - reads the pidfd's FD_CLOEXEC and closes the pidfd.
// Raw results: ret/err of the call; a0 = pidfd or -1, a1 = F_GETFD of the
// pidfd, a2 = wait status or -1; data = "<ptid> <ctid>" (raw words, -7 when
// the kernel did not write them).
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/executor/actor.h"
#include "harness/executor/util.h"

namespace fcp {
namespace {

// Linux uapi values (include/uapi/linux/sched.h), spelled here so that the
// executor builds against any libc's headers.
constexpr uint64_t kCloneVm = 0x00000100;
constexpr uint64_t kCloneFs = 0x00000200;
constexpr uint64_t kCloneFiles = 0x00000400;
constexpr uint64_t kCloneSighand = 0x00000800;
constexpr uint64_t kClonePidfd = 0x00001000;
constexpr uint64_t kCloneVfork = 0x00004000;
constexpr uint64_t kCloneParent = 0x00008000;
constexpr uint64_t kCloneThread = 0x00010000;
constexpr uint64_t kCloneNewns = 0x00020000;
constexpr uint64_t kCloneSysvsem = 0x00040000;
constexpr uint64_t kCloneParentSettid = 0x00100000;
constexpr uint64_t kCloneChildCleartid = 0x00200000;
constexpr uint64_t kCloneDetached = 0x00400000;
constexpr uint64_t kCloneChildSettid = 0x01000000;
constexpr uint64_t kCloneNewuts = 0x04000000;
constexpr uint64_t kCloneNewipc = 0x08000000;
constexpr uint64_t kCloneNewuser = 0x10000000;
constexpr uint64_t kCloneNewpid = 0x20000000;
constexpr uint64_t kCloneNewnet = 0x40000000;
constexpr uint64_t kCloneClearSighand = 0x100000000ULL;
constexpr uint64_t kCloneIntoCgroup = 0x200000000ULL;
constexpr uint64_t kCloneUnknownBit = 1ULL << 40;  // defined by no kernel

constexpr int kUnset = -7;  // a tid word the kernel did not write

struct CloneArgs {  // struct clone_args, CLONE_ARGS_SIZE_VER2 = 88 bytes
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
      set_tid_size, cgroup;
};
static_assert(sizeof(CloneArgs) == 88, "struct clone_args VER2");

uint64_t NativeCloneFlags(int64_t fc) {
  struct Pair {
    int64_t fc;
    uint64_t native;
  };
  static const Pair kMap[] = {
      {FC_CLONE_VM, kCloneVm},
      {FC_CLONE_FS, kCloneFs},
      {FC_CLONE_FILES, kCloneFiles},
      {FC_CLONE_SIGHAND, kCloneSighand},
      {FC_CLONE_THREAD, kCloneThread},
      {FC_CLONE_VFORK, kCloneVfork},
      {FC_CLONE_PARENT, kCloneParent},
      {FC_CLONE_SYSVSEM, kCloneSysvsem},
      {FC_CLONE_PARENT_SETTID, kCloneParentSettid},
      {FC_CLONE_CHILD_SETTID, kCloneChildSettid},
      {FC_CLONE_CHILD_CLEARTID, kCloneChildCleartid},
      {FC_CLONE_PIDFD, kClonePidfd},
      {FC_CLONE_DETACHED, kCloneDetached},
      {FC_CLONE_CLEAR_SIGHAND, kCloneClearSighand},
      {FC_CLONE_INTO_CGROUP, kCloneIntoCgroup},
      {FC_CLONE_NEWNS, kCloneNewns},
      {FC_CLONE_NEWUSER, kCloneNewuser},
      {FC_CLONE_NEWPID, kCloneNewpid},
      {FC_CLONE_NEWIPC, kCloneNewipc},
      {FC_CLONE_NEWUTS, kCloneNewuts},
      {FC_CLONE_NEWNET, kCloneNewnet},
      {FC_CLONE_UNKNOWN, kCloneUnknownBit},
      {FC_CLONE_CSIGNAL, static_cast<uint64_t>(SIGCHLD)},
  };
  uint64_t native = 0;
  for (const Pair& p : kMap) {
    if (fc & p.fc) native |= p.native;
  }
  return native;
}

uint64_t NativeExitSignal(int64_t fc) {
  switch (fc) {
    case FC_EXITSIG_SIGCHLD: return SIGCHLD;
    case FC_EXITSIG_OTHER: return SIGURG;  // default action: ignore
    case FC_EXITSIG_INVALID: return 65;    // above _NSIG - 1
    case FC_EXITSIG_WIDE: return 0x100 | SIGCHLD;
    default: return 0;
  }
}

#if defined(__x86_64__)
#define FCP_HAVE_RAW_CLONE 1
// The child (rax == 0) calls SYS_exit(0) before anything else.
long RawClone(uint64_t flags, int* ptid, int* ctid) {
  long ret;
  register long r10 __asm__("r10") = reinterpret_cast<long>(ctid);
  register long r8 __asm__("r8") = 0;
  __asm__ volatile(
      "syscall\n\t"
      "test %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      "mov $60, %%eax\n\t"
      "xor %%edi, %%edi\n\t"
      "syscall\n\t"
      "1:"
      : "=a"(ret)
      : "0"(56L), "D"(flags), "S"(0L), "d"(ptid), "r"(r10), "r"(r8)
      : "rcx", "r11", "memory");
  return ret;
}
long RawClone3(void* args, uint64_t size) {
  long ret;
  __asm__ volatile(
      "syscall\n\t"
      "test %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      "mov $60, %%eax\n\t"
      "xor %%edi, %%edi\n\t"
      "syscall\n\t"
      "1:"
      : "=a"(ret)
      : "0"(435L), "D"(args), "S"(size)
      : "rcx", "r11", "memory");
  return ret;
}
#elif defined(__aarch64__)
#define FCP_HAVE_RAW_CLONE 1
// arm64 clone: (flags, stack, parent_tid, tls, child_tid).
long RawClone(uint64_t flags, int* ptid, int* ctid) {
  register long x0 __asm__("x0") = static_cast<long>(flags);
  register long x1 __asm__("x1") = 0;
  register long x2 __asm__("x2") = reinterpret_cast<long>(ptid);
  register long x3 __asm__("x3") = 0;
  register long x4 __asm__("x4") = reinterpret_cast<long>(ctid);
  register long x8 __asm__("x8") = 220;
  __asm__ volatile(
      "svc #0\n\t"
      "cbnz x0, 1f\n\t"
      "mov x8, #93\n\t"
      "svc #0\n\t"
      "1:"
      : "+r"(x0), "+r"(x8)
      : "r"(x1), "r"(x2), "r"(x3), "r"(x4)
      : "memory");
  return x0;
}
long RawClone3(void* args, uint64_t size) {
  register long x0 __asm__("x0") = reinterpret_cast<long>(args);
  register long x1 __asm__("x1") = static_cast<long>(size);
  register long x8 __asm__("x8") = 435;
  __asm__ volatile(
      "svc #0\n\t"
      "cbnz x0, 1f\n\t"
      "mov x8, #93\n\t"
      "svc #0\n\t"
      "1:"
      : "+r"(x0), "+r"(x8)
      : "r"(x1)
      : "memory");
  return x0;
}
#endif

#ifdef FCP_HAVE_RAW_CLONE
// After a successful call: reap or wait for the child, then record.
StepEnd Settle(StepCall& call, long ret, uint64_t flags, int pidfd, volatile int* ptid,
               volatile int* ctid) {
  int64_t status = -1;
  int plain = -1;  // 1: a plain waitpid reaped it; 0: ECHILD; -1: not tried
  if (flags & kCloneThread) {
    // The kernel writes the tid words of a thread (it shares our memory)
    // when it starts and exits: wait for them, bounded by the deadline, so
    // that no write lands later on a reused stack frame. CLEARTID: the word
    // is cleared at exit; SETTID alone: it is set before the thread runs.
    if (flags & (kCloneChildCleartid | kCloneChildSettid)) {
      const int done_when = (flags & kCloneChildCleartid) ? 0 : kUnset;
      const bool until_equal = (flags & kCloneChildCleartid) != 0;
      for (;;) {
        int word = __atomic_load_n(ctid, __ATOMIC_ACQUIRE);
        if (until_equal ? word == done_when : word != done_when) break;
        if (MonotonicNs() >= call.cb()->deadline_ns) break;
        SleepNs(50 * 1000);
      }
    }
  } else {
    // Once the child is a zombie (waitid WNOWAIT|__WALL leaves it so), a
    // plain waitpid(pid, WNOHANG) sees it only if it is not a "clone" child;
    // otherwise it fails with ECHILD and __WALL reaps it.
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int rc;
    do {
      rc = waitid(P_PID, static_cast<id_t>(ret), &info, WEXITED | WNOWAIT | __WALL);
    } while (rc < 0 && errno == EINTR);
    if (rc != 0) return call.Fail("cannot wait for the clone child %ld (errno %d)", ret, errno);
    int raw = 0;
    pid_t got = waitpid(static_cast<pid_t>(ret), &raw, WNOHANG);
    plain = got == ret ? 1 : (got < 0 && errno == ECHILD) ? 0 : -1;
    if (got != ret) {
      do {
        got = waitpid(static_cast<pid_t>(ret), &raw, __WALL);
      } while (got < 0 && errno == EINTR);
      if (got != ret) return call.Fail("cannot reap the clone child %ld (errno %d)", ret, errno);
    }
    status = raw;
  }
  if (pidfd >= 0) {
    call.SetAux(1, fcntl(pidfd, F_GETFD));
    close(pidfd);
  }
  call.SetAux(0, pidfd);
  call.SetAux(2, status);
  char words[48];
  int n = snprintf(words, sizeof words, "%d %d %d", *ptid, *ctid, plain);
  if (!call.SetData(words, static_cast<uint32_t>(n))) return call.Fail("result arena full");
  return StepEnd::kFinish;
}
#endif

}  // namespace

// clone(2), the raw system call (x86-64: flags, stack, parent_tid, child_tid,
// tls). "The low byte of flags contains the number of the termination signal
// sent to the parent when the child dies."
StepEnd OpClone(StepCall& call) {
#ifdef FCP_HAVE_RAW_CLONE
  uint64_t flags = NativeCloneFlags(call.arg(0)) | NativeExitSignal(call.arg(1));
  volatile int ptid = kUnset, ctid = kUnset, pidfd = -1;
  // With clone(), CLONE_PIDFD stores the pidfd through parent_tid.
  int* ptid_arg = const_cast<int*>((flags & kClonePidfd) && !(flags & kCloneParentSettid)
                                       ? &pidfd
                                       : &ptid);
  long ret = RawClone(flags, ptid_arg, const_cast<int*>(&ctid));
  if (ret < 0) {
    call.Returned(-1, static_cast<int>(-ret));
    return StepEnd::kFinish;
  }
  call.Returned(ret, 0);
  return Settle(call, ret, flags, (flags & kClonePidfd) ? pidfd : -1, &ptid, &ctid);
#else
  return call.Fail("raw clone is not supported on this architecture");
#endif
}

// clone3(2): "long syscall(SYS_clone3, struct clone_args *cl_args, size_t size)".
StepEnd OpClone3(StepCall& call) {
#ifdef FCP_HAVE_RAW_CLONE
  static unsigned char buffer[sizeof(CloneArgs) + 16] __attribute__((aligned(8)));
  memset(buffer, 0, sizeof buffer);
  CloneArgs* args = reinterpret_cast<CloneArgs*>(buffer);
  volatile int ptid = kUnset, ctid = kUnset;
  volatile int pidfd = -1;
  int set_tid[1] = {1};
  uint64_t flags = NativeCloneFlags(call.arg(0));
  args->flags = flags;
  args->pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args->parent_tid = reinterpret_cast<uint64_t>(&ptid);
  args->child_tid = reinterpret_cast<uint64_t>(&ctid);
  args->exit_signal = NativeExitSignal(call.arg(1));
  uint64_t size = sizeof(CloneArgs);
  switch (call.arg(2)) {
    case FC_C3_VER0: size = 64; break;
    case FC_C3_SHORT: size = 56; break;
    case FC_C3_HUGE: size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) + 8; break;
    case FC_C3_TAIL_NONZERO:
      size = sizeof(CloneArgs) + 8;
      buffer[sizeof(CloneArgs) + 3] = 1;
      break;
    case FC_C3_TAIL_ZERO: size = sizeof(CloneArgs) + 8; break;
    case FC_C3_STACK_SIZE_ONLY: args->stack_size = 4096; break;
    case FC_C3_SET_TID_NULL: args->set_tid_size = 1; break;
    case FC_C3_SET_TID_EMPTY: args->set_tid = reinterpret_cast<uint64_t>(set_tid); break;
    case FC_C3_SET_TID_DEEP:
      args->set_tid = reinterpret_cast<uint64_t>(set_tid);
      args->set_tid_size = 33;
      break;
    case FC_C3_CGROUP_HUGE: args->cgroup = 1ULL << 32; break;
    default: break;
  }
  long ret = RawClone3(args, size);
  if (ret < 0) {
    call.Returned(-1, static_cast<int>(-ret));
    return StepEnd::kFinish;
  }
  call.Returned(ret, 0);
  return Settle(call, ret, flags, (flags & kClonePidfd) ? pidfd : -1, &ptid, &ctid);
#else
  return call.Fail("raw clone3 is not supported on this architecture");
#endif
}

}  // namespace fcp
