#include "harness/gen/generator.h"

#include <algorithm>
#include <optional>

#include "oracles/state.h"  // issue 4 (groups): job_control_bias reads groups and stops

namespace fc {

std::uint64_t Rng::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t case_seed(std::uint64_t seed, const std::string& suite, std::uint64_t index) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a of the suite name
  for (unsigned char c : suite) h = (h ^ c) * 1099511628211ULL;
  Rng mix(seed ^ h ^ (index * 0x9e3779b97f4a7c15ULL));
  return mix.next();
}

namespace {

// ---- small argument generators ---------------------------------------------
// Each looks at the acting process as the model sees it and mostly returns a
// value that makes the call succeed, sometimes one that aims at an error.

struct ArgContext {
  Rng& rng;
  const GenProfile& profile;
  const oracle::ActorView& self;
  const std::vector<oracle::ActorView>& all;
};

std::int64_t gen_fd(ArgContext& c) {
  if (!c.self.fds.empty() && !c.rng.percent(c.profile.invalid_arg_percent)) {
    // Prefer descriptors the program made over the inherited 0, 1, 2.
    std::vector<int> own;
    for (int fd : c.self.fds) {
      if (fd > 2) own.push_back(fd);
    }
    if (!own.empty() && c.rng.percent(85)) return c.rng.pick(own);
    return c.rng.pick(c.self.fds);
  }
  return c.rng.percent(20) ? -1 : c.rng.range(0, 12);  // EBADF candidates
}

std::int64_t gen_target_fd(ArgContext& c) {  // dup2/dup3 newfd, F_DUPFD minimum
  if (!c.self.fds.empty() && c.rng.percent(30)) return c.rng.pick(c.self.fds);
  return c.rng.range(0, 12);
}

std::int64_t gen_pidsel(ArgContext& c) {
  int roll = static_cast<int>(c.rng.below(100));
  if (!c.self.children.empty() && roll < 60) return c.rng.pick(c.self.children);
  if (roll < 80) return FC_PIDSEL_ANY;
  if (roll < 88) return FC_PIDSEL_PGRP;
  // Not a child: ECHILD. Any actor named so far (self, parent, sibling...).
  return c.rng.pick(c.all).id;
}

std::int64_t gen_open_flags(ArgContext& c) {
  std::int64_t flags = c.rng.range(0, 2);  // access mode
  // issue 3: write locks need a descriptor open for writing.
  if (c.profile.weight_of(Op::Lock) > 0 && c.rng.percent(50)) flags = FC_O_RDWR;
  if (c.rng.percent(75)) flags |= FC_O_CREAT;
  if (c.rng.percent(15)) flags |= FC_O_TRUNC;
  if (c.rng.percent(25)) flags |= FC_O_APPEND;
  if (c.rng.percent(40)) flags |= FC_O_CLOEXEC;
  if (c.rng.percent(8)) flags |= FC_O_NONBLOCK;
  if (c.rng.percent(6)) flags |= FC_O_EXCL;
  return flags;
}

std::int64_t gen_status_flags(ArgContext& c) {  // F_SETFL
  std::int64_t flags = 0;
  if (c.rng.percent(50)) flags |= FC_O_APPEND;
  if (c.rng.percent(40)) flags |= FC_O_NONBLOCK;
  return flags;
}

std::int64_t gen_pipe_flags(ArgContext& c) {
  std::int64_t flags = 0;
  if (c.rng.percent(50)) flags |= FC_O_CLOEXEC;
  if (c.rng.percent(25)) flags |= FC_O_NONBLOCK;
  if (c.rng.percent(c.profile.invalid_arg_percent / 2)) flags |= FC_O_APPEND;  // EINVAL
  return flags;
}

std::int64_t gen_dup_flags(ArgContext& c) {
  if (c.rng.percent(c.profile.invalid_arg_percent / 2)) return FC_O_NONBLOCK;  // EINVAL
  return c.rng.percent(50) ? FC_O_CLOEXEC : 0;
}

std::int64_t gen_wait_options(ArgContext& c, bool waitid) {
  std::int64_t options = 0;
  if (waitid) {
    if (!c.rng.percent(c.profile.invalid_arg_percent)) options |= FC_WEXITED;
    if (c.rng.percent(20)) options |= FC_WNOWAIT;
  } else if (c.rng.percent(c.profile.invalid_arg_percent / 2)) {
    options |= FC_WEXITED;  // not a waitpid option: EINVAL
  }
  // issue 4: stops and continues, where the suite asks for them.
  if (c.profile.weight_of(Op::Kill) > 0) {
    if (c.rng.percent(35)) options |= FC_WUNTRACED;
    if (c.rng.percent(30)) options |= FC_WCONTINUED;
    if (waitid && !(options & (FC_WUNTRACED | FC_WCONTINUED)) && !(options & FC_WEXITED) &&
        !c.rng.percent(c.profile.invalid_arg_percent)) {
      options |= FC_WEXITED;
    }
  }
  if (c.rng.percent(40)) options |= FC_WNOHANG;
  return options;
}

/* ---- signals (issue 4) ---- */
std::int64_t gen_signal(ArgContext& c, bool for_sigaction) {
  // Mostly signals with interesting outcomes; SIGKILL/SIGSTOP to sigaction
  // and 0 aim at EINVAL.
  static const std::vector<int> kill_sigs = {FC_SIGKILL, FC_SIGKILL, FC_SIGTERM, FC_SIGUSR1,
                                             FC_SIGUSR1, FC_SIGUSR2, FC_SIGSTOP, FC_SIGSTOP,
                                             FC_SIGCONT, FC_SIGCONT, FC_SIGCHLD, FC_SIGHUP,
                                             FC_SIGQUIT, FC_SIGSEGV, FC_SIGINT, 0};
  static const std::vector<int> action_sigs = {FC_SIGUSR1, FC_SIGUSR2, FC_SIGCHLD, FC_SIGCHLD,
                                               FC_SIGCHLD, FC_SIGTERM, FC_SIGCONT, FC_SIGHUP};
  static const std::vector<int> bad = {FC_SIGKILL, FC_SIGSTOP, 0};
  if (!for_sigaction) return c.rng.pick(kill_sigs);
  if (c.rng.percent(c.profile.invalid_arg_percent)) return c.rng.pick(bad);
  return c.rng.pick(action_sigs);
}

/* ---- vfork and exec (issue 3) ---- */
// Mostly one or two of the maskable signals, SIGUSR1 and SIGTERM most often.
std::int64_t gen_sigset(ArgContext& c) {
  static const std::vector<int> sigs = {FC_SIGUSR1, FC_SIGUSR1, FC_SIGTERM, FC_SIGTERM,
                                        FC_SIGUSR2, FC_SIGHUP,  FC_SIGINT};
  if (c.rng.percent(10)) return 0;
  std::int64_t set = std::int64_t{1} << c.rng.pick(sigs);
  if (c.rng.percent(30)) set |= std::int64_t{1} << c.rng.pick(sigs);
  return set;
}

std::int64_t gen_kill_target(ArgContext& c) {
  // A child most of the time (stops and continues need the parent), else
  // any actor named so far, the caller included.
  if (!c.self.children.empty() && c.rng.percent(70)) return c.rng.pick(c.self.children);
  return c.rng.pick(c.all).id;
}

/* ---- pidfds and the parent-death signal (issue 4, pidfd) ---- */
// A pidfd of the caller most of the time; else any descriptor or a bad one.
std::int64_t gen_pidfd(ArgContext& c) {
  if (!c.self.pidfds.empty() && !c.rng.percent(c.profile.invalid_arg_percent)) {
    return c.rng.pick(c.self.pidfds);
  }
  return gen_fd(c);
}

// pidfd_open's target: a child (alive or a zombie), any actor named so far
// (parent, sibling, itself, reaped ones: ESRCH), or pid -1 / 0 (EINVAL).
std::int64_t gen_pidfd_target(ArgContext& c) {
  if (c.rng.percent(c.profile.invalid_arg_percent / 2)) {
    return c.rng.percent(50) ? FC_PIDSEL_ANY : FC_PIDSEL_PGRP;
  }
  if (!c.self.children.empty() && c.rng.percent(65)) return c.rng.pick(c.self.children);
  return c.rng.pick(c.all).id;
}

// The parent-death signal: mostly one that kills or is caught.
std::int64_t gen_pdeathsig(ArgContext& c) {
  static const std::vector<int> sigs = {FC_SIGKILL, FC_SIGKILL, FC_SIGTERM, FC_SIGUSR1,
                                        FC_SIGUSR1, FC_SIGUSR2, FC_SIGHUP,  FC_SIGCHLD, 0};
  return c.rng.pick(sigs);
}

/* ---- process groups and sessions (issue 4, groups) ---- */
// setpgid/getpgid/getsid's pid: mostly the caller (pid 0) or a child (the
// only targets setpgid accepts), sometimes any actor named so far (ESRCH,
// another session).
std::int64_t gen_procsel(ArgContext& c) {
  int roll = static_cast<int>(c.rng.below(100));
  if (roll < 40) return FC_PROCSEL_SELF;
  if (!c.self.children.empty() && roll < 80) return c.rng.pick(c.self.children);
  return c.rng.pick(c.all).id;
}

// setpgid's pgid: 0 (a group of its own) half the time, else an actor's pid
// (a group that may exist, in this session or not), rarely -1 (EINVAL).
std::int64_t gen_pgid(ArgContext& c) {
  if (c.rng.percent(c.profile.invalid_arg_percent / 2)) return FC_PGID_NEGATIVE;
  if (c.rng.percent(50)) return FC_PGID_SAME;
  return c.rng.pick(c.all).id;
}

std::string gen_bytes(Rng& rng) {
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string data(static_cast<std::size_t>(rng.range(1, 8)), 'a');
  for (char& ch : data) ch = kAlphabet[rng.below(sizeof kAlphabet - 1)];
  return data;
}

/* ---- clone / clone3 (issue 3) ---- */
// Flag sets aimed on purpose: half are combinations clone(2) accepts (the
// thread, vfork and sharing shapes, with tid words and pidfds), half pair
// flags the manual or kernel/fork.c refuse, each rule in turn.
std::int64_t gen_clone_flags(ArgContext& c, bool v3) {
  static const std::vector<std::int64_t> kValid = {
      0,
      FC_CLONE_VM,
      FC_CLONE_VM | FC_CLONE_SIGHAND,
      FC_CLONE_VM | FC_CLONE_SIGHAND | FC_CLONE_THREAD,
      FC_CLONE_VM | FC_CLONE_SIGHAND | FC_CLONE_THREAD | FC_CLONE_VFORK,
      FC_CLONE_FILES,
      FC_CLONE_FS | FC_CLONE_FILES,
      FC_CLONE_VFORK,
      FC_CLONE_VM | FC_CLONE_VFORK,
      FC_CLONE_SYSVSEM,
      FC_CLONE_DETACHED,
      FC_CLONE_CLEAR_SIGHAND};
  static const std::vector<std::int64_t> kInvalid = {
      FC_CLONE_SIGHAND,
      FC_CLONE_THREAD,
      FC_CLONE_THREAD | FC_CLONE_VM,
      FC_CLONE_FS | FC_CLONE_NEWNS,
      FC_CLONE_FS | FC_CLONE_NEWUSER,
      FC_CLONE_NEWIPC | FC_CLONE_SYSVSEM,
      FC_CLONE_NEWPID | FC_CLONE_THREAD | FC_CLONE_SIGHAND | FC_CLONE_VM,
      FC_CLONE_NEWUSER | FC_CLONE_THREAD | FC_CLONE_SIGHAND | FC_CLONE_VM,
      FC_CLONE_PIDFD | FC_CLONE_DETACHED,
      FC_CLONE_PIDFD | FC_CLONE_PARENT_SETTID,
      FC_CLONE_SIGHAND | FC_CLONE_VM | FC_CLONE_CLEAR_SIGHAND,
      FC_CLONE_UNKNOWN,
      FC_CLONE_CSIGNAL,
      FC_CLONE_INTO_CGROUP,
      FC_CLONE_PARENT | FC_CLONE_NEWPID};
  static const std::vector<std::int64_t> kExtras = {
      FC_CLONE_PARENT_SETTID, FC_CLONE_CHILD_SETTID, FC_CLONE_CHILD_CLEARTID, FC_CLONE_PIDFD,
      FC_CLONE_FILES, FC_CLONE_FS, FC_CLONE_SYSVSEM, FC_CLONE_VFORK};
  std::int64_t flags = c.rng.percent(50) ? c.rng.pick(kValid) : c.rng.pick(kInvalid);
  for (int extra = static_cast<int>(c.rng.below(3)); extra > 0; --extra) {
    flags |= c.rng.pick(kExtras);
  }
  if (!v3) {
    flags &= ~static_cast<std::int64_t>(FC_CLONE_CLEAR_SIGHAND | FC_CLONE_INTO_CGROUP |
                                        FC_CLONE_UNKNOWN | FC_CLONE_CSIGNAL);
  }
  return flags;
}

std::int64_t gen_exit_signal(ArgContext& c, const Step& step) {
  const bool v3 = step.op == Op::Clone3;
  const std::int64_t flags = step.args[0];
  if (v3 && c.rng.percent(c.profile.invalid_arg_percent)) {
    return c.rng.range(FC_EXITSIG_INVALID, FC_EXITSIG_WIDE);  // EINVAL
  }
  // clone3 refuses any exit signal with CLONE_THREAD or CLONE_PARENT: mostly 0 then.
  if (v3 && (flags & (FC_CLONE_THREAD | FC_CLONE_PARENT)) && c.rng.percent(80)) {
    return FC_EXITSIG_NONE;
  }
  int roll = static_cast<int>(c.rng.below(100));
  return roll < 60 ? FC_EXITSIG_SIGCHLD : roll < 80 ? FC_EXITSIG_NONE : FC_EXITSIG_OTHER;
}

std::int64_t gen_clone3_args(ArgContext& c) {
  if (c.rng.percent(60)) return FC_C3_VER2;
  return c.rng.range(0, FC_C3_LAST);
}

// Fills the arguments of `step` by kind; false if the actor cannot make
// this step at all (e.g. store with no region mapped).
bool fill_args(Step& step, ArgContext& c) {
  const OpInfo& op = info(step.op);
  for (int a = 0; a < 3; ++a) {
    std::int64_t& value = step.args[a];
    switch (op.arg_kinds[a]) {
      case FC_ARG_NONE: value = 0; break;
      case FC_ARG_FD: value = (a == 0) ? gen_fd(c) : gen_target_fd(c); break;
      case FC_ARG_INT:
        if (step.op == Op::Exit || step.op == Op::UExit) {
          value = c.rng.range(0, c.profile.exit_status_max);
        } else {  // lseek offset
          value = c.rng.percent(c.profile.invalid_arg_percent) ? -c.rng.range(1, 5)
                                                               : c.rng.range(0, 16);
        }
        break;
      case FC_ARG_PIDSEL: value = gen_pidsel(c); break;
      case FC_ARG_REGION:
        if (c.self.regions.empty()) return false;
        value = c.rng.pick(c.self.regions);
        break;
      case FC_ARG_SLOT:
        value = c.rng.range(0, FC_REGION_SLOTS - 1);
        // issue 3: where the suite wipes regions on fork, stores and loads
        // meet on two slots, so a child's load reads what its parent stored.
        if (c.profile.weight_of(Op::Madvise) > 0) value = c.rng.range(0, 1);
        break;
      case FC_ARG_VALUE: value = c.rng.range(-1000, 1000000); break;
      case FC_ARG_FILE:
        value = c.rng.range(0, 3);
        // issue 3: where the suite takes locks, opens meet on two files.
        if (c.profile.weight_of(Op::Lock) > 0) value = c.rng.range(0, 1);
        break;
      case FC_ARG_OFLAGS:
        value = step.op == Op::SetFl ? gen_status_flags(c) : gen_open_flags(c);
        break;
      case FC_ARG_PIPEFLAGS: value = gen_pipe_flags(c); break;
      case FC_ARG_DUPFLAGS: value = gen_dup_flags(c); break;
      case FC_ARG_WAITOPTS: value = gen_wait_options(c, step.op == Op::WaitId); break;
      case FC_ARG_IDTYPE: {
        int roll = static_cast<int>(c.rng.below(100));
        value = roll < 60 ? FC_P_PID : roll < 90 ? FC_P_ALL : FC_P_PGID;
        break;
      }
      case FC_ARG_FDFLAGS: value = c.rng.percent(50) ? FC_FD_CLOEXEC : 0; break;
      case FC_ARG_WHENCE: value = c.rng.range(0, 2); break;
      case FC_ARG_MAPKIND:
        value = c.rng.range(0, 1);
        // issue 3: MADV_WIPEONFORK applies to private regions only.
        if (c.profile.weight_of(Op::Madvise) > 0 && c.rng.percent(60)) value = FC_MAP_PRIVATE;
        break;
      case FC_ARG_COUNT: value = c.rng.range(1, 12); break;
      case FC_ARG_BYTES: value = 0; step.data = gen_bytes(c.rng); break;
      /* ---- clone / clone3 (issue 3); the exit signal is drawn after the flags ---- */
      case FC_ARG_CLONEFLAGS: value = gen_clone_flags(c, step.op == Op::Clone3); break;
      case FC_ARG_EXITSIG: value = gen_exit_signal(c, step); break;
      case FC_ARG_CLONE3ARGS: value = gen_clone3_args(c); break;
      /* ---- signals (issue 4) ---- */
      case FC_ARG_SIGNAL: value = gen_signal(c, step.op == Op::Sigaction); break;
      case FC_ARG_DISP: value = c.rng.range(FC_DISP_DFL, FC_DISP_HANDLER); break;
      case FC_ARG_SAFLAGS:
        value = (c.rng.percent(30) ? FC_SA_NOCLDSTOP : 0) | (c.rng.percent(30) ? FC_SA_NOCLDWAIT : 0);
        break;
      /* ---- process groups and sessions (issue 4, groups) ---- */
      case FC_ARG_PROCSEL: value = gen_procsel(c); break;
      case FC_ARG_PGID: value = gen_pgid(c); break;
      /* ---- vfork and exec (issue 3) ---- */
      case FC_ARG_SIGHOW:
        // Mostly SIG_BLOCK, so that signals stay blocked long enough to be pending.
        value = c.rng.percent(c.profile.invalid_arg_percent / 2) ? FC_SIG_HOW_BAD
                : c.rng.percent(55)                                ? FC_SIG_BLOCK
                                                                   : c.rng.range(FC_SIG_UNBLOCK, FC_SIG_SETMASK);
        break;
      case FC_ARG_SIGSET: value = gen_sigset(c); break;
      /* ---- libc layer (issue 3): mostly all three handlers, sometimes some NULL ---- */
      case FC_ARG_ATFORK:
        value = c.rng.percent(60) ? FC_ATFORK_ALL : c.rng.range(0, FC_ATFORK_ALL);
        break;
      case FC_ARG_SPAWNFA: value = c.rng.range(0, FC_SPAWN_FA_LAST); break;
      case FC_ARG_SPAWNATTR:
        value = (c.rng.percent(35) ? FC_SPAWN_SETSIGMASK : 0) |
                (c.rng.percent(12) ? FC_SPAWN_BIN_SCRATCH : 0);
        break;
      /* ---- inheritance (issue 3): takes more often than releases ---- */
      case FC_ARG_LOCKKIND: {
        static const std::vector<int> kinds = {FC_LOCK_POSIX, FC_LOCK_POSIX, FC_LOCK_OFD,
                                               FC_LOCK_OFD,   FC_LOCK_FLOCK, FC_LOCK_FLOCK,
                                               FC_LOCK_POSIX_UN, FC_LOCK_OFD_UN, FC_LOCK_FLOCK_UN};
        value = c.rng.pick(kinds);
        break;
      }
      case FC_ARG_MADVICE:
        value = c.rng.percent(80) ? FC_MADV_WIPEONFORK : FC_MADV_KEEPONFORK;
        break;
      case FC_ARG_ITIMER: value = c.rng.range(0, FC_ITIMER_LAST); break;
      case FC_ARG_ALTSTACK: value = c.rng.range(0, FC_ALTSTACK_LAST); break;
      case FC_ARG_PROBE: value = c.rng.range(0, FC_PROBE_LAST); break;  // issue 3, clone_flags
    }
  }
  if (step.op == Op::Kill) step.args[0] = gen_kill_target(c);  // issue 4
  /* ---- issue 4, pidfd ---- */
  if (step.op == Op::PidfdOpen) {
    step.args[0] = gen_pidfd_target(c);
    step.args[1] = c.rng.percent(c.profile.invalid_arg_percent) ? FC_O_CLOEXEC
                   : c.rng.percent(30)                           ? FC_O_NONBLOCK
                                                                 : 0;
  }
  if (step.op == Op::PidfdPoll || step.op == Op::PidfdSendSignal || step.op == Op::WaitIdPidfd) {
    // Without a pidfd of its own the actor mostly picks another step (poll
    // of other descriptors is modelled, but is not what this op is for).
    if (step.op == Op::PidfdPoll && c.self.pidfds.empty() && c.rng.percent(70)) return false;
    step.args[0] = gen_pidfd(c);
  }
  if (step.op == Op::WaitIdPidfd) step.args[1] = gen_wait_options(c, true);
  if (step.op == Op::SetPdeathsig) {
    // P0's parent is the run's reaper, which never dies during a program:
    // the setting matters in the other actors.
    if (c.self.id == 0 && c.rng.percent(80)) return false;
    step.args[0] = gen_pdeathsig(c);
  }
  // Where parent-death signals are generated, an exit is mostly that of a
  // process with children, whose death sends them.
  if ((step.op == Op::UExit || step.op == Op::Exit) && c.profile.weight_of(Op::SetPdeathsig) > 0 &&
      c.self.children.empty() && c.rng.percent(80)) {
    return false;
  }
  if (step.op == Op::Subreaper) step.args[0] = c.rng.percent(85) ? 1 : 0;  // issue 4
  /* ---- clone flags (issue 3, clone_flags) ---- */
  if (step.op == Op::CloneProbe) {
    // The sharing flags one at a time and together; CLONE_SIGHAND without
    // CLONE_VM (EINVAL) now and then.
    static const std::vector<std::int64_t> kFlags = {
        0, FC_CLONE_VM, FC_CLONE_FILES, FC_CLONE_VM | FC_CLONE_FILES,
        FC_CLONE_VM | FC_CLONE_SIGHAND, FC_CLONE_VM | FC_CLONE_SIGHAND | FC_CLONE_FILES,
        FC_CLONE_FS, FC_CLONE_FILES | FC_CLONE_FS, FC_CLONE_SIGHAND};
    std::int64_t flags = c.rng.pick(kFlags);
    if (c.rng.percent(30)) flags |= FC_CLONE_VFORK;
    if (c.rng.percent(20)) flags |= FC_CLONE_FS;
    step.args[0] = flags;
    step.args[1] = c.rng.range(0, FC_PROBE_LAST);
    if (step.args[1] == FC_PROBE_STORE && c.self.regions.empty()) {
      step.args[1] = c.rng.range(FC_PROBE_CLOSE, FC_PROBE_LAST);
    }
    step.args[2] = step.args[1] == FC_PROBE_STORE ? c.rng.pick(c.self.regions) : gen_fd(c);
  }
  // issue 3: where masks are generated, send the maskable signals often, and
  // give them handlers or SIG_IGN, so blocked, pending and delivered meet.
  if (c.profile.weight_of(Op::Sigprocmask) > 0 && c.rng.percent(60)) {
    if (step.op == Op::Kill) {
      std::int64_t sig = 0;
      for (std::int64_t set = gen_sigset(c); set != 0 && sig == 0;) {
        for (int s = 1; s <= FC_MAX_SIGNAL; ++s) {
          if (set & (std::int64_t{1} << s)) sig = s;
        }
      }
      if (sig != 0) step.args[1] = sig;
      // Mostly a signal the target blocks, so that it stays pending.
      for (const oracle::ActorView& target : c.all) {
        if (target.id != step.args[0] || target.mask == 0 || !c.rng.percent(70)) continue;
        std::vector<int> blocked;
        for (int s = 1; s <= FC_MAX_SIGNAL; ++s) {
          if (target.mask & (1u << s)) blocked.push_back(s);
        }
        step.args[1] = c.rng.pick(blocked);
      }
    } else if (step.op == Op::Sigaction) {
      step.args[0] = c.rng.percent(50) ? FC_SIGUSR1 : FC_SIGTERM;
    }
  }
  /* ---- libc layer (issue 3) ---- */
  if (step.op == Op::Atfork) step.args[0] = c.rng.range(0, FC_MAX_ATFORK_ID);
  if (step.op == Op::Fputs || step.op == Op::Fflush) {
    // The stream's file: one this image has a stream on.
    if (c.self.streams.empty()) return false;
    step.args[0] = c.rng.pick(c.self.streams);
  }
  if (step.op == Op::Spawn) {
    // The file action's descriptor: an open one (a new one for addopen).
    if (step.args[2] & FC_SPAWN_BIN_SCRATCH) step.args[0] = FC_SPAWN_FA_NONE;
    if (step.args[0] == FC_SPAWN_FA_OPEN) {
      step.args[1] = c.rng.range(0, 12);
    } else {
      step.args[1] = c.self.fds.empty() ? 0 : c.rng.pick(c.self.fds);
      if (c.self.fds.empty()) step.args[0] = FC_SPAWN_FA_NONE;
      std::vector<int> own;
      for (int fd : c.self.fds) {
        if (fd > 2) own.push_back(fd);
      }
      if (!own.empty() && c.rng.percent(80)) step.args[1] = c.rng.pick(own);
    }
  }
  if (step.op == Op::Fopen) {
    std::vector<int> free_files;
    for (int f = 0; f < 4; ++f) {
      if (std::find(c.self.streams.begin(), c.self.streams.end(), f) == c.self.streams.end()) {
        free_files.push_back(f);
      }
    }
    if (free_files.empty()) return false;
    step.args[0] = c.rng.pick(free_files);
  }
  /* ---- inheritance (issue 3): integer arguments with a small meaning ---- */
  if (step.op == Op::SetSched) step.args[0] = c.rng.range(0, FC_SCHED_LAST);
  if (step.op == Op::SetAffinity) step.args[0] = c.rng.percent(60) ? FC_AFFINITY_FIRST : FC_AFFINITY_ALL;
  // waitid's id is meaningful only with P_PID; keep the selector coherent.
  if (step.op == Op::WaitId && step.args[0] != FC_P_PID) step.args[1] = FC_PIDSEL_ANY;
  /* ---- process groups and sessions (issue 4, groups) ---- */
  // Suites that move processes between groups: waitid(P_PGID) names an
  // actor's group; kill mostly stops a child or probes, and sigaction picks
  // SIGHUP and SIGCONT (how a newly orphaned group takes SIGHUP + SIGCONT).
  if (c.profile.weight_of(Op::SetPgid) > 0) {
    if (step.op == Op::WaitId && step.args[0] == FC_P_PGID && c.rng.percent(60)) {
      step.args[1] = c.rng.pick(c.all).id;
    }
    if (step.op == Op::Kill && c.rng.percent(60)) step.args[1] = FC_SIGSTOP;
    if ((step.op == Op::WaitPid || step.op == Op::Wait4) && c.rng.percent(30)) {
      step.args[0] = FC_PIDSEL_GROUP(c.rng.pick(c.all).id);  // waitpid(-pgid)
    }
    if (c.profile.job_control_bias && step.op == Op::Kill) {
      // A child (only a parent stops its child here), else a probe of the
      // caller itself: a probe of an orphan the reaper may or may not have
      // reaped yet says little.
      if (!c.self.children.empty()) {
        step.args[0] = c.rng.pick(c.self.children);
      } else {
        step.args[0] = c.self.id;
        step.args[1] = 0;
      }
    }
    if (c.profile.job_control_bias && step.op == Op::SetPgid && c.rng.percent(80)) {
      step.args[0] = c.self.children.empty() || c.rng.percent(50) ? FC_PROCSEL_SELF
                                                                  : c.rng.pick(c.self.children);
      if (c.rng.percent(70)) step.args[1] = FC_PGID_SAME;
    }
    if (step.op == Op::Sigaction && step.args[0] != FC_SIGKILL && step.args[0] != FC_SIGSTOP &&
        step.args[0] != 0 && c.rng.percent(60)) {
      step.args[0] = c.rng.percent(70) ? FC_SIGHUP : FC_SIGCONT;
    }
  }
  if (step.op == Op::WaitId && step.args[0] == FC_P_PID && step.args[1] < 0) {
    if (c.self.children.empty()) return false;
    step.args[1] = c.rng.pick(c.self.children);
  }
  return true;
}

Op pick_op(const GenProfile& profile, Rng& rng, int total_weight) {
  std::int64_t roll = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(total_weight)));
  for (const OpInfo& entry : op_table()) {
    roll -= profile.weight_of(entry.op);
    if (roll < 0) return entry.op;
  }
  return Op::GetPid;
}

