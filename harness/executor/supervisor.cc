#include "harness/executor/supervisor.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/executor/actor.h"
#include "harness/executor/control.h"
#include "harness/executor/util.h"
#include "harness/executor/wire_io.h"

namespace fcp {

namespace {

// Fork-bomb guard: pids.max of the server's cgroup, or the RLIMIT_NPROC
// headroom above the processes the user already has.
constexpr int kPidsMax = 512;
// How long the reaper sleeps between looks at the turn when no signal came.
constexpr int64_t kReaperPollNs = 50LL * 1000 * 1000;
// After the deadline the reaper gives up by itself this much later (the
// server's watchdog normally kills it at the deadline).
constexpr int64_t kReaperGraceNs = 1000LL * 1000 * 1000;
// How long the server (subreaper mode) and the janitor keep killing and
// reaping leftovers.
constexpr int64_t kCleanupNs = 5000LL * 1000 * 1000;
constexpr const char kCgroupPidsRoot[] = "/sys/fs/cgroup/pids";
constexpr const char kCgroupPrefix[] = "forkconf-";
constexpr const char kScratchPrefix[] = "forkconf-scratch-";
constexpr const char kTmpfsScratchRoot[] = "/tmp/fcp-scratch";

/* ---- process groups and sessions (issue 4, groups) ---- */
// Subreaper mode: actors that left P0's process group (setpgid, setsid)
// survive the group kill; once their parents are dead they are our children
// (we are a subreaper). Kills each actor that is our child now, through a
// pidfd taken before checking that it is our child (waitid(P_PIDFD) fails
// with ECHILD otherwise), so a recycled pid is never signalled. Returns
// whether it killed anything. Without pidfds (Linux < 5.4) it does nothing.
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
bool KillActorChildren(ControlBlock* cb) {
  bool killed = false;
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_send_signal)
  for (int a = 0; a < FC_MAX_ACTORS; ++a) {
    const int32_t pid = LoadAcquire(&cb->actor_pid[a]);
    if (pid <= 1) continue;
    UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd.valid()) continue;
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd.get()), &info,
               WEXITED | WNOHANG | WNOWAIT) != 0) {
      continue;  // ECHILD: not our child (yet)
    }
    if (syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0) == 0) killed = true;
  }
#else
  (void)cb;
#endif
  return killed;
}

// ---- small file helpers ---------------------------------------------------

bool WriteFile(const char* path, const char* text) {
  UniqueFd fd(open(path, O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  size_t n = strlen(text);
  return RetryEintr([&] { return write(fd.get(), text, n); }) == static_cast<ssize_t>(n);
}

// Reads up to size-1 bytes, NUL-terminated. Returns the length or -1.
ssize_t ReadFile(const char* path, char* buf, size_t size) {
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return -1;
  size_t used = 0;
  while (used + 1 < size) {
    ssize_t n = RetryEintr([&] { return read(fd.get(), buf + used, size - 1 - used); });
    if (n <= 0) break;
    used += static_cast<size_t>(n);
  }
  buf[used] = '\0';
  return static_cast<ssize_t>(used);
}

// "<prefix><pid>" -> pid, or -1.
long PidSuffix(const char* name, const char* prefix) {
  size_t plen = strlen(prefix);
  if (strncmp(name, prefix, plen) != 0 || name[plen] == '\0') return -1;
  long pid = 0;
  for (const char* p = name + plen; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9' || pid > 100000000) return -1;
    pid = pid * 10 + (*p - '0');
  }
  return pid;
}

bool ProcessGone(long pid) {
  return kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH;
}

// Removes `name` under `dirfd`, recursing into directories (bounded depth,
// never following symlinks). Scratch trees are two levels deep.
void RemoveTreeAt(int parent_fd, const char* name, int depth) {
  if (unlinkat(parent_fd, name, 0) == 0 || errno == ENOENT) return;
  if (depth > 4) return;
  int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  DIR* dir = fdopendir(fd);
  if (dir == nullptr) {
    close(fd);
    return;
  }
  while (struct dirent* e = readdir(dir)) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    RemoveTreeAt(dirfd(dir), e->d_name, depth + 1);
  }
  closedir(dir);
  unlinkat(parent_fd, name, AT_REMOVEDIR);
}

void CloseRange(unsigned first, unsigned last) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, first, last, 0) == 0) return;
#endif
  struct rlimit rl;
  unsigned limit = 65536;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < limit) {
    limit = static_cast<unsigned>(rl.rlim_cur);
  }
  for (unsigned fd = first; fd <= last && fd < limit; ++fd) close(static_cast<int>(fd));
}

int PidfdOpen(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  errno = ENOSYS;
  return -1;
#endif
}

