// clone_probe (issue 3, clone_flags): what raw clone flags share.
//
// clone(fn, stack, flags, arg) through the libc clone() wrapper (it only
// switches to the child's stack, calls fn and passes its return value to
// SYS_exit; no fork handlers), flags a subset of CLONE_VM | CLONE_FS |
// CLONE_FILES | CLONE_SIGHAND | CLONE_VFORK, exit signal 0 (so no SIGCHLD
// reaches the caller). The child runs on a stack of its own (mapped here,
// unmapped once the child is reaped) and makes exactly ONE probe:
//   store  region[0] = FC_PROBE_VALUE (a plain store),
//   close  close(fd),
//   setfd  fcntl(fd, F_SETFD, FD_CLOEXEC),
//   lseek  lseek(fd, FC_PROBE_OFFSET, SEEK_SET),
// then returns 0 (1 when the call failed). With CLONE_VM the child shares the
// caller's memory while the caller waits in waitpid: the probe touches no
// libc state but errno (the caller's, read by the caller only after a failed
// call of its own), no malloc, no stdio.
// The caller reaps the child with waitpid(pid, __WALL) (needed for a child
// with exit signal 0), so later steps observe whatever the probe changed in
// the caller. Raw results: ret = pid or -1/errno; a0 = the wait status.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/executor/actor.h"
#include "harness/executor/util.h"

namespace fcp {
namespace {

constexpr size_t kProbeStackBytes = 64u << 10;

struct ProbeArgs {
  int probe;            // FC_PROBE_*
  int fd;               // target descriptor
  volatile int64_t* slot;  // store target (the region's slot 0), or null
};

int ProbeChild(void* arg) {
  const ProbeArgs* a = static_cast<const ProbeArgs*>(arg);
  switch (a->probe) {
    case FC_PROBE_STORE: *a->slot = FC_PROBE_VALUE; return 0;
    case FC_PROBE_CLOSE: return close(a->fd) == 0 ? 0 : 1;
    case FC_PROBE_SETFD: return fcntl(a->fd, F_SETFD, FD_CLOEXEC) == 0 ? 0 : 1;
    case FC_PROBE_LSEEK: return lseek(a->fd, FC_PROBE_OFFSET, SEEK_SET) < 0 ? 1 : 0;
    default: return 2;
  }
}

int NativeProbeFlags(int64_t fc) {
  int native = 0;
  if (fc & FC_CLONE_VM) native |= CLONE_VM;
  if (fc & FC_CLONE_FS) native |= CLONE_FS;
  if (fc & FC_CLONE_FILES) native |= CLONE_FILES;
  if (fc & FC_CLONE_SIGHAND) native |= CLONE_SIGHAND;
  if (fc & FC_CLONE_VFORK) native |= CLONE_VFORK;
  return native;
}

}  // namespace

// clone(2): "the low byte of flags contains the number of the termination
// signal sent to the parent when the child dies" (here 0: none).
StepEnd OpCloneProbe(StepCall& call) {
  const int64_t flags = call.arg(0);
  if (flags & ~static_cast<int64_t>(FC_PROBE_FLAGS)) return call.Fail("clone_probe: flags beyond FC_PROBE_FLAGS");
  ProbeArgs args{static_cast<int>(call.arg(1)), -1, nullptr};
  if (args.probe == FC_PROBE_STORE) {
    const int64_t region = call.arg(2);
    if (region < 0 || region >= FC_MAX_REGIONS || g_process.regions[region] == nullptr) {
      return call.Fail("clone_probe store: region M%lld is not mapped in actor P%d",
                       static_cast<long long>(region), g_process.actor);
    }
    args.slot = static_cast<volatile int64_t*>(g_process.regions[region]);
  } else if (args.probe >= FC_PROBE_CLOSE && args.probe <= FC_PROBE_LSEEK) {
    if (call.arg(2) < 0 || call.arg(2) > FC_MAX_PROGRAM_FD) return call.Fail("clone_probe: bad descriptor");
    args.fd = static_cast<int>(call.arg(2));
  } else {
    return call.Fail("clone_probe: unknown probe %d", args.probe);
  }
  void* stack = mmap(nullptr, kProbeStackBytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return call.Fail("mmap of the probe child's stack: %s", strerror(errno));
  pid_t pid = clone(ProbeChild, static_cast<char*>(stack) + kProbeStackBytes,
                    NativeProbeFlags(flags), &args);
  const int err = errno;
  if (pid < 0) {
    munmap(stack, kProbeStackBytes);
    call.Returned(-1, err);
    return StepEnd::kFinish;
  }
  call.Returned(pid, 0);
  int raw = 0;
  pid_t got;
  do {
    got = waitpid(pid, &raw, __WALL);
  } while (got < 0 && errno == EINTR);
  // Only once the child is gone is its stack free to unmap.
  if (got != pid) return call.Fail("cannot reap the clone_probe child %d (errno %d)", pid, errno);
  munmap(stack, kProbeStackBytes);
  call.SetAux(0, raw);
  return StepEnd::kFinish;
}

}  // namespace fcp