/* ---- process groups and sessions (issue 4, groups) ---- */
// GenProfile::job_control_bias: the next step towards a newly orphaned
// process group with a stopped member, read off the model's state: a
// session of its own (setsid), a second group in it (setpgid), a stopped
// member of that group (kill SIGSTOP by its parent), then the exit of the
// group's last parent outside it in the session. The model still decides
// every step; the proposal is only a candidate.
std::optional<Step> propose_job_control(const oracle::State& s, Rng& rng, const GenProfile& profile) {
  using oracle::Life;
  const int n = static_cast<int>(s.procs.size());
  auto ready = [&](ActorId a) {
    if (a < 0 || a >= n) return false;
    const oracle::Process& p = s.procs[a];
    return p.life == Life::Alive && p.blocked_step < 0 && !p.stopped;
  };
  int alive = 0;
  for (const oracle::Process& p : s.procs) alive += p.life == Life::Alive;
  auto make = [&](ActorId actor, Op op) {
    Step step;
    step.actor = actor;
    step.op = op;
    return step;
  };
  auto fork_by = [&](ActorId actor) -> std::optional<Step> {
    if (alive >= profile.max_actors || !ready(actor)) return std::nullopt;
    Step step = make(actor, Op::Fork);
    step.out = oracle::next_actor_id(s);
    if (step.out >= FC_MAX_ACTORS) return std::nullopt;
    return step;
  };
  auto pick = [&](const std::vector<ActorId>& v) -> std::optional<ActorId> {
    if (v.empty()) return std::nullopt;
    return v[rng.below(v.size())];
  };
  // 1. A session leader other than the reaper.
  std::vector<ActorId> leaders;
  for (ActorId a = 0; a < n; ++a) {
    if (ready(a) && s.procs[a].sid == a) leaders.push_back(a);
  }
  auto leader = pick(leaders);
  if (!leader) {
    std::vector<ActorId> can;
    for (ActorId a = 1; a < n; ++a) {
      if (ready(a) && s.procs[a].pgid != a) can.push_back(a);
    }
    if (auto a = pick(can)) return make(*a, Op::SetSid);
    return fork_by(0);
  }
  const ActorId L = *leader;
  // 2. Another group in that session.
  std::vector<ActorId> members;
  for (ActorId a = 0; a < n; ++a) {
    const oracle::Process& p = s.procs[a];
    if (p.life == Life::Alive && p.sid == L && p.pgid != L) members.push_back(a);
  }
  if (members.empty()) {
    std::vector<ActorId> kids;
    for (ActorId a : s.children(L)) {
      if (ready(a) && s.procs[a].sid == L) kids.push_back(a);
    }
    auto kid = pick(kids);
    if (!kid) return fork_by(L);
    Step step = rng.percent(50) ? make(L, Op::SetPgid) : make(*kid, Op::SetPgid);
    step.args[0] = step.actor == L ? *kid : FC_PROCSEL_SELF;
    step.args[1] = FC_PGID_SAME;
    return step;
  }
  const ActorId G = s.procs[*pick(members)].pgid;
  std::vector<ActorId> group;
  bool stopped = false;
  for (ActorId a = 0; a < n; ++a) {
    const oracle::Process& p = s.procs[a];
    if (p.life == Life::Alive && p.pgid == G) {
      group.push_back(a);
      stopped |= p.stopped;
    }
  }
  // 3. A stopped member (only a parent stops its child here).
  if (!stopped) {
    std::vector<ActorId> stoppable;
    for (ActorId a : group) {
      const ActorId parent = s.procs[a].parent;
      if (s.procs[a].blocked_step < 0 && ready(parent)) stoppable.push_back(a);
    }
    auto m = pick(stoppable);
    if (!m || rng.percent(25)) {
      auto forker = pick(group);
      if (forker) return fork_by(*forker);
      return std::nullopt;
    }
    Step step = make(s.procs[*m].parent, Op::Kill);
    step.args[0] = *m;
    step.args[1] = FC_SIGSTOP;
    return step;
  }
  // 4. The exit of a parent in the session outside the group (the group's
  // connection), or of a member connecting it whose stopped child stays.
  std::vector<ActorId> exits;
  for (ActorId a : group) {
    const ActorId parent = s.procs[a].parent;
    if (parent == oracle::kReaper || parent == 0) continue;
    const oracle::Process& q = s.procs[parent];
    if (q.pgid != G && q.sid == s.procs[a].sid && ready(parent)) {
      exits.push_back(parent);
      if (ready(a)) exits.push_back(a);
    }
  }
  auto who = pick(exits);
  if (!who) return std::nullopt;
  Step step = make(*who, rng.percent(80) ? Op::UExit : Op::Exit);
  step.args[0] = rng.range(0, 3);
  return step;
}

}  // namespace