// clone(CLONE_NEWPID | SIGCHLD) with fork semantics (no new stack: the
// child continues on a copy of the caller's stack). The child is pid 1 of a
// new pid namespace. Only the reaper runs in such a child, and it uses libc
// fork() to create actors, which resets the libc's thread state.
pid_t ForkIntoNewPidns() {
  return static_cast<pid_t>(syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0));
}

// Tries CLONE_NEWPID once with a child that exits at once.
bool PidnsWorks() {
  pid_t pid = ForkIntoNewPidns();
  if (pid == 0) _exit(0);
  if (pid < 0) return false;
  int status = 0;
  RetryEintr([&] { return waitpid(pid, &status, 0); });
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// unshare(CLONE_NEWUSER) with the caller's uid/gid mapped to themselves, so
// that the caller gets CAP_SYS_ADMIN over the namespaces it creates next.
bool EnterUserns() {
  uid_t uid = getuid();
  gid_t gid = getgid();
  if (unshare(CLONE_NEWUSER) != 0) return false;
  char map[64];
  WriteFile("/proc/self/setgroups", "deny");
  snprintf(map, sizeof map, "%u %u 1\n", static_cast<unsigned>(uid), static_cast<unsigned>(uid));
  if (!WriteFile("/proc/self/uid_map", map)) return false;
  snprintf(map, sizeof map, "%u %u 1\n", static_cast<unsigned>(gid), static_cast<unsigned>(gid));
  return WriteFile("/proc/self/gid_map", map);
}

// Runs `fn` in a child process and reports whether it exited 0.
template <typename Fn>
bool InChild(Fn fn) {
  pid_t pid = fork();
  if (pid == 0) _exit(fn() ? 0 : 1);
  if (pid < 0) return false;
  int status = 0;
  RetryEintr([&] { return waitpid(pid, &status, 0); });
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

const char* TmpDir() {
  const char* dir = getenv("TMPDIR");
  return (dir != nullptr && dir[0] == '/') ? dir : "/tmp";
}

// The directory of the server's current pids cgroup (v1), e.g.
// "/sys/fs/cgroup/pids" or "/sys/fs/cgroup/pids/some/path".
bool CurrentPidsCgroupDir(char* out, size_t size) {
  struct stat st;
  if (stat(kCgroupPidsRoot, &st) != 0 || !S_ISDIR(st.st_mode)) return false;
  char text[4096];
  const char* rel = "/";
  if (ReadFile("/proc/self/cgroup", text, sizeof text) > 0) {
    // Lines "N:controllers:/path"; find the one whose controllers include pids.
    for (char* line = text; line != nullptr && *line != '\0';) {
      char* next = strchr(line, '\n');
      if (next != nullptr) *next++ = '\0';
      char* c1 = strchr(line, ':');
      char* c2 = c1 != nullptr ? strchr(c1 + 1, ':') : nullptr;
      if (c2 != nullptr) {
        *c2 = '\0';
        for (char* tok = c1 + 1; tok != nullptr;) {
          char* comma = strchr(tok, ',');
          if (comma != nullptr) *comma = '\0';
          if (strcmp(tok, "pids") == 0) rel = c2 + 1;
          tok = comma != nullptr ? comma + 1 : nullptr;
        }
      }
      line = next;
    }
  }
  int n = snprintf(out, size, "%s%s", kCgroupPidsRoot, strcmp(rel, "/") == 0 ? "" : rel);
  return n > 0 && static_cast<size_t>(n) < size;
}

// ---- janitor ------------------------------------------------------------------

// Cleans up what a server leaves behind when it dies without doing so itself
// (SIGKILL): kills what is still in its cgroup (only this server's
// processes live there), removes the cgroup, removes the fallback scratch
// dir. Mount namespaces need nothing: they die with their last process.
[[noreturn]] void JanitorMain(int wake_fd, const char* cgroup_dir, const char* scratch_root) {
  char byte;
  while (RetryEintr([&] { return read(wake_fd, &byte, 1); }) > 0) {
  }
  int64_t give_up = MonotonicNs() + kCleanupNs;
  if (cgroup_dir[0] != '\0') {
    char procs[PATH_MAX + 32];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", cgroup_dir);
    while (rmdir(cgroup_dir) != 0 && errno != ENOENT && MonotonicNs() < give_up) {
      char pids[8192];
      if (ReadFile(procs, pids, sizeof pids) > 0) {
        for (char* p = pids; *p != '\0';) {
          long pid = strtol(p, &p, 10);
          if (pid > 1) kill(static_cast<pid_t>(pid), SIGKILL);
          while (*p == '\n') ++p;
        }
      }
      SleepNs(20 * 1000 * 1000);
    }
  }
  if (scratch_root[0] != '\0') RemoveTreeAt(AT_FDCWD, scratch_root, 0);
  _exit(0);
}

// Double fork, so the janitor is not our child (the server reaps every
// child it has as belonging to the current run) and survives us.
int SpawnJanitor(const char* cgroup_dir, const char* scratch_root) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    if (fork() != 0) _exit(0);
    setsid();  // out of the caller's process group: group kills miss it
    prctl(PR_SET_NAME, "fcp-janitor");
    int null_fd = open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; ++fd) dup2(null_fd, fd);
    dup2(fds[0], 3);
    CloseRange(4, ~0U);
    if (chdir("/") != 0) {
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    JanitorMain(3, cgroup_dir, scratch_root);
  }
  close(fds[0]);
  if (pid < 0) {
    close(fds[1]);
    return -1;
  }
  RetryEintr([&] { return waitpid(pid, nullptr, 0); });
  return MoveFdAbove(fds[1], kFirstPrivateFd, true);
}

