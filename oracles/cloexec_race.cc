// The close-on-exec race model (issue 5). See cloexec_race.h; every rule is
// quoted in spec/cloexec_race.md.
#include "oracles/cloexec_race.h"

namespace fc::oracle::race {
namespace {

// Rules every trial rests on: the child gets copies of the descriptors
// (fork, or the vfork/posix_spawn child's copy), exec keeps exactly those
// without FD_CLOEXEC.
const std::vector<std::string> kExec = {"man:fork:FDS:1", "posix:exec:CLOEXEC:1",
                                        "man:fcntl:FD_CLOEXEC:1"};
const std::vector<std::string> kAll = {"fork", "vfork", "spawn"};

std::vector<PathInfo> make_paths() {
  std::vector<PathInfo> p;
  auto atomic = [&](std::string name, std::string rule, std::string how) {
    p.push_back({std::move(name), Kind::Atomic, kAll, {std::move(rule)}, std::move(how)});
  };
  atomic("open_cloexec", "man:open:CLOEXEC:1", "open(\"/dev/null\", O_RDONLY|O_CLOEXEC)");
  atomic("openat_cloexec", "man:open:CLOEXEC:1", "openat(AT_FDCWD, \"/dev/null\", O_CLOEXEC)");
  atomic("pipe2", "man:pipe:O_CLOEXEC:1", "pipe2(fds, O_CLOEXEC)");
  atomic("dup3", "man:dup:DUP3_CLOEXEC:1", "dup3(src, 900+t, O_CLOEXEC)");
  atomic("dupfd_cloexec", "man:fcntl:F_DUPFD_CLOEXEC:1", "fcntl(src, F_DUPFD_CLOEXEC, 0)");
  atomic("accept4", "man:accept:SOCK_CLOEXEC:1", "accept4(listener, 0, 0, SOCK_CLOEXEC)");
  atomic("socket", "man:socket:SOCK_CLOEXEC:1", "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0)");
  atomic("socketpair", "man:socketpair:FLAGS:1", "socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC)");
  atomic("memfd", "man:memfd_create:MFD_CLOEXEC:1", "memfd_create(name, MFD_CLOEXEC)");
  atomic("eventfd", "man:eventfd:EFD_CLOEXEC:1", "eventfd(0, EFD_CLOEXEC)");
  atomic("epoll", "man:epoll_create:EPOLL_CLOEXEC:1", "epoll_create1(EPOLL_CLOEXEC)");
  atomic("signalfd", "man:signalfd:SFD_CLOEXEC:1", "signalfd(-1, {SIGUSR2}, SFD_CLOEXEC)");
  atomic("timerfd", "man:timerfd_create:TFD_CLOEXEC:1", "timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)");
  atomic("inotify", "man:inotify_init:IN_CLOEXEC:1", "inotify_init1(IN_CLOEXEC)");
  p.push_back({"open_fcntl", Kind::Racy, kAll, {"man:open:CLOEXEC_RACE:1"},
               "open(\"/dev/null\", O_RDONLY); spin; fcntl(fd, F_SETFD, FD_CLOEXEC)"});
  p.push_back({"open_close_range", Kind::Racy, kAll,
               {"man:open:CLOEXEC_RACE:1", "man:close_range:CLOSE_RANGE_CLOEXEC:1"},
               "open(\"/dev/null\", O_RDONLY); spin; close_range(fd, fd, CLOSE_RANGE_CLOEXEC)"});
  p.push_back({"fa_adddup2", Kind::KeptByExec, {"spawn"},
               {"posix:posix_spawn_file_actions_adddup2:SAME_FD:1"},
               "open(O_CLOEXEC) before; posix_spawn_file_actions_adddup2(fd, fd)"});
  p.push_back({"fa_addclose", Kind::Atomic, {"spawn"},
               {"posix:posix_spawn_file_actions_addclose:CLOSE:1"},
               "open() without O_CLOEXEC before; posix_spawn_file_actions_addclose(fd)"});
  p.push_back({"atfork_cloexec", Kind::Atomic, {"fork"},
               {"posix:pthread_atfork:HANDLERS:1", "man:open:CLOEXEC:1"},
               "prepare and child handlers open(O_CLOEXEC)"});
  p.push_back({"atfork_plain", Kind::KeptByExec, {"fork"}, {"posix:pthread_atfork:HANDLERS:1"},
               "child handler open() without O_CLOEXEC (prepare handler opens nothing)"});
  return p;
}

}  // namespace

const std::vector<PathInfo>& paths() {
  static const std::vector<PathInfo> all = make_paths();
  return all;
}

const PathInfo* find_path(const std::string& name) {
  for (const PathInfo& p : paths()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const std::vector<std::string>& spawners() { return kAll; }

std::string Allowed::text() const {
  if (min_held == max_held) return std::to_string(min_held);
  return std::to_string(min_held) + ".." + std::to_string(max_held);
}

Allowed allowed(const PathInfo& path, int created, const Profile& profile) {
  Allowed a;
  a.rules = path.rules;
  a.rules.insert(a.rules.end(), kExec.begin(), kExec.end());
  Kind kind = path.kind;
  // PLANTED BUG (tests only): pipe2's O_CLOEXEC ignored by the model.
  if (profile.planted_bug == Profile::PlantedBug::Pipe2KeepsFds && path.name == "pipe2") {
    kind = Kind::KeptByExec;
  }
  switch (kind) {
    case Kind::Atomic: a.min_held = a.max_held = 0; break;
    // man:open:CLOEXEC_RACE:1 "Depending on the order of execution": the
    // fork may fall before the open (not copied), between the open and the
    // mark (copied without FD_CLOEXEC: kept), or after the mark (closed).
    case Kind::Racy: a.min_held = 0; a.max_held = created; break;
    case Kind::KeptByExec: a.min_held = a.max_held = created; break;
  }
  return a;
}

}  // namespace fc::oracle::race