Program generate(const GenProfile& profile, const oracle::Profile& model, std::uint64_t seed,
                 int size) {
  Rng rng(seed);
  size = std::clamp(size, 0, 100);
  int total_weight = 0;
  for (int w : profile.weights) total_weight += w;
  if (total_weight == 0) return {};

  const int span = std::max(0, profile.max_steps - profile.min_steps);
  const int length = profile.min_steps + static_cast<int>(rng.below(
                                             static_cast<std::uint64_t>(span * size / 100 + 1)));

  Program program;
  program.pidns = profile.pidns;  // issue 4, pidns: before the model sees any step
  oracle::StatePtr state = oracle::initial_state(model);
  constexpr int kTriesPerStep = 40;

  while (static_cast<int>(program.steps.size()) < length) {
    std::vector<oracle::ActorView> views = oracle::actor_views(*state);
    std::vector<const oracle::ActorView*> runnable;
    bool someone_blocked = false;
    int actors_alive = 0;
    for (const oracle::ActorView& view : views) {
      if (view.alive) ++actors_alive;
      if (view.blocked) someone_blocked = true;
      if (view.alive && !view.blocked) runnable.push_back(&view);
    }
    if (runnable.empty()) break;

    bool placed = false;
    // issue 4 (groups): a step towards an orphaned group, half the time.
    if (profile.job_control_bias && rng.percent(50)) {
      if (std::optional<Step> step = propose_job_control(*state, rng, profile)) {
        program.steps.push_back(*step);
        oracle::StepResult result = oracle::apply(*state, program, program.steps.size() - 1);
        if (!result.outcomes.empty() &&
            !(someone_blocked && result.outcomes.front().obs == Observation::blocked())) {
          state = result.outcomes.front().next;
          placed = true;
        } else {
          program.steps.pop_back();
        }
      }
    }
    for (int attempt = 0; attempt < kTriesPerStep && !placed; ++attempt) {
      const oracle::ActorView& self = *runnable[rng.below(runnable.size())];
      Step step;
      step.actor = self.id;
      step.op = pick_op(profile, rng, total_weight);
      const OpInfo& op = info(step.op);
      if ((op.flags & FC_OPF_CREATES_ACTOR) && actors_alive >= profile.max_actors) continue;
      // issue 4 (groups): GenProfile::job_control_bias.
      if (profile.job_control_bias && (step.op == Op::Exit || step.op == Op::UExit)) {
        if (self.id == 0) continue;
        if (self.children.size() == self.zombie_children.size() && rng.percent(75)) continue;
      }
      if (profile.keep_root && self.id == 0 &&
          ((op.flags & FC_OPF_NORETURN) || step.op == Op::Exec)) {
        continue;  // issue 3: GenProfile::keep_root
      }
      // issue 4, pidns: P0's end kills the whole namespace and ends the
      // program; most of its exits are redrawn so that programs get to fork,
      // orphan and signal first.
      if (profile.pidns && self.id == 0 && (op.flags & FC_OPF_NORETURN) && rng.percent(85)) {
        continue;
      }
      if (op.flags & FC_OPF_CREATES_ACTOR) {
        step.out = oracle::next_actor_id(*state);
        // issue 3: a posix_spawn that failed named an actor that was never
        // created; names are still created once (program.h).
        for (const Step& earlier : program.steps) {
          if (info(earlier.op).flags & FC_OPF_CREATES_ACTOR) step.out = std::max(step.out, earlier.out + 1);
        }
      }
      if (op.flags & FC_OPF_CREATES_REGION) {
        step.out = oracle::next_region_id(*state);
        if (step.out >= FC_MAX_REGIONS) continue;
      }
      if (op.flags & FC_OPF_CREATES_ACTOR && step.out >= FC_MAX_ACTORS) continue;
      ArgContext context{rng, profile, self, views};
      if (!fill_args(step, context)) continue;

      program.steps.push_back(step);
      oracle::StepResult result = oracle::apply(*state, program, program.steps.size() - 1);
      bool accept = !result.outcomes.empty();
      if (accept) {
        const oracle::Outcome& first = result.outcomes.front();
        // The executor enforces one blocked step at a time.
        if (someone_blocked && first.obs == Observation::blocked()) accept = false;
      }
      if (!accept) {
        program.steps.pop_back();
        continue;
      }
      state = result.outcomes.front().next;
      placed = true;
    }
    if (!placed) break;
  }
  return program;
}

}  // namespace fc
