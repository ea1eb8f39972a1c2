// Close-on-exec race trials (issue 5). See race.h for the command line and
// oracles/cloexec_race.h for what each path may and may not leak.
//
// One trial: THREADS creator threads and the main thread (the spawner) wait
// at a spin barrier; released together, each creator makes its descriptors
// by the path under test while the spawner, after a per-trial delay that
// sweeps the racy window, starts `fcp-exec race-report` by fork+execve,
// vfork+execve or posix_spawn. The exec'd image writes the report of every
// descriptor 0..999 it holds (fd:ino:...) to kRaceReportFd; a created
// descriptor counts as held when the image has the same number with the same
// inode. On the racy paths the creator spins between the open and the
// fcntl(F_SETFD, FD_CLOEXEC) (or close_range(CLOSE_RANGE_CLOEXEC)) that
// marks it, which is the window a concurrent fork can fall into.
//
// Containment: the harness starts `fcp-exec race` itself (one process per
// batch). It sets PR_SET_PDEATHSIG, then runs every trial in a new pid
// namespace (through a user namespace when unprivileged) whose init reaps,
// and at the end kill(-1)s, everything in it; the outer process is the
// watchdog and SIGKILLs the init at TIMEOUT_MS, which kills the namespace.
// The number of processes is bounded by construction (one child per trial,
// waited for before the next; THREADS <= kMaxThreads). Without pid
// namespaces the trials run in a child that leads its own process group,
// which the watchdog kills.
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64
#endif

#include "harness/executor/race.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/executor/ops.h"
#include "harness/executor/util.h"
#include "harness/executor/wire_io.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif

extern char** environ;

