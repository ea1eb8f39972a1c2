// Inheritance ops of ops.def (issue 3): lock, madvise, itimer, sigaltstack,
// childtimes, setsched, getsched, setaffinity, getaffinity. libc only; builds with glibc and musl (x86_64, i386, aarch64).
//
// Every result is ret (0, -1 with errno, or the abstract value wire.h names),
// so the runner's default observation ("ret=<n>") is the canonical one.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>

#include <unistd.h>

#include "harness/executor/actor.h"

// Older libc headers may lack them; the values are the kernel's ABI
// (include/uapi/asm-generic/fcntl.h, mman-common.h), the same on every arch.
#ifndef F_OFD_SETLK
#define F_OFD_SETLK 37
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif
#ifndef MADV_KEEPONFORK
#define MADV_KEEPONFORK 19
#endif
#ifndef SCHED_BATCH
#define SCHED_BATCH 3
#endif
#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

namespace fcp {

namespace {

// Whole file: l_whence SEEK_SET, l_start 0, l_len 0 ("to the end of the
// file, however large it grows"); l_pid 0, which F_OFD_SETLK requires.
int WholeFileLock(int fd, int cmd, short type) {
  struct flock fl;
  memset(&fl, 0, sizeof fl);
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 0;
  fl.l_pid = 0;
  return fcntl(fd, cmd, &fl);
}

// The alternate signal stacks a program may install: static, so a forked
// child's copy sits at the same address, and exec drops them with the image.
alignas(16) char g_small_stack[FC_ALTSTACK_SMALL_BYTES];
alignas(16) char g_large_stack[FC_ALTSTACK_LARGE_BYTES];

int64_t AbstractAltstack(const stack_t& ss) {
  if (ss.ss_flags & SS_DISABLE) return FC_ALTSTACK_OFF;
  if (ss.ss_sp == g_small_stack && ss.ss_size == FC_ALTSTACK_SMALL_BYTES) return FC_ALTSTACK_SMALL;
  if (ss.ss_sp == g_large_stack && ss.ss_size == FC_ALTSTACK_LARGE_BYTES) return FC_ALTSTACK_LARGE;
  return FC_ALTSTACK_OTHER;
}

bool Armed(const struct itimerval& v) {
  return v.it_value.tv_sec != 0 || v.it_value.tv_usec != 0;
}

}  // namespace

// fcntl(F_SETLK / F_OFD_SETLK) or flock(LOCK_NB), by FC_LOCK_*. ret 0 or -1.
StepEnd OpLock(StepCall& call) {
  const int fd = static_cast<int>(call.arg(0));
  int ret = -1;
  switch (call.arg(1)) {
    case FC_LOCK_POSIX: ret = WholeFileLock(fd, F_SETLK, F_WRLCK); break;
    case FC_LOCK_POSIX_UN: ret = WholeFileLock(fd, F_SETLK, F_UNLCK); break;
    case FC_LOCK_OFD: ret = WholeFileLock(fd, F_OFD_SETLK, F_WRLCK); break;
    case FC_LOCK_OFD_UN: ret = WholeFileLock(fd, F_OFD_SETLK, F_UNLCK); break;
    case FC_LOCK_FLOCK: ret = flock(fd, LOCK_EX | LOCK_NB); break;
    case FC_LOCK_FLOCK_UN: ret = flock(fd, LOCK_UN); break;
    default: return call.Fail("unknown lock kind %lld", static_cast<long long>(call.arg(1)));
  }
  call.Returned(ret, errno);
  return StepEnd::kFinish;
}

// madvise(region, 4096, MADV_WIPEONFORK or MADV_KEEPONFORK). ret 0 or -1.
StepEnd OpMadvise(StepCall& call) {
  void* base = g_process.regions[call.arg(0)];
  if (base == nullptr) {
    return call.Fail("region M%lld is not mapped in actor P%d", static_cast<long long>(call.arg(0)),
                     g_process.actor);
  }
  const int advice = call.arg(1) == FC_MADV_WIPEONFORK ? MADV_WIPEONFORK : MADV_KEEPONFORK;
  int ret = madvise(base, 4096, advice);
  call.Returned(ret, errno);
  return StepEnd::kFinish;
}

// getitimer / setitimer on ITIMER_VIRTUAL or ITIMER_PROF (never ITIMER_REAL:
// that is alarm(2)'s timer, the safety net in subreaper mode). ret = 1 if the
// timer was armed before the call.
StepEnd OpItimer(StepCall& call) {
  const int64_t arg = call.arg(0);
  if (arg < 0 || arg > FC_ITIMER_LAST) {
    return call.Fail("unknown itimer argument %lld", static_cast<long long>(arg));
  }
  const int which = arg >= FC_ITIMER_PROF_GET ? ITIMER_PROF : ITIMER_VIRTUAL;
  const int64_t action = arg % 3;  // 0 get, 1 arm, 2 disarm
  struct itimerval old;
  memset(&old, 0, sizeof old);
  int ret;
  if (action == 0) {
    ret = getitimer(which, &old);
  } else {
    struct itimerval value;
    memset(&value, 0, sizeof value);
    if (action == 1) value.it_value.tv_sec = FC_ITIMER_SECONDS;
    ret = setitimer(which, &value, &old);
  }
  if (ret == -1) {
    call.Returned(-1, errno);
  } else {
    call.Returned(Armed(old) ? 1 : 0, 0);
  }
  return StepEnd::kFinish;
}

// sigaltstack(NULL / small / large / SS_DISABLE, &old). ret = FC_ALTSTACK_*
// of the old stack.
StepEnd OpSigaltstack(StepCall& call) {
  stack_t ss;
  memset(&ss, 0, sizeof ss);
  stack_t old;
  memset(&old, 0, sizeof old);
  const stack_t* set = &ss;
  switch (call.arg(0)) {
    case FC_ALTSTACK_QUERY: set = nullptr; break;
    case FC_ALTSTACK_SET_SMALL:
      ss.ss_sp = g_small_stack;
      ss.ss_size = FC_ALTSTACK_SMALL_BYTES;
      break;
    case FC_ALTSTACK_SET_LARGE:
      ss.ss_sp = g_large_stack;
      ss.ss_size = FC_ALTSTACK_LARGE_BYTES;
      break;
    case FC_ALTSTACK_DISABLE: ss.ss_flags = SS_DISABLE; break;
    default:
      return call.Fail("unknown sigaltstack argument %lld", static_cast<long long>(call.arg(0)));
  }
  int ret = sigaltstack(set, &old);
  if (ret == -1) {
    call.Returned(-1, errno);
  } else {
    call.Returned(AbstractAltstack(old), 0);
  }
  return StepEnd::kFinish;
}

// getrusage(RUSAGE_CHILDREN) and times(): ret 0 if every field is zero.
StepEnd OpChildTimes(StepCall& call) {
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  if (getrusage(RUSAGE_CHILDREN, &ru) == -1) {
    call.Returned(-1, errno);
    return StepEnd::kFinish;
  }
  struct tms t;
  memset(&t, 0, sizeof t);
  if (times(&t) == static_cast<clock_t>(-1)) {
    call.Returned(-1, errno);
    return StepEnd::kFinish;
  }
  const bool zero = ru.ru_utime.tv_sec == 0 && ru.ru_utime.tv_usec == 0 &&
                    ru.ru_stime.tv_sec == 0 && ru.ru_stime.tv_usec == 0 && ru.ru_maxrss == 0 &&
                    ru.ru_minflt == 0 && ru.ru_majflt == 0 && ru.ru_inblock == 0 &&
                    ru.ru_oublock == 0 && ru.ru_nvcsw == 0 && ru.ru_nivcsw == 0 &&
                    t.tms_cutime == 0 && t.tms_cstime == 0;
  call.Returned(zero ? 0 : 1, 0);
  return StepEnd::kFinish;
}

// sched_setscheduler(0, policy [| SCHED_RESET_ON_FORK], {0}) as a raw system
// call: musl's sched_setscheduler/sched_getscheduler are stubs (ENOSYS).
StepEnd OpSetSched(StepCall& call) {
  const int64_t arg = call.arg(0);
  if (arg < 0 || arg > FC_SCHED_LAST) {
    return call.Fail("setsched takes 0..%d, not %lld", FC_SCHED_LAST, static_cast<long long>(arg));
  }
  int policy = (arg & FC_SCHED_BATCH) ? SCHED_BATCH : SCHED_OTHER;
  if (arg & FC_SCHED_RESET_ON_FORK) policy |= SCHED_RESET_ON_FORK;
  struct sched_param param;
  memset(&param, 0, sizeof param);
  long ret = syscall(SYS_sched_setscheduler, 0, policy, &param);
  call.Returned(ret, errno);
  return StepEnd::kFinish;
}

// ret = FC_SCHED_* of sched_getscheduler(0).
StepEnd OpGetSched(StepCall& call) {
  long ret = syscall(SYS_sched_getscheduler, 0);
  if (ret == -1) {
    call.Returned(-1, errno);
    return StepEnd::kFinish;
  }
  const long policy = ret & ~static_cast<long>(SCHED_RESET_ON_FORK);
  int64_t fc = policy == SCHED_OTHER ? FC_SCHED_OTHER
               : policy == SCHED_BATCH ? FC_SCHED_BATCH
                                       : FC_SCHED_UNKNOWN;
  if (fc != FC_SCHED_UNKNOWN && (ret & SCHED_RESET_ON_FORK)) fc |= FC_SCHED_RESET_ON_FORK;
  call.Returned(fc, 0);
  return StepEnd::kFinish;
}

// sched_setaffinity(0, ...): every CPU (all bits set: the kernel keeps those
// the process may use) or the lowest CPU of the current mask.
StepEnd OpSetAffinity(StepCall& call) {
  const int64_t arg = call.arg(0);
  cpu_set_t set;
  if (arg == FC_AFFINITY_ALL) {
    memset(&set, 0xff, sizeof set);
  } else if (arg == FC_AFFINITY_FIRST) {
    cpu_set_t current;
    CPU_ZERO(&current);
    if (sched_getaffinity(0, sizeof current, &current) == -1) {
      call.Returned(-1, errno);
      return StepEnd::kFinish;
    }
    CPU_ZERO(&set);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &current)) {
        CPU_SET(cpu, &set);
        break;
      }
    }
  } else {
    return call.Fail("setaffinity takes 0 or 1, not %lld", static_cast<long long>(arg));
  }
  int ret = sched_setaffinity(0, sizeof set, &set);
  call.Returned(ret, errno);
  return StepEnd::kFinish;
}

// ret = FC_AFFINITY_ONE or FC_AFFINITY_MANY CPUs in sched_getaffinity(0).
StepEnd OpGetAffinity(StepCall& call) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == -1) {
    call.Returned(-1, errno);
    return StepEnd::kFinish;
  }
  call.Returned(CPU_COUNT(&set) == 1 ? FC_AFFINITY_ONE : FC_AFFINITY_MANY, 0);
  return StepEnd::kFinish;
}

}  // namespace fcp