// ---- the server ------------------------------------------------------------

class Server {
 public:
  explicit Server(int input_fd) : reader_(input_fd), out_(STDOUT_FILENO) {}
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  bool Setup(const char* argv0);
  int Loop();
  void Teardown();

 private:
  void SetupCgroup();
  void SetupNamespaces();
  void SetupScratchRoot();
  bool SetupControlBlock();
  void SweepStale();
  void RunProgram(const Program& program);
  [[noreturn]] void RunReaper();
  void KillAndReapAfterTimeout(pid_t reaper);
  void PrintResult(const Program& program, const char* end, const char* message);

  LineReader reader_;
  OutputBuffer out_;
  Program program_;
  ControlBlock* cb_ = nullptr;
  RunMode mode_ = kModeSubreaper;
  pid_t server_pid_ = 0;
  int server_pidfd_ = -1;
  int janitor_fd_ = -1;
  bool in_cgroup_ = false;
  char cgroup_parent_[PATH_MAX] = {};
  char cgroup_dir_[PATH_MAX + 64] = {};
  char fallback_scratch_[PATH_MAX] = {};
  char scratch_root_[PATH_MAX] = {};
  bool scratch_is_fallback_ = false;
};

bool Server::Setup(const char* argv0) {
  server_pid_ = getpid();
  // Die with our parent. prctl(2): PR_SET_PDEATHSIG "is cleared for the
  // child of a fork"; check the parent did not die before we set it.
  pid_t parent = getppid();
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) {
    Diag("parent died during startup");
    return false;
  }
  // Room for the reserved descriptors 1000..~1010. The usual soft limit
  // (1024) is enough and is left alone: actors inherit it.
  constexpr rlim_t kNeededFds = 1024;
  struct rlimit nofile;
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < kNeededFds) {
    nofile.rlim_cur = nofile.rlim_max == RLIM_INFINITY || nofile.rlim_max > kNeededFds
                          ? kNeededFds
                          : nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);
    if (nofile.rlim_cur < kNeededFds) {
      Diag("RLIMIT_NOFILE hard limit %lu is too low: need >= %lu",
           static_cast<unsigned long>(nofile.rlim_max), static_cast<unsigned long>(kNeededFds));
      return false;
    }
  }
  // SIGPIPE ignored: the model assumes writes to a pipe without readers
  // fail with EPIPE. Inherited by every actor; all else stays default.
  signal(SIGPIPE, SIG_IGN);
  // SIGCHLD blocked: the watchdog waits for the reaper with sigtimedwait.
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, nullptr);

  // The executor's own binary, for exec steps.
  int self = open("/proc/self/exe", O_PATH);
  if (self < 0 && argv0 != nullptr && strchr(argv0, '/') != nullptr) self = open(argv0, O_PATH);
  if (self < 0 || !MoveFdTo(self, kSelfExeFd)) {
    Diag("cannot open the executor binary (/proc/self/exe): %s", strerror(errno));
    return false;
  }
  if (!SetupControlBlock()) return false;

  SweepStale();
  SetupCgroup();
  snprintf(fallback_scratch_, sizeof fallback_scratch_, "%s/%s%d", TmpDir(), kScratchPrefix,
           static_cast<int>(server_pid_));
  janitor_fd_ = SpawnJanitor(cgroup_dir_, fallback_scratch_);
  if (janitor_fd_ < 0)
    Diag("no janitor (cleanup after SIGKILL is not guaranteed): %s", strerror(errno));
  if (cgroup_dir_[0] != '\0') {
    char procs[sizeof cgroup_dir_ + 32], pid[24];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", cgroup_dir_);
    snprintf(pid, sizeof pid, "%d", static_cast<int>(server_pid_));
    in_cgroup_ = WriteFile(procs, pid);
    if (!in_cgroup_) {
      rmdir(cgroup_dir_);
      cgroup_dir_[0] = '\0';
    }
  }
  if (!in_cgroup_) {
    // RLIMIT_NPROC counts every process of the real uid (and is ignored for
    // root, i.e. CAP_SYS_RESOURCE/CAP_SYS_ADMIN): headroom above the count.
    long count = 0;
    if (DIR* proc = opendir("/proc")) {
      uid_t uid = getuid();
      while (struct dirent* e = readdir(proc)) {
        struct stat st;
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9' &&
            fstatat(dirfd(proc), e->d_name, &st, 0) == 0 && st.st_uid == uid)
          ++count;
      }
      closedir(proc);
    }
    struct rlimit nproc;
    if (count > 0 && getrlimit(RLIMIT_NPROC, &nproc) == 0) {
      rlim_t want = static_cast<rlim_t>(count + kPidsMax);
      if (nproc.rlim_max != RLIM_INFINITY && want > nproc.rlim_max) want = nproc.rlim_max;
      if (nproc.rlim_cur == RLIM_INFINITY || nproc.rlim_cur > want) {
        nproc.rlim_cur = want;
        setrlimit(RLIMIT_NPROC, &nproc);
      }
    }
  }
  SetupNamespaces();
  SetupScratchRoot();
  if (mode_ == kModeSubreaper) prctl(PR_SET_CHILD_SUBREAPER, 1);
  server_pidfd_ = MoveFdAbove(PidfdOpen(server_pid_), kFirstPrivateFd, true);
  return scratch_root_[0] != '\0';
}