namespace fcp {
namespace {

// The exec'd image writes its report here; not FD_CLOEXEC, above the
// descriptors a report covers (0..999) and the serve mode's reserved ones.
constexpr int kRaceReportFd = 1010;
constexpr int kMaxThreads = 16;
constexpr int kMaxTrials = 1000000;
constexpr int kMaxFdsPerThread = 2;
// Spin iterations between a racy open and its fcntl(F_SETFD), and the range
// of the spawner's delay after the release (swept over the trials).
constexpr unsigned kRacyWindowSpins = 150000;
constexpr unsigned kSpawnerDelaySpins = 250000;
constexpr int kSequencedEvery = 4;

enum class Path {
  kOpenCloexec, kOpenatCloexec, kPipe2, kDup3, kDupfdCloexec, kAccept4, kSocket, kSocketpair,
  kMemfd, kEventfd, kEpoll, kSignalfd, kTimerfd, kInotify,
  kOpenFcntl, kOpenCloseRange,        // racy: created plain, marked later
  kFaAdddup2, kFaAddclose,            // posix_spawn file actions
  kAtforkCloexec, kAtforkPlain,       // pthread_atfork handlers open descriptors
};

struct PathName {
  const char* name;
  Path path;
};
// Names shared with oracles/cloexec_race.cc.
constexpr PathName kPaths[] = {
    {"open_cloexec", Path::kOpenCloexec},   {"openat_cloexec", Path::kOpenatCloexec},
    {"pipe2", Path::kPipe2},                {"dup3", Path::kDup3},
    {"dupfd_cloexec", Path::kDupfdCloexec}, {"accept4", Path::kAccept4},
    {"socket", Path::kSocket},              {"socketpair", Path::kSocketpair},
    {"memfd", Path::kMemfd},                {"eventfd", Path::kEventfd},
    {"epoll", Path::kEpoll},                {"signalfd", Path::kSignalfd},
    {"timerfd", Path::kTimerfd},            {"inotify", Path::kInotify},
    {"open_fcntl", Path::kOpenFcntl},       {"open_close_range", Path::kOpenCloseRange},
    {"fa_adddup2", Path::kFaAdddup2},       {"fa_addclose", Path::kFaAddclose},
    {"atfork_cloexec", Path::kAtforkCloexec}, {"atfork_plain", Path::kAtforkPlain},
};

enum class Spawner { kFork, kVfork, kSpawn };

// ---- state shared by the spawner and the creators --------------------------

struct Shared {
  Path path;
  int threads;
  uint32_t go;      // the barrier: creators spin until it is 1
  uint32_t ready;   // creators waiting at the barrier
  uint32_t done;    // creators that have made their descriptors
  int fds[kMaxThreads][kMaxFdsPerThread];
  int errs[kMaxThreads];
  // Setup-time descriptors (all FD_CLOEXEC): dup sources, the listener and
  // one connected client per creator, the atfork marker.
  int dup_src;
  int listener;
  int clients[kMaxThreads];
  int marker;
  long long marker_ino;
  // atfork: the descriptor the prepare handler opened (closed by the
  // parent handler); nonzero when the handlers are active.
  int atfork_mode;  // 0 off, 1 O_CLOEXEC, 2 plain
  int prepare_fd;
};
Shared g;

inline void Spin(unsigned n) {
  for (unsigned i = 0; i < n; ++i) __asm__ __volatile__("" ::: "memory");
}

// "/proc/self/fd/<marker>", made before any fork: the child handler runs in
// a forked child of a multithreaded process and only calls open/fcntl.
char g_marker_path[48];

int OpenMarker(int flags) {
  int fd = open(g_marker_path, O_RDONLY | flags);
  if (fd < 0) fd = fcntl(g.marker, (flags & O_CLOEXEC) ? F_DUPFD_CLOEXEC : F_DUPFD, 0);
  return fd;
}

// pthread_atfork(3): "prepare ... is called before fork() processing starts
// ... parent ... is called after fork() processing completes in the parent
// ... child ... in the child process".
void AtforkPrepare() {
  if (g.atfork_mode != 1) return;  // atfork_plain: only the child handler opens
  g.prepare_fd = OpenMarker(O_CLOEXEC);
}
void AtforkParent() {
  if (g.atfork_mode == 0) return;
  if (g.prepare_fd >= 0) close(g.prepare_fd);
  g.prepare_fd = -1;
}
void AtforkChild() {
  if (g.atfork_mode == 0) return;
  OpenMarker(g.atfork_mode == 1 ? O_CLOEXEC : 0);  // stays open: exec decides
}

// Creates this creator's descriptors by `path`; returns 0 or an errno.
int Create(Path path, int t, int* out) {
  out[0] = out[1] = -1;
  switch (path) {
    case Path::kOpenCloexec: out[0] = open("/dev/null", O_RDONLY | O_CLOEXEC); break;
    case Path::kOpenatCloexec: out[0] = openat(AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC); break;
    case Path::kPipe2: return pipe2(out, O_CLOEXEC) == 0 ? 0 : errno;
    case Path::kDup3: out[0] = dup3(g.dup_src, 900 + t, O_CLOEXEC); break;
    case Path::kDupfdCloexec: out[0] = fcntl(g.dup_src, F_DUPFD_CLOEXEC, 0); break;
    case Path::kAccept4: out[0] = accept4(g.listener, nullptr, nullptr, SOCK_CLOEXEC); break;
    case Path::kSocket: out[0] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0); break;
    case Path::kSocketpair:
      return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out) == 0 ? 0 : errno;
    case Path::kMemfd: out[0] = memfd_create("fcp-race", MFD_CLOEXEC); break;
    case Path::kEventfd: out[0] = eventfd(0, EFD_CLOEXEC); break;
    case Path::kEpoll: out[0] = epoll_create1(EPOLL_CLOEXEC); break;
    case Path::kSignalfd: {
      sigset_t mask;
      sigemptyset(&mask);
      sigaddset(&mask, SIGUSR2);
      out[0] = signalfd(-1, &mask, SFD_CLOEXEC);
      break;
    }
    case Path::kTimerfd: out[0] = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC); break;
    case Path::kInotify: out[0] = inotify_init1(IN_CLOEXEC); break;
    case Path::kOpenFcntl:
    case Path::kOpenCloseRange: {
      // The racy way: open(2) without O_CLOEXEC, mark it later.
      int fd = open("/dev/null", O_RDONLY);
      if (fd < 0) return errno;
      out[0] = fd;
      Spin(kRacyWindowSpins);
      int r = path == Path::kOpenFcntl
                  ? fcntl(fd, F_SETFD, FD_CLOEXEC)
                  : static_cast<int>(syscall(SYS_close_range, fd, fd, CLOSE_RANGE_CLOEXEC));
      return r == 0 ? 0 : errno;
    }
    case Path::kFaAdddup2: out[0] = open("/dev/null", O_RDONLY | O_CLOEXEC); break;
    case Path::kFaAddclose: out[0] = open("/dev/null", O_RDONLY); break;
    case Path::kAtforkCloexec:
    case Path::kAtforkPlain:
      // Background work; the descriptors under test come from the handlers.
      out[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
      break;
  }
  return out[0] >= 0 ? 0 : errno;
}

bool SetupTime(Path path) { return path == Path::kFaAdddup2 || path == Path::kFaAddclose; }

