// Libc area of ops.def (issue 3): pthread_atfork with recording handlers,
// _Fork, vfork, and fully buffered stdio streams on scratch files.
//
// The handler log and the stream table are plain static memory of this
// process image: fork copies them with the rest of the address space, exec
// starts a new image where they are empty (and the handlers unregistered).
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/executor/actor.h"
#include "harness/executor/util.h"
#include "harness/executor/wire_io.h"

// _Fork: glibc >= 2.34 (unistd.h, _GNU_SOURCE), musl >= 1.2.3. With an older
// glibc the step is an executor error ("unsupported"), never a silent pass.
#if defined(__GLIBC__) && !(__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#define FCP_NO_UFORK 1
#endif

namespace fcp {

namespace {

struct AtforkLog {
  uint32_t count;
  unsigned char events[FC_ATFORK_LOG_MAX];
};
AtforkLog g_atfork_log;

void LogEvent(int kind, int id) {
  // Beyond the bound the model refuses the program (oracles/libc.cc), so a
  // dropped event here shows up as a divergence, never as a pass.
  if (g_atfork_log.count < FC_ATFORK_LOG_MAX) {
    g_atfork_log.events[g_atfork_log.count++] = static_cast<unsigned char>((kind << 4) | id);
  }
}

template <int Id>
void Prepare() { LogEvent(FC_ATFORK_EV_PREPARE, Id); }
template <int Id>
void Parent() { LogEvent(FC_ATFORK_EV_PARENT, Id); }
template <int Id>
void Child() { LogEvent(FC_ATFORK_EV_CHILD, Id); }

using Handler = void (*)();
const Handler kPrepare[FC_MAX_ATFORK_ID + 1] = {Prepare<0>, Prepare<1>, Prepare<2>, Prepare<3>,
                                                Prepare<4>, Prepare<5>, Prepare<6>, Prepare<7>};
const Handler kParent[FC_MAX_ATFORK_ID + 1] = {Parent<0>, Parent<1>, Parent<2>, Parent<3>,
                                               Parent<4>, Parent<5>, Parent<6>, Parent<7>};
const Handler kChild[FC_MAX_ATFORK_ID + 1] = {Child<0>, Child<1>, Child<2>, Child<3>,
                                              Child<4>, Child<5>, Child<6>, Child<7>};

// One stream per scratch file, each with its own setvbuf buffer.
FILE* g_streams[FC_MAX_FILES];
char g_stream_buffers[FC_MAX_FILES][FC_STDIO_BUFSIZ];

FILE* StreamOf(StepCall& call) {
  int64_t file = call.arg(0);
  if (file < 0 || file >= FC_MAX_FILES || g_streams[file] == nullptr) {
    call.Fail("no stream on f%lld in this process image", static_cast<long long>(file));
    return nullptr;
  }
  return g_streams[file];
}

}  // namespace

// pthread_atfork(3p): "If no handling is desired at one or more of these
// three points, the corresponding fork handler address(es) may be set to NULL."
StepEnd OpAtfork(StepCall& call) {
  int64_t id = call.arg(0);
  int64_t which = call.arg(1);
  if (id < 0 || id > FC_MAX_ATFORK_ID) return call.Fail("atfork id %lld out of range", static_cast<long long>(id));
  int ret = pthread_atfork((which & FC_ATFORK_PREPARE) ? kPrepare[id] : nullptr,
                           (which & FC_ATFORK_PARENT) ? kParent[id] : nullptr,
                           (which & FC_ATFORK_CHILD) ? kChild[id] : nullptr);
  // pthread_atfork returns an error number, it does not set errno.
  call.Returned(ret == 0 ? 0 : -1, ret);
  return StepEnd::kFinish;
}

StepEnd OpAtforkLog(StepCall& call) {
  call.Returned(0, 0);
  if (!call.SetData(g_atfork_log.events, g_atfork_log.count)) return call.Fail("step data arena full");
  return StepEnd::kFinish;
}

// _Fork(): like OpFork (ops_process.cc), without the atfork handlers.
StepEnd OpUFork(StepCall& call) {
#ifdef FCP_NO_UFORK
  return call.Fail("unsupported: this libc has no _Fork (glibc < 2.34)");
#else
  ControlBlock* cb = call.cb();
  StepResult& result = call.result();
  const int child_actor = call.spec().out;
  pid_t pid = _Fork();
  if (pid == 0) {
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
    int64_t limit = MonotonicNs() + kChildReportWaitNs;
    if (limit > cb->deadline_ns) limit = cb->deadline_ns;
    while (LoadAcquire(&result.child_reported) == 0) {
      if (!FutexWaitUntil(&result.child_reported, 0, limit)) break;
    }
  }
  result.aux[1] = LoadAcquire(&result.child_reported);
  return StepEnd::kFinish;
#endif
}

// vfork(2): "the calling thread is suspended until the child terminates
// (either normally, by calling _exit(2), or abnormally ...)". The child
// calls nothing but _exit(0); the caller then reaps it.
StepEnd OpVforkExit(StepCall& call) {
  pid_t pid = vfork();
  if (pid == 0) _exit(0);
  int err = errno;
  call.Returned(pid, err);
  if (pid > 0) {
    int status = 0;
    pid_t got;
    do {
      got = waitpid(pid, &status, 0);
    } while (got == -1 && errno == EINTR);
    call.SetAux(0, got == pid ? status : -1);
  }
  return StepEnd::kFinish;
}

// fopen(3p) "w": O_WRONLY|O_CREAT|O_TRUNC; then fully buffered with our own
// buffer (setvbuf must come before any other operation on the stream).
StepEnd OpFopen(StepCall& call) {
  int64_t file = call.arg(0);
  if (file < 0 || file >= FC_MAX_FILES || g_streams[file] != nullptr) {
    return call.Fail("f%lld already has a stream in this process image", static_cast<long long>(file));
  }
  char name[8];
  snprintf(name, sizeof name, "f%d", static_cast<int>(file));
  FILE* f = fopen(name, "w");
  int err = errno;
  if (f == nullptr) {
    call.Returned(-1, err);
    return StepEnd::kFinish;
  }
  if (setvbuf(f, g_stream_buffers[file], _IOFBF, FC_STDIO_BUFSIZ) != 0) {
    return call.Fail("setvbuf(_IOFBF) failed");
  }
  g_streams[file] = f;
  int fd = fileno(f);
  call.Returned(fd, 0);
  struct stat st;
  if (fstat(fd, &st) == 0) call.SetAux(0, static_cast<int64_t>(st.st_ino));
  return StepEnd::kFinish;
}

StepEnd OpFputs(StepCall& call) {
  FILE* f = StreamOf(call);
  if (f == nullptr) return StepEnd::kAbort;
  const StepSpec& spec = call.spec();
  char text[FC_MAX_IO + 1];
  uint32_t n = spec.data_len <= FC_MAX_IO ? spec.data_len : FC_MAX_IO;
  memcpy(text, spec.data, n);
  text[n] = '\0';
  int ret = fputs(text, f);
  int err = errno;
  // fputs(3p): "a non-negative number" on success, EOF (with errno) on error.
  call.Returned(ret >= 0 ? 0 : -1, err);
  return StepEnd::kFinish;
}

StepEnd OpFflush(StepCall& call) {
  FILE* f = StreamOf(call);
  if (f == nullptr) return StepEnd::kAbort;
  int ret = fflush(f);
  call.Returned(ret == 0 ? 0 : -1, errno);
  return StepEnd::kFinish;
}

// ---- posix_spawn -----------------------------------------------------------

// posix_spawn(3p) of `fcp-exec spawned <actor> <step>` (or of the scratch
// file f0 with FC_SPAWN_BIN_SCRATCH), with one file action and the
// attributes the step names. The new image reports (SpawnedMain) before the
// turn is handed on, like a fork child.
StepEnd OpSpawn(StepCall& call) {
  ControlBlock* cb = call.cb();
  StepResult& result = call.result();
  const int child_actor = call.spec().out;
  const int64_t action = call.arg(0);
  const int fd = static_cast<int>(call.arg(1));
  const int64_t attrs = call.arg(2);
  const bool scratch = attrs & FC_SPAWN_BIN_SCRATCH;

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  if (posix_spawn_file_actions_init(&actions) != 0 || posix_spawnattr_init(&attr) != 0) {
    return call.Fail("posix_spawn: cannot initialise file actions or attributes");
  }
  int setup = 0;
  switch (action) {
    case FC_SPAWN_FA_OPEN:
      setup = posix_spawn_file_actions_addopen(&actions, fd, "f1", O_RDWR | O_CREAT, 0600);
      break;
    case FC_SPAWN_FA_CLOSE: setup = posix_spawn_file_actions_addclose(&actions, fd); break;
    case FC_SPAWN_FA_DUP2: setup = posix_spawn_file_actions_adddup2(&actions, fd, 0); break;
    case FC_SPAWN_FA_DUP2_SELF: setup = posix_spawn_file_actions_adddup2(&actions, fd, fd); break;
    default: break;
  }
  if (setup == 0 && (attrs & FC_SPAWN_SETSIGMASK)) {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR2);
    setup = posix_spawnattr_setsigmask(&attr, &mask);
    if (setup == 0) setup = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  }
  if (setup != 0) {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return call.Fail("posix_spawn: setting up the file action or attributes failed: %s",
                     strerror(setup));
  }
  char actor[16];
  char step[16];
  snprintf(actor, sizeof actor, "%d", child_actor);
  snprintf(step, sizeof step, "%d", call.index());
  char arg0[] = "fcp-exec";
  char arg1[] = "spawned";
  char* argv[] = {arg0, arg1, actor, step, nullptr};
  // No fd-based posix_spawn exists: the executor binary (kSelfExeFd, not
  // FD_CLOEXEC) by its /proc/self/fd path, resolved in the child.
  char path[32];
  if (scratch) {
    snprintf(path, sizeof path, "f0");
  } else {
    snprintf(path, sizeof path, "/proc/self/fd/%d", kSelfExeFd);
  }
  pid_t pid = 0;
  int err = posix_spawn(&pid, path, &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  StoreRelease(&cb->actor_pid[child_actor], err == 0 ? static_cast<int32_t>(pid) : kActorFailed);
  // posix_spawn returns an error number; errno is not set.
  call.Returned(err == 0 ? pid : -1, err);
  if (err == 0 && !scratch) {
    // Hand the turn on only once the new image has reported.
    int64_t limit = MonotonicNs() + kChildReportWaitNs;
    if (limit > cb->deadline_ns) limit = cb->deadline_ns;
    while (LoadAcquire(&result.child_reported) == 0) {
      if (!FutexWaitUntil(&result.child_reported, 0, limit)) break;
    }
  }
  result.aux[1] = LoadAcquire(&result.child_reported);
  return StepEnd::kFinish;
}

// `fcp-exec spawned <actor> <step>`: the image a posix_spawn step made. It
// reports its descriptors (as an exec'd image does) and its signal mask into
// the spawning step's result, then runs actor <actor>'s remaining steps.
int SpawnedMain(int argc, char** argv) {
  if (argc != 4) {
    Diag("spawned: usage: fcp-exec spawned <actor> <step> (internal)");
    return FC_EXIT_USAGE;
  }
  int actor = 0, step = 0;
  for (int which = 2; which <= 3; ++which) {
    int v = 0;
    const char* s = argv[which];
    if (*s == '\0') _exit(FC_EXIT_HARNESS);
    for (; *s != '\0'; ++s) {
      if (*s < '0' || *s > '9' || v > 100000) _exit(FC_EXIT_HARNESS);
      v = v * 10 + (*s - '0');
    }
    (which == 2 ? actor : step) = v;
  }
  if (actor <= 0 || actor >= FC_MAX_ACTORS || step >= FC_MAX_STEPS) _exit(FC_EXIT_HARNESS);
  void* addr =
      mmap(nullptr, sizeof(ControlBlock), PROT_READ | PROT_WRITE, MAP_SHARED, kControlFd, 0);
  if (addr == MAP_FAILED) _exit(FC_EXIT_HARNESS);
  ControlBlock* cb = static_cast<ControlBlock*>(addr);
  if (cb->magic != kControlMagic) _exit(FC_EXIT_HARNESS);
  if (step >= cb->nsteps || cb->steps[step].out != actor || cb->steps[step].op != kOpSpawn) {
    RecordError(cb, step, "spawned: the control block does not match the spawned actor and step");
    _exit(FC_EXIT_HARNESS);
  }
  g_process.cb = cb;
  g_process.actor = actor;
  NoCoreDumps();
  if (cb->mode == kModeSubreaper) ArmSafetyAlarm(cb);
  StepCall call(cb, step);
  StepResult& result = call.result();
  char report[64 * 1024];
  uint32_t n = WriteFdReport(report, sizeof report);
  if (!call.SetData(report, n)) {
    call.Fail("step data arena full");
    _exit(FC_EXIT_HARNESS);
  }
  sigset_t blocked;
  sigemptyset(&blocked);
  sigprocmask(SIG_BLOCK, nullptr, &blocked);
  int64_t bits = 0;
  for (int sig = 1; sig <= FC_MAX_SIGNAL; ++sig) {
    if (sigismember(&blocked, sig) == 1) bits |= int64_t{1} << sig;
  }
  result.aux[0] = bits;
  StoreRelease(&result.child_reported, 1u);
  FutexWakeAll(&result.child_reported);
  RunActor(step + 1);
}

}  // namespace fcp