bool Server::SetupControlBlock() {
  int fd = memfd_create("fcp-control", 0);  // no MFD_CLOEXEC: exec'd images re-map it
  if (fd < 0 || ftruncate(fd, sizeof(ControlBlock)) != 0 || !MoveFdTo(fd, kControlFd)) {
    Diag("cannot create the control memfd: %s", strerror(errno));
    return false;
  }
  void* addr =
      mmap(nullptr, sizeof(ControlBlock), PROT_READ | PROT_WRITE, MAP_SHARED, kControlFd, 0);
  if (addr == MAP_FAILED) {
    Diag("cannot map the control block: %s", strerror(errno));
    return false;
  }
  cb_ = static_cast<ControlBlock*>(addr);
  g_process.cb = cb_;
  return true;
}

// Stale leftovers of servers that died without cleaning up (and without a
// janitor): empty forkconf-<pid> cgroups, forkconf-scratch-<pid> dirs.
void Server::SweepStale() {
  char parent[PATH_MAX];
  if (CurrentPidsCgroupDir(parent, sizeof parent)) {
    if (DIR* dir = opendir(parent)) {
      while (struct dirent* e = readdir(dir)) {
        long pid = PidSuffix(e->d_name, kCgroupPrefix);
        if (pid > 0 && ProcessGone(pid)) unlinkat(dirfd(dir), e->d_name, AT_REMOVEDIR);
      }
      closedir(dir);
    }
  }
  if (DIR* dir = opendir(TmpDir())) {
    while (struct dirent* e = readdir(dir)) {
      long pid = PidSuffix(e->d_name, kScratchPrefix);
      if (pid > 0 && ProcessGone(pid)) RemoveTreeAt(dirfd(dir), e->d_name, 0);
    }
    closedir(dir);
  }
}

void Server::SetupCgroup() {
  if (!CurrentPidsCgroupDir(cgroup_parent_, sizeof cgroup_parent_)) return;
  snprintf(cgroup_dir_, sizeof cgroup_dir_, "%s/%s%d", cgroup_parent_, kCgroupPrefix,
           static_cast<int>(server_pid_));
  if (mkdir(cgroup_dir_, 0755) != 0 && errno != EEXIST) {
    cgroup_dir_[0] = '\0';
    return;
  }
  char path[sizeof cgroup_dir_ + 32], value[16];
  snprintf(path, sizeof path, "%s/pids.max", cgroup_dir_);
  snprintf(value, sizeof value, "%d", kPidsMax);
  if (!WriteFile(path, value)) {
    rmdir(cgroup_dir_);
    cgroup_dir_[0] = '\0';
  }
}

// Test hooks, to exercise the fallbacks on a machine that has everything:
//   FCP_EXEC_FORCE_SUBREAPER=1  no pid namespaces: child subreaper mode
//   FCP_EXEC_NO_MOUNTNS=1       no private tmpfs: scratch under $TMPDIR
bool EnvFlag(const char* name) {
  const char* value = getenv(name);
  return value != nullptr && strcmp(value, "1") == 0;
}

void Server::SetupNamespaces() {
  if (EnvFlag("FCP_EXEC_FORCE_SUBREAPER")) {
    mode_ = kModeSubreaper;
    return;
  }
  if (PidnsWorks()) {
    mode_ = kModePidns;
    return;
  }
  // Not privileged: a user namespace gives us CAP_SYS_ADMIN over the pid and
  // mount namespaces we create from inside it (user_namespaces(7)).
  if (EnterUserns() && PidnsWorks()) {
    mode_ = kModePidns;
    return;
  }
  Diag("no pid namespaces (%s): running in subreaper mode", strerror(errno));
  mode_ = kModeSubreaper;
}