void* Creator(void* arg) {
  int t = static_cast<int>(reinterpret_cast<intptr_t>(arg));
  __atomic_add_fetch(&g.ready, 1, __ATOMIC_SEQ_CST);
  // Yielding while waiting: with more runnable threads than cores, a pure
  // spin would starve the spawner until the next scheduler tick.
  while (__atomic_load_n(&g.go, __ATOMIC_ACQUIRE) == 0) sched_yield();
  if (!SetupTime(g.path)) g.errs[t] = Create(g.path, t, g.fds[t]);
  __atomic_add_fetch(&g.done, 1, __ATOMIC_SEQ_CST);
  return nullptr;
}

// ---- output -------------------------------------------------------------------

void Out(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void Out(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  size_t len = static_cast<size_t>(n) < sizeof buf ? static_cast<size_t>(n) : sizeof buf - 1;
  size_t done = 0;
  while (done < len) {
    ssize_t w = RetryEintr([&] { return write(STDOUT_FILENO, buf + done, len - done); });
    if (w <= 0) _exit(FC_EXIT_HARNESS);  // the reader went away
    done += static_cast<size_t>(w);
  }
}

// ---- one trial ------------------------------------------------------------------

char g_self[4096];
char g_report[64 * 1024];

// Starts the report image; returns its pid or -1 (errno set).
pid_t SpawnReport(Spawner spawner, const int* fa_fds, int nfa) {
  char arg0[] = "fcp-exec";
  char arg1[] = "race-report";
  char* argv[] = {arg0, arg1, nullptr};
  switch (spawner) {
    case Spawner::kFork: {
      pid_t pid = fork();
      if (pid == 0) {
        execve(g_self, argv, environ);
        _exit(127);
      }
      return pid;
    }
    case Spawner::kVfork: {
      pid_t pid = vfork();
      if (pid == 0) {
        execve(g_self, argv, environ);
        _exit(127);
      }
      return pid;
    }
    case Spawner::kSpawn: {
      posix_spawn_file_actions_t fa;
      posix_spawn_file_actions_init(&fa);
      for (int i = 0; i < nfa; ++i) {
        // posix_spawn_file_actions_adddup2(3) (POSIX 2024, glibc >= 2.29):
        // "If fildes and newfildes are equal, then the action shall ensure
        // that newfildes is inherited by the new process with FD_CLOEXEC clear".
        if (g.path == Path::kFaAdddup2) posix_spawn_file_actions_adddup2(&fa, fa_fds[i], fa_fds[i]);
        if (g.path == Path::kFaAddclose) posix_spawn_file_actions_addclose(&fa, fa_fds[i]);
      }
      pid_t pid = -1;
      int err = posix_spawn(&pid, g_self, &fa, nullptr, argv, environ);
      posix_spawn_file_actions_destroy(&fa);
      if (err != 0) {
        errno = err;
        return -1;
      }
      return pid;
    }
  }
  return -1;
}

// Reads the report line (ends with '\n') from `fd` within 5 s.
bool ReadReport(int fd) {
  size_t used = 0;
  int64_t deadline = MonotonicNs() + 5000LL * 1000 * 1000;
  while (used + 1 < sizeof g_report) {
    int64_t left = (deadline - MonotonicNs()) / 1000000;
    if (left <= 0) return false;
    struct pollfd pfd = {fd, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left)) <= 0) continue;
    ssize_t n = RetryEintr([&] { return read(fd, g_report + used, sizeof g_report - 1 - used); });
    if (n <= 0) return false;
    used += static_cast<size_t>(n);
    if (g_report[used - 1] == '\n') {
      g_report[used] = '\0';
      return true;
    }
  }
  return false;
}

// Does the report list descriptor `fd` with inode `ino`?
bool Held(int fd, long long ino) {
  for (const char* p = g_report; *p != '\0' && *p != '\n';) {
    char* end = nullptr;
    long rfd = strtol(p, &end, 10);
    if (end == p || *end != ':') return false;
    long long rino = strtoll(end + 1, &end, 10);
    if (rfd == fd && rino == ino) return true;
    p = strchr(end, ';');
    if (p == nullptr) break;
    ++p;
  }
  return false;
}

// Descriptors in the report whose inode is `ino` (the atfork marker's).
int CountIno(long long ino) {
  int n = 0;
  for (const char* p = g_report; *p != '\0' && *p != '\n';) {
    char* end = nullptr;
    long fd = strtol(p, &end, 10);
    if (end == p || *end != ':') break;
    if (strtoll(end + 1, &end, 10) == ino && fd != g.marker) ++n;
    p = strchr(end, ';');
    if (p == nullptr) break;
    ++p;
  }
  return n;
}

long long InoOf(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 ? static_cast<long long>(st.st_ino) : -1;
}

// Runs one trial; prints its T line, or an E error line and returns false.
bool Trial(int trial, Spawner spawner, int report_rd) {
  const int k = g.threads;
  memset(g.fds, -1, sizeof g.fds);
  memset(g.errs, 0, sizeof g.errs);
  g.go = 0;
  g.ready = 0;
  g.done = 0;
  if (SetupTime(g.path)) {
    for (int t = 0; t < k; ++t) g.errs[t] = Create(g.path, t, g.fds[t]);
  }
  if (g.path == Path::kAccept4) {
    // One pending connection per creator (the listener's backlog holds them).
    for (int t = 0; t < k; ++t) {
      g.clients[t] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      struct sockaddr_un addr;
      socklen_t len = sizeof addr;
      getsockname(g.listener, reinterpret_cast<sockaddr*>(&addr), &len);
      if (connect(g.clients[t], reinterpret_cast<sockaddr*>(&addr), len) != 0) {
        Out("E error %d connect for accept4: %s\n", trial, strerror(errno));
        return false;
      }
    }
  }
  pthread_t tids[kMaxThreads];
  for (int t = 0; t < k; ++t) {
    int err = pthread_create(&tids[t], nullptr, Creator, reinterpret_cast<void*>(intptr_t{t}));
    if (err != 0) {
      for (int u = 0; u < t; ++u) pthread_join(tids[u], nullptr);
      Out("E error %d pthread_create: %s\n", trial, strerror(err));
      return false;
    }
  }
  while (__atomic_load_n(&g.ready, __ATOMIC_ACQUIRE) < static_cast<uint32_t>(k)) sched_yield();
  // The spawner's delay sweeps the window (a multiplicative hash of the trial).
  unsigned delay = (static_cast<unsigned>(trial) * 2654435761u) % kSpawnerDelaySpins;
  int fa_fds[kMaxThreads];
  for (int t = 0; t < k; ++t) fa_fds[t] = g.fds[t][0];
  g.atfork_mode = g.path == Path::kAtforkCloexec ? 1 : g.path == Path::kAtforkPlain ? 2 : 0;
  __atomic_store_n(&g.go, 1, __ATOMIC_RELEASE);
  // Every kSequencedEvery-th trial is sequenced: the spawner waits until the
  // descriptors exist, so a flag that does not work is seen whatever the
  // timing; the others race, the spawner's delay sweeping the window.
  if (trial % kSequencedEvery == kSequencedEvery - 1) {
    while (__atomic_load_n(&g.done, __ATOMIC_ACQUIRE) < static_cast<uint32_t>(k)) sched_yield();
  } else {
    Spin(delay);
  }
  pid_t child = SpawnReport(spawner, fa_fds, k);
  int spawn_errno = errno;
  g.atfork_mode = 0;
  for (int t = 0; t < k; ++t) pthread_join(tids[t], nullptr);
  bool ok = true;
  if (child < 0) {
    Out("E error %d cannot start the report image: %s\n", trial, strerror(spawn_errno));
    ok = false;
  } else {
    bool got = ReadReport(report_rd);
    int status = 0;
    RetryEintr([&] { return waitpid(child, &status, 0); });
    if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      Out("E error %d the report image failed (wait status 0x%x)\n", trial, status);
      ok = false;
    }
  }
  int created = 0, held = 0;
  for (int t = 0; t < k && ok; ++t) {
    if (g.errs[t] != 0) {
      Out("E error %d creator %d: %s\n", trial, t, strerror(g.errs[t]));
      ok = false;
    }
  }
  if (ok && (g.path == Path::kAtforkCloexec || g.path == Path::kAtforkPlain)) {
    // Prepare handler (O_CLOEXEC) + child handler for atfork_cloexec; the
    // child handler's plain descriptor for atfork_plain.
    created = spawner == Spawner::kFork ? (g.path == Path::kAtforkCloexec ? 2 : 1) : 0;
    held = CountIno(g.marker_ino);
  } else if (ok) {
    for (int t = 0; t < k; ++t) {
      for (int i = 0; i < kMaxFdsPerThread; ++i) {
        int fd = g.fds[t][i];
        if (fd < 0) continue;
        ++created;
        if (Held(fd, InoOf(fd))) ++held;
      }
    }
  }
  for (int t = 0; t < k; ++t) {
    for (int i = 0; i < kMaxFdsPerThread; ++i) {
      if (g.fds[t][i] >= 0) close(g.fds[t][i]);
    }
    if (g.path == Path::kAccept4 && g.clients[t] >= 0) close(g.clients[t]);
    g.clients[t] = -1;
  }
  if (ok) Out("T %d %d %d\n", trial, created, held);
  return ok;
}