// Scratch files live on a tmpfs mounted over /tmp in a private mount
// namespace: it vanishes with the server, even on SIGKILL. Fallback: a
// directory under $TMPDIR that we (or the janitor) remove.
void Server::SetupScratchRoot() {
  if (!EnvFlag("FCP_EXEC_NO_MOUNTNS") && unshare(CLONE_NEWNS) == 0 &&
      mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
      mount("fcp-scratch", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700,size=64m") == 0 &&
      mkdir(kTmpfsScratchRoot, 0700) == 0) {
    snprintf(scratch_root_, sizeof scratch_root_, "%s", kTmpfsScratchRoot);
    return;
  }
  if (mkdir(fallback_scratch_, 0700) == 0 || errno == EEXIST) {
    snprintf(scratch_root_, sizeof scratch_root_, "%s", fallback_scratch_);
    scratch_is_fallback_ = true;
    return;
  }
  Diag("cannot create a scratch directory %s: %s", fallback_scratch_, strerror(errno));
}

void Server::Teardown() {
  if (scratch_is_fallback_) RemoveTreeAt(AT_FDCWD, scratch_root_, 0);
  if (in_cgroup_) {
    char procs[sizeof cgroup_dir_ + 32], pid[24];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", cgroup_parent_);
    snprintf(pid, sizeof pid, "%d", static_cast<int>(server_pid_));
    WriteFile(procs, pid);
    rmdir(cgroup_dir_);
  }
  if (janitor_fd_ >= 0) close(janitor_fd_);
}

int Server::Loop() {
  char message[256];
  for (;;) {
    ParseStatus status = ReadProgram(reader_, &program_, message, sizeof message);
    switch (status) {
      case ParseStatus::kEof: return FC_EXIT_OK;
      case ParseStatus::kSyntax:
        out_.Put("E error 0 ");
        out_.Put(message);
        out_.PutChar('\n');
        out_.Flush();
        Diag("%s", message);
        return FC_EXIT_USAGE;
      case ParseStatus::kInvalid:
        memset(cb_, 0, kControlResetBytes);
        cb_->progress = -1;  // nothing started: E error 0
        PrintResult(program_, "error", message);
        break;
      case ParseStatus::kProgram: RunProgram(program_); break;
    }
    if (!out_.Flush()) return FC_EXIT_USAGE;  // the reader went away
  }
}

void Server::RunProgram(const Program& program) {
  ControlBlock* cb = cb_;
  memset(cb, 0, kControlResetBytes);
  cb->magic = kControlMagic;
  cb->nsteps = program.nsteps;
  cb->progress = -1;
  cb->mode = mode_;
  memcpy(cb->steps, program.steps, sizeof(StepSpec) * program.nsteps);
  /* ---- pid namespaces (issue 4, pidns) ---- */
  // A pidns program needs the reaper to be able to make a pid namespace for
  // P0: without pid namespaces it is a target error, never a pass.
  cb->pidns = program.pidns;
  if (program.pidns && mode_ != kModePidns) {
    PrintResult(program, "error",
                "pid namespaces unavailable: a pidns program needs them (the executor runs in "
                "subreaper mode)");
    return;
  }
  const int64_t start = MonotonicNs();
  cb->deadline_ns = start + program.timeout_ms * 1000000LL;

  char scratch[PATH_MAX + kMaxIdBytes + 2];
  snprintf(scratch, sizeof scratch, "%s/%s", scratch_root_, program.id);
  if ((mkdir(scratch, 0700) != 0 && errno != EEXIST) ||
      !MoveFdTo(open(scratch, O_PATH | O_DIRECTORY), kScratchDirFd)) {
    char message[sizeof scratch + 64];
    snprintf(message, sizeof message, "cannot create scratch dir %s: %s", scratch, strerror(errno));
    PrintResult(program, "error", message);
    return;
  }

  pid_t reaper = mode_ == kModePidns ? ForkIntoNewPidns() : fork();
  if (reaper == 0) RunReaper();
  const char* end = "ok";
  char message[256];
  snprintf(message, sizeof message, "all steps ran");
  if (reaper < 0) {
    snprintf(message, sizeof message, "cannot start the reaper: %s", strerror(errno));
    RecordError(cb, -1, message);
  } else {
    // Watchdog: the reaper must be done by the program's deadline.
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    int status = 0;
    bool reaped = false;
    for (;;) {
      pid_t r = waitpid(reaper, &status, __WALL | WNOHANG);
      if (r == reaper) {
        reaped = true;
        break;
      }
      int64_t left = cb->deadline_ns - MonotonicNs();
      if (left <= 0) break;
      struct timespec ts = NsToTimespec(left);
      sigtimedwait(&chld, nullptr, &ts);
    }
    if (!reaped) {
      end = "timeout";
      snprintf(message, sizeof message, "watchdog fired after %lld ms",
               static_cast<long long>(program.timeout_ms));
      KillAndReapAfterTimeout(reaper);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      snprintf(message, sizeof message, "reaper ended with wait status 0x%x", status);
      RecordError(cb, -1, message);
    }
  }
  if (cb->reaper_pid == 0) cb->reaper_pid = mode_ == kModePidns ? 1 : (reaper > 0 ? reaper : 0);
  if (LoadSeqCst(&cb->error_set) != 0 && strcmp(end, "ok") == 0) {
    end = "error";
    snprintf(message, sizeof message, "%s", cb->error_msg);
  }
  PrintResult(program, end, message);

  // Empty the scratch dir: the only files a program can create are f0..f7.
  for (int i = 0; i < FC_MAX_FILES; ++i) {
    char name[8];
    snprintf(name, sizeof name, "f%d", i);
    unlinkat(kScratchDirFd, name, 0);
  }
  close(kScratchDirFd);
  if (rmdir(scratch) != 0) RemoveTreeAt(AT_FDCWD, scratch, 0);
}

void Server::KillAndReapAfterTimeout(pid_t reaper) {
  ControlBlock* cb = cb_;
  StoreSeqCst(&cb->over, 1u);  // nothing that returns from now on is recorded
  // pidns mode: killing the namespace's init kills every process in it
  // (pid_namespaces(7)). Subreaper mode: the actors are in P0's process
  // group; we are a subreaper ourselves, so orphans come back to us.
  if (reaper > 0) kill(reaper, SIGKILL);
  // Never kill(-1) or our own group: only a real group led by P0.
  pid_t group = mode_ == kModeSubreaper ? LoadAcquire(&cb->actor_pid[0]) : 0;
  if (group <= 1 || group == server_pid_ || getpgid(group) != group) group = 0;
  if (group > 0) kill(-group, SIGKILL);
  RetryEintr([&] { return waitpid(reaper, nullptr, __WALL); });
  if (mode_ != kModeSubreaper) return;
  int64_t give_up = MonotonicNs() + kCleanupNs;
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  for (;;) {
    pid_t r = waitpid(-1, nullptr, __WALL | WNOHANG);
    if (r > 0) continue;
    if (r < 0 || MonotonicNs() >= give_up) break;  // ECHILD: all gone
    if (group > 0) kill(-group, SIGKILL);
    KillActorChildren(cb);  // issue 4 (groups): actors that left P0's group
    struct timespec ts = NsToTimespec(10 * 1000 * 1000);
    sigtimedwait(&chld, nullptr, &ts);
  }
}

[[noreturn]] void Server::RunReaper() {
  ControlBlock* cb = cb_;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_NAME, "fcp-reaper");
  // The server may have died before PDEATHSIG was set. In a new pid
  // namespace getppid() is 0, so ask the server's pidfd.
  if (server_pidfd_ >= 0) {
    struct pollfd pfd = {server_pidfd_, POLLIN, 0};
    if (poll(&pfd, 1, 0) != 0) _exit(FC_EXIT_HARNESS);
  } else if (mode_ == kModeSubreaper && getppid() != server_pid_) {
    _exit(FC_EXIT_HARNESS);
  }
  // fds 0, 1, 2: one open file description of /dev/null, O_RDWR. Nothing
  // else below 1000; of ours only the control memfd, the binary and the
  // scratch dir stay.
  int null_fd = open("/dev/null", O_RDWR);
  if (null_fd < 0) {
    char message[128];
    snprintf(message, sizeof message, "reaper: cannot open /dev/null: %s", strerror(errno));
    RecordError(cb, -1, message);
    _exit(FC_EXIT_HARNESS);
  }
  for (int fd = 0; fd < 3; ++fd) {
    if (null_fd != fd) dup2(null_fd, fd);
  }
  if (null_fd > 2) close(null_fd);
  CloseRange(3, FC_MAX_PROGRAM_FD);
  CloseRange(kFirstPrivateFd, ~0U);
  if (fchdir(kScratchDirFd) != 0) {
    RecordError(cb, -1, "reaper: cannot enter the scratch dir");
    _exit(FC_EXIT_HARNESS);
  }
  // A session of its own: signals meant for the runner's process group or
  // terminal never reach the actors, which inherit it.
  setsid();
  sigset_t wake;
  sigemptyset(&wake);
  sigaddset(&wake, SIGCHLD);
  sigaddset(&wake, SIGUSR1);
  sigprocmask(SIG_BLOCK, &wake, nullptr);
  if (mode_ == kModeSubreaper) prctl(PR_SET_CHILD_SUBREAPER, 1);
  StoreSeqCst(&cb->reaper_pid, static_cast<int32_t>(getpid()));

  /* ---- pid namespaces (issue 4, pidns) ---- */
  // unshare(2) CLONE_NEWPID: "the calling process's children [are placed]
  // in a new PID namespace"; the caller stays outside it. The reaper's only
  // child is P0, which is then pid 1 of the new namespace.
  bool pidns_failed = false;
  if (cb->pidns && unshare(CLONE_NEWPID) != 0) {
    char message[128];
    snprintf(message, sizeof message, "pid namespaces unavailable: unshare(CLONE_NEWPID): %s",
             strerror(errno));
    RecordError(cb, -1, message);
    pidns_failed = true;
  }
  pid_t p0 = pidns_failed ? -1 : fork();
  if (p0 == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // P0 leads the process group every actor stays in (no op changes
    // groups), in both modes; in subreaper mode it is what gets killed.
    setpgid(0, 0);
    NoCoreDumps();  // issue 4
    if (mode_ == kModeSubreaper) ArmSafetyAlarm(cb);
    // Our pid, as the reaper's fork returned it (same namespace), before
    // any step can ask for it; the reaper stores the same value.
    StoreSeqCst(&cb->actor_pid[0], static_cast<int32_t>(getpid()));
    prctl(PR_SET_NAME, "fcp-actor");
    g_process.actor = 0;
    RunActor(0);
  }
  if (p0 < 0 && !pidns_failed) {
    char message[128];
    snprintf(message, sizeof message, "reaper: cannot fork P0: %s", strerror(errno));
    RecordError(cb, -1, message);
  } else if (p0 > 0) {
    setpgid(p0, p0);  // also here: no race with the kill at the end
    // issue 4, pidns: P0 stores its own pid (1, in its namespace), which is
    // what the actors see; ours is the outer one.
    if (!cb->pidns) StoreSeqCst(&cb->actor_pid[0], static_cast<int32_t>(p0));
  }

  // Reap whatever dies under us (P0, orphans) until the last step has run.
  const int64_t give_up = cb->deadline_ns + kReaperGraceNs;
  for (;;) {
    while (waitpid(-1, nullptr, __WALL | WNOHANG) > 0) {
    }
    if (static_cast<int>(LoadAcquire(&cb->turn)) >= cb->nsteps ||
        LoadAcquire(&cb->error_set) != 0 || p0 < 0)
      break;
    int64_t now = MonotonicNs();
    if (now >= give_up) break;
    if (cb->pidns) {
      // issue 4, pidns: from inside P0's namespace no actor can signal the
      // reaper (pid 1 there is P0), so wait for the turn to move instead:
      // AdvanceTurn wakes every waiter on it, the last step included. Its
      // only child is P0, reaped at the next pass.
      const uint32_t turn = LoadAcquire(&cb->turn);
      int64_t limit = now + kReaperPollNs;
      if (limit > give_up) limit = give_up;
      if (static_cast<int>(turn) < cb->nsteps) FutexWaitUntil(&cb->turn, turn, limit);
      continue;
    }
    struct timespec ts = NsToTimespec(kReaperPollNs);
    sigtimedwait(&wake, nullptr, &ts);
  }
  // Steps predicted to have returned by the end get their bounded wait.
  if (LoadAcquire(&cb->error_set) == 0) {
    WaitForPredictedReturns(cb, cb->nsteps);
    SettleForeverSteps(cb);
  }
  StoreSeqCst(&cb->over, 1u);
  // kill(2): "If pid equals -1, then sig is sent to every process for which
  // the calling process has permission to send signals, except for process
  // 1 (init)" -- from the namespace's init, that is exactly the namespace.
  if (mode_ == kModePidns && getpid() == 1) {
    kill(-1, SIGKILL);
  } else if (p0 > 1) {
    kill(-p0, SIGKILL);
  }
  for (;;) {
    // issue 4 (groups): actors outside P0's group, once they are ours.
    if (!(mode_ == kModePidns && getpid() == 1)) KillActorChildren(cb);
    pid_t r = waitpid(-1, nullptr, __WALL);
    if (r < 0 && errno != EINTR) break;  // ECHILD: everything is reaped
  }
  _exit(0);
}