[[noreturn]] void Worker(Path path, Spawner spawner, int trials, int threads) {
  g.path = path;
  g.threads = threads;
  g.prepare_fd = -1;
  for (int t = 0; t < kMaxThreads; ++t) g.clients[t] = -1;
  // Descriptors a trial's creators use as sources: all FD_CLOEXEC, made
  // before any trial, so never counted.
  g.dup_src = open("/dev/null", O_RDONLY | O_CLOEXEC);
  g.marker = memfd_create("fcp-race-marker", MFD_CLOEXEC);
  g.marker_ino = g.marker >= 0 ? InoOf(g.marker) : -1;
  snprintf(g_marker_path, sizeof g_marker_path, "/proc/self/fd/%d", g.marker);
  g.listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  // unix(7): autobind "if a bind(2) call specifies addrlen as
  // sizeof(sa_family_t) ... the socket is autobound to an abstract address".
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (g.dup_src < 0 || g.marker < 0 || g.listener < 0 ||
      bind(g.listener, reinterpret_cast<sockaddr*>(&addr), sizeof(sa_family_t)) != 0 ||
      listen(g.listener, kMaxThreads * 2) != 0) {
    Out("E error 0 race setup: %s\n", strerror(errno));
    _exit(0);
  }
  if (path == Path::kAtforkCloexec || path == Path::kAtforkPlain) {
    pthread_atfork(AtforkPrepare, AtforkParent, AtforkChild);
  }
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0 || dup2(report[1], kRaceReportFd) != kRaceReportFd) {
    Out("E error 0 report pipe: %s\n", strerror(errno));
    _exit(0);
  }
  close(report[1]);  // kRaceReportFd (not FD_CLOEXEC) is the write end children inherit
  for (int trial = 0; trial < trials; ++trial) {
    if (!Trial(trial, spawner, report[0])) _exit(0);
  }
  Out("E ok %d\n", trials);
  _exit(0);
}

// ---- containment ----------------------------------------------------------------

bool WriteText(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  size_t n = strlen(text);
  bool ok = write(fd, text, n) == static_cast<ssize_t>(n);
  close(fd);
  return ok;
}

// user_namespaces(7): a user namespace gives CAP_SYS_ADMIN over the pid
// namespaces created from inside it.
bool EnterUserns() {
  uid_t uid = getuid();
  gid_t gid = getgid();
  if (unshare(CLONE_NEWUSER) != 0) return false;
  char map[64];
  WriteText("/proc/self/setgroups", "deny");
  snprintf(map, sizeof map, "%u %u 1\n", static_cast<unsigned>(uid), static_cast<unsigned>(uid));
  if (!WriteText("/proc/self/uid_map", map)) return false;
  snprintf(map, sizeof map, "%u %u 1\n", static_cast<unsigned>(gid), static_cast<unsigned>(gid));
  return WriteText("/proc/self/gid_map", map);
}

pid_t CloneNewPidns() {
  return static_cast<pid_t>(syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0));
}

bool ParseInt(const char* text, int lo, int hi, int* out) {
  char* end = nullptr;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < lo || v > hi) return false;
  *out = static_cast<int>(v);
  return true;
}

}  // namespace

int RaceReportMain() {
  // One line: the fd report (WriteFdReport, as the exec step's) and '\n'.
  static char buf[60 * 1024];
  uint32_t n = WriteFdReport(buf, sizeof buf - 1);
  buf[n++] = '\n';
  size_t done = 0;
  while (done < n) {
    ssize_t w = RetryEintr([&] { return write(kRaceReportFd, buf + done, n - done); });
    if (w <= 0) _exit(FC_EXIT_HARNESS);
    done += static_cast<size_t>(w);
  }
  _exit(0);
}