void Server::PrintResult(const Program& program, const char* end, const char* message) {
  ControlBlock* cb = cb_;
  out_.Put("BEGIN ");
  out_.Put(program.id);
  out_.Put("\nH ");
  out_.Put(mode_ == kModePidns ? "pidns " : "subreaper ");
  out_.PutInt(cb->reaper_pid);
  out_.PutChar('\n');
  for (int a = 0; a < FC_MAX_ACTORS; ++a) {
    if (cb->actor_pid[a] <= 0) continue;
    out_.Put("A ");
    out_.PutInt(a);
    out_.PutChar(' ');
    out_.PutInt(cb->actor_pid[a]);
    out_.PutChar('\n');
  }
  for (int i = 0; i < cb->nsteps && i < program.nsteps; ++i) {
    const StepResult& r = cb->results[i];
    const char* state = nullptr;
    switch (r.state) {
      case kStarted:
      case kGaveUp: state = "blocked"; break;
      case kDone: state = "done"; break;
      case kLate: state = "late"; break;
      default: continue;  // not started
    }
    out_.Put("R ");
    out_.PutInt(i);
    out_.PutChar(' ');
    out_.Put(state);
    bool returned = r.state == kDone || r.state == kLate;
    int64_t fields[6] = {r.ret, r.err, r.aux[0], r.aux[1], r.aux[2], r.aux[3]};
    for (int64_t f : fields) {
      out_.PutChar(' ');
      out_.PutInt(returned ? f : 0);
    }
    out_.PutChar(' ');
    bool data_ok = returned && r.data_off <= kArenaBytes && r.data_len <= kArenaBytes - r.data_off;
    out_.PutHex(reinterpret_cast<const uint8_t*>(cb->arena) + (data_ok ? r.data_off : 0),
                data_ok ? r.data_len : 0);
    out_.PutChar('\n');
  }
  // <turn>: for ok the turn counter (nsteps); otherwise the next step not
  // started. (The counter itself can still point at a started step: one
  // that blocked although the model said it would return.)
  int64_t turn = LoadAcquire(&cb->turn);
  if (strcmp(end, "ok") != 0) turn = static_cast<int64_t>(LoadAcquire(&cb->progress)) + 1;
  out_.Put("E ");
  out_.Put(end);
  out_.PutChar(' ');
  out_.PutInt(turn);
  out_.PutChar(' ');
  // One line: no newlines in the message.
  for (const char* p = message; *p != '\0'; ++p) out_.PutChar(*p == '\n' ? ' ' : *p);
  out_.PutChar('\n');
}

}  // namespace