int RaceMain(int argc, char** argv) {
  const char* usage =
      "usage: fcp-exec race PATH fork|vfork|spawn TRIALS THREADS TIMEOUT_MS";
  if (argc != 7) {
    Out("E error 0 %s\n", usage);
    Diag("%s", usage);
    return FC_EXIT_USAGE;
  }
  const PathName* found = nullptr;
  for (const PathName& p : kPaths) {
    if (strcmp(p.name, argv[2]) == 0) found = &p;
  }
  Spawner spawner = Spawner::kFork;
  bool spawner_ok = true;
  if (strcmp(argv[3], "fork") == 0) spawner = Spawner::kFork;
  else if (strcmp(argv[3], "vfork") == 0) spawner = Spawner::kVfork;
  else if (strcmp(argv[3], "spawn") == 0) spawner = Spawner::kSpawn;
  else spawner_ok = false;
  int trials = 0, threads = 0, timeout_ms = 0;
  const char* bad = found == nullptr ? "unknown path"
                    : !spawner_ok ? "unknown spawner (fork, vfork, spawn)"
                    : !ParseInt(argv[4], 1, kMaxTrials, &trials) ? "TRIALS must be 1..1000000"
                    : !ParseInt(argv[5], 1, kMaxThreads, &threads) ? "THREADS must be 1..16"
                    : !ParseInt(argv[6], 1, 3600 * 1000, &timeout_ms) ? "TIMEOUT_MS must be 1..3600000"
                                                                     : nullptr;
  if (bad == nullptr && (found->path == Path::kAtforkCloexec || found->path == Path::kAtforkPlain) &&
      spawner != Spawner::kFork)
    bad = "atfork paths need the fork spawner (pthread_atfork handlers run for fork only)";
  if (bad == nullptr && (found->path == Path::kFaAdddup2 || found->path == Path::kFaAddclose) &&
      spawner != Spawner::kSpawn)
    bad = "file-action paths need the spawn spawner";
  if (bad != nullptr) {
    Out("E error 0 %s: %s %s %s %s %s\n", bad, argv[2], argv[3], argv[4], argv[5], argv[6]);
    Diag("%s (%s)", bad, usage);
    return FC_EXIT_USAGE;
  }
  ssize_t len = readlink("/proc/self/exe", g_self, sizeof g_self - 1);
  if (len <= 0) {
    Out("E error 0 cannot read /proc/self/exe: %s\n", strerror(errno));
    return FC_EXIT_USAGE;
  }
  g_self[len] = '\0';

  pid_t parent = getppid();
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) return FC_EXIT_HARNESS;
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, nullptr);

  const char* mode = "pidns";
  pid_t init = CloneNewPidns();
  if (init < 0 && EnterUserns()) init = CloneNewPidns();
  if (init < 0) {
    mode = "pgroup";
    init = fork();
    if (init == 0) setpgid(0, 0);
  }
  if (init == 0) {
    // The namespace's init (or the process-group leader): reaps, and kills
    // whatever is left when the worker is done.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    Out("RACE %s %s %d %d %s\n", argv[2], argv[3], trials, threads, mode);
    pid_t worker = fork();
    if (worker == 0) {
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      Worker(found->path, spawner, trials, threads);
    }
    int status = 0;
    for (;;) {
      pid_t r = waitpid(-1, &status, __WALL);
      if (r == worker || (r < 0 && errno != EINTR)) break;
    }
    if (getpid() == 1) kill(-1, SIGKILL);  // kill(2): all but init, in the namespace
    else kill(-getpid(), SIGKILL);
    while (waitpid(-1, nullptr, __WALL) > 0 || errno == EINTR) {
    }
    _exit(worker > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : FC_EXIT_HARNESS);
  }
  if (init < 0) {
    Out("E error 0 cannot start the trial process: %s\n", strerror(errno));
    return FC_EXIT_USAGE;
  }
  // Watchdog.
  const int64_t deadline = MonotonicNs() + timeout_ms * 1000000LL;
  int status = 0;
  for (;;) {
    pid_t r = waitpid(init, &status, WNOHANG);
    if (r == init) break;
    int64_t left = deadline - MonotonicNs();
    if (left <= 0) {
      kill(init, SIGKILL);
      if (strcmp(mode, "pgroup") == 0) kill(-init, SIGKILL);
      RetryEintr([&] { return waitpid(init, nullptr, 0); });
      Out("E timeout 0 watchdog fired after %d ms\n", timeout_ms);
      return FC_EXIT_OK;
    }
    struct timespec ts = NsToTimespec(left);
    sigtimedwait(&chld, nullptr, &ts);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Out("E error 0 trial process ended with wait status 0x%x\n", status);
  }
  return FC_EXIT_OK;
}

}  // namespace fcp