int ServeMain(const char* input_path, const char* argv0) {
  int input_fd = STDIN_FILENO;
  if (input_path != nullptr) {
    // Opened before the mount namespace hides anything under /tmp.
    input_fd = MoveFdAbove(open(input_path, O_RDONLY | O_CLOEXEC), kFirstPrivateFd, true);
    if (input_fd < 0) {
      char message[PATH_MAX + 64];
      snprintf(message, sizeof message, "cannot open %s: %s", input_path, strerror(errno));
      Diag("%s", message);
      ssize_t ignored = write(STDOUT_FILENO, "E error 0 ", 10);
      ignored = write(STDOUT_FILENO, message, strlen(message));
      ignored = write(STDOUT_FILENO, "\n", 1);
      (void)ignored;
      return FC_EXIT_USAGE;
    }
  }
  // ~100 KiB of buffers: keep them off the static data and on the stack
  // of the one server process.
  Server server(input_fd);
  if (!server.Setup(argv0)) {
    server.Teardown();
    const char msg[] = "E error 0 executor setup failed (see stderr)\n";
    ssize_t ignored = write(STDOUT_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    return FC_EXIT_USAGE;
  }
  int status = server.Loop();
  server.Teardown();
  return status;
}

int ProbeMain() {
  bool pidns = PidnsWorks();
  bool userns = InChild([] { return unshare(CLONE_NEWUSER) == 0; });
  bool pidns_via_userns = !pidns && InChild([] { return EnterUserns() && PidnsWorks(); });
  bool mountns = InChild([] {
    if (unshare(CLONE_NEWNS) == 0) return true;
    return EnterUserns() && unshare(CLONE_NEWNS) == 0;
  });
  int pidfd = PidfdOpen(getpid());
  bool has_pidfd = pidfd >= 0;
  if (pidfd >= 0) close(pidfd);
  bool pids_cgroup = false;
  char parent[PATH_MAX];
  if (CurrentPidsCgroupDir(parent, sizeof parent)) {
    char dir[PATH_MAX + 64];
    snprintf(dir, sizeof dir, "%s/%sprobe-%d", parent, kCgroupPrefix, static_cast<int>(getpid()));
    if (mkdir(dir, 0755) == 0) {
      pids_cgroup = true;
      rmdir(dir);
    }
  }
  char text[256];
  int n = snprintf(
      text, sizeof text, "pidns %s\nuserns %s\nmountns %s\npidfd %s\npids_cgroup %s\nmode %s\n",
      pidns ? "yes" : "no", userns ? "yes" : "no", mountns ? "yes" : "no", has_pidfd ? "yes" : "no",
      pids_cgroup ? "yes" : "no", pidns || pidns_via_userns ? "pidns" : "subreaper");
  ssize_t ignored = write(STDOUT_FILENO, text, static_cast<size_t>(n));
  (void)ignored;
  return FC_EXIT_OK;
}

}  // namespace fcp
