// Process area: fork, exit, _exit, getpid, getppid, wait, waitpid, wait4,
// waitid, and reparenting to the reaper.
//
// Quotes: oracles/spec/fork.md, exit.md, getpid.md, wait.md, waitid.md.
#include <cerrno>

#include "oracles/rules.h"

namespace fc::oracle {

// forkconf IR: a creating step names its child, and a name is created once.
void check_names_new_actor(const Ctx& c, Check& k, const char* call) {
  if (c.step.out < 1 || c.step.out >= FC_MAX_ACTORS) {
    k.invalid(std::string(call) + " must name a new actor P1..P" +
              std::to_string(FC_MAX_ACTORS - 1));
  } else if (c.s.created(c.step.out)) {
    k.invalid(actor_symbol(c.step.out) + " already exists");
  }
}

namespace {

// ---- fork ---------------------------------------------------------------------

Check check_fork(const Ctx& c) {
  Check k;
  check_names_new_actor(c, k, "fork");
  // posix:fork:EAGAIN:1 (process limits) is not modelled: the harness keeps
  // programs below FC_MAX_ACTORS processes, under its limits. coverage:fixme
  return k;
}

void effect_fork(const Ctx& c, Effect& e) {
  State& s = e.next;
  const ActorId child = c.step.out;
  if (s.procs.size() <= static_cast<std::size_t>(child)) s.procs.resize(child + 1);
  const Process& parent = s.proc(c.self());

  Process p;
  p.life = Life::Alive;
  // posix:fork:PPID:1 "The child process shall have a unique process ID ...
  // parent process ID ... the process ID of the calling process."
  p.parent = c.self();
  // PLANTED BUG (tests only): the reaper recorded as the child's parent.
  if (planted(c, Profile::PlantedBug::ChildParentIsReaper)) p.parent = kReaper;
  // posix:fork:FDS:1 "The child process shall have its own copy of the
  // parent's file descriptors. Each of the child's file descriptors shall
  // refer to the same open file description with the corresponding file
  // descriptor of the parent." FD_CLOEXEC is a per-descriptor flag and is
  // copied with it (man:fork:FDS:1).
  p.fds = parent.fds;
  // posix:fork:MEM:1 the child is a copy of the parent: a MAP_PRIVATE region
  // becomes a copy of its own (copy-on-write: same values, separate object);
  // posix:mmap:SHARED:1 a MAP_SHARED region stays one object seen by both.
  for (Mapping m : parent.regions) {
    if (m.kind == FC_MAP_PRIVATE) {
      s.memories.push_back(s.memories.at(m.memory));
      m.memory = static_cast<int>(s.memories.size() - 1);
    }
    p.regions.push_back(m);
  }
  // p.execed stays false: the child has not called exec itself.
  /* ---- signals (issue 4) ---- */
  // posix:fork:SIGNALS:1 the child is a copy: signal dispositions (and the
  // sigaction flags) are inherited (man:fork:SIGNALS:1 "The child inherits
  // copies of the parent's set of ... signal dispositions"); the recording
  // handler's log is process memory, copied like any other.
  p.disp = parent.disp;
  p.nocldstop = parent.nocldstop;
  p.nocldwait = parent.nocldwait;
  p.caught = parent.caught;
  // PLANTED BUG (tests only): the child starts with default dispositions.
  if (planted(c, Profile::PlantedBug::ForkResetsHandlers)) p.disp = {};
  /* ---- parent-death signal (issue 4, pidfd) ---- */
  // man:prctl:PDEATHSIG:5 "The parent-death signal setting is cleared for the
  // child of a fork(2)": p.pdeathsig stays 0.
  if (parent.pdeathsig) e.cite("man:prctl:PDEATHSIG:5");
  // PLANTED BUG (tests only): the child inherits the parent-death signal.
  if (planted(c, Profile::PlantedBug::PdeathsigInherited)) p.pdeathsig = parent.pdeathsig;
  /* ---- process groups and sessions (issue 4, groups) ---- */
  // man:setpgid:FORK:1 "A child created via fork(2) inherits its parent's
  // process group ID."; man:setsid:FORK:1 "A child created via fork(2)
  // inherits its parent's session ID."
  p.pgid = parent.pgid;
  p.sid = parent.sid;
  /* ---- vfork and exec (issue 3) ---- */
  // man:signal:MASK_FORK:1 the child inherits a copy of the signal mask;
  // posix:fork:PENDING:1 / man:fork:PENDING:1 its pending set starts empty.
  p.mask = parent.mask;
  p.pending = 0;
  if (parent.mask != 0) e.cite("man:signal:MASK_FORK:1");
  if (parent.pending != 0) e.cite("posix:fork:PENDING:1").cite("man:fork:PENDING:1");
  // PLANTED BUG (tests only): the child keeps the parent's pending signals.
  if (planted(c, Profile::PlantedBug::ForkKeepsPending)) p.pending = parent.pending;
  /* ---- inheritance (issue 3): oracles/inherit.cc ---- */
  inherit_on_fork(c, s, parent, p, e);
  s.proc(child) = std::move(p);
  // PLANTED BUG (tests only): the child gets one extra descriptor (/dev/null).
  if (planted(c, Profile::PlantedBug::ChildLeaksFd)) {
    for (std::size_t ofd = 0; ofd < s.ofds.size(); ++ofd) {
      if (s.ofds[ofd].object.kind == ObjectKind::Null) {
        s.install_fd(child, s.lowest_free_fd(child, 0), static_cast<int>(ofd), false);
        break;
      }
    }
  }

  // posix:fork:RET:1 "Upon successful completion, fork() shall return 0 to the
  // child process and shall return the process ID of the child process to the
  // parent process."
  /* ---- libc layer (issue 3): atfork handlers, their log, stdio buffers ---- */
  libc_fork(c, s, child, e);

  e.obs = Observation::returned_pid(actor_symbol(child)).with("child", "0");
  e.cite("posix:fork:RET:1").cite("posix:fork:PPID:1").cite("posix:fork:FDS:1");
  if (!s.proc(child).regions.empty()) e.cite("posix:fork:MEM:1");
}

// ---- exit, _exit ---------------------------------------------------------------

void effect_exit(const Ctx& c, Effect& e) {
  State& s = e.next;
  const ActorId self = c.self();
  {
    Process& p = s.proc(self);
    // posix:_exit:STATUS:1 "only the least significant 8 bits (that is,
    // status & 0377) shall be available from wait() and waitpid()"; the full
    // value is kept for waitid (Profile::waitid_si_status_masked).
    p.exit_status = static_cast<int>(c.step.args[0] & 0377);
    // PLANTED BUG (tests only): the whole status kept.
    if (planted(c, Profile::PlantedBug::ExitStatusUncut)) {
      p.exit_status = static_cast<int>(c.step.args[0]);
    }
    p.exit_value = static_cast<int>(static_cast<std::uint32_t>(c.step.args[0]));  // an int
  }
  e.cite("posix:_exit:STATUS:1");
  end_process(c, s, self, 0, e);
  // posix:_exit:NORETURN:1 "These functions do not return."
  e.obs = Observation::no_return();
}

}  // namespace

// The consequences of process termination, shared by _exit/exit and by death
// from a signal (issue 4: posix:kill / signal.cc).
void end_process(const Ctx& c, State& s, ActorId self, int term_sig, Effect& e) {
  /* ---- pid namespaces (issue 4, pidns) ---- */
  // man:pid_namespaces:INITDIES:1 when P0, the namespace's init, ends, every
  // other process of the namespace is killed with SIGKILL, and
  // linux:zap_pid_ns_processes:REAP:1 the dying init reaps them all before
  // it becomes a zombie for the reaper outside: no step of theirs runs again.
  if (c.program.pidns && self == 0) {
    // do_exit() closes the init's descriptors (exit_files) before it kills
    // the namespace (exit_notify -> zap_pid_ns_processes), and the SIGKILLs
    // go out one by one: a step another process is blocked in may return
    // (EOF on a pipe, a child's death) before that process dies, or not.
    for (std::size_t a = 1; a < s.procs.size(); ++a) {
      if (s.procs[a].life == Life::Alive && s.procs[a].blocked_step >= 0 && !e.special) {
        e.special = Special{Special::Kind::NotModeled,
                            "the pid namespace's init ends while another process is blocked in "
                            "a step (it may return before the namespace is killed)"};
      }
    }
    for (std::size_t a = 1; a < s.procs.size(); ++a) {
      if (s.procs[a].life == Life::Alive) end_process(c, s, static_cast<ActorId>(a), FC_SIGKILL, e);
    }
    for (std::size_t a = 1; a < s.procs.size(); ++a) {
      if (s.procs[a].life == Life::Zombie) s.procs[a].life = Life::Reaped;
    }
    e.cite("man:pid_namespaces:INITDIES:1").cite("linux:zap_pid_ns_processes:REAP:1");
  }
  // issue 4 (groups): the parent and children before this process ends.
  const ActorId old_parent = s.proc(self).parent;
  const std::vector<ActorId> old_children = s.children(self);
  {
    Process& p = s.proc(self);
    p.term_sig = term_sig;
    // A process killed in a blocking call never returns from it.
    p.blocked_step = -1;
    p.stopped = false;
    p.stop_report = 0;
    p.cont_report = false;
    // posix:_exit:FDS:1 "All of the file descriptors, directory streams,
    // conversion descriptors, and message catalog descriptors open in the
    // calling process shall be closed." Pipe ends close with them: a blocked
    // reader sees EOF in settle().
    p.fds.clear();
    p.posix_locks = 0;  // issue 3: man:fcntl:LOCK_CLOSE:1, every descriptor closed
    // posix:_exit:MAP:1 "Memory mappings that were created in the process
    // shall be unmapped before the process is destroyed."
    p.regions.clear();
  }
  e.cite("posix:_exit:FDS:1");

  // posix:_exit:ORPHAN:1 "The parent process ID of all of the existing child
  // processes and zombie processes of the calling process shall be set to the
  // process ID of an implementation-defined system process." Here that is the
  // run's reaper (man:prctl:SUBREAPER:1 / man:pid_namespaces:INIT:1), which
  // reaps what it adopts: an adopted zombie is gone at once.
  // issue 4: man:prctl:SUBREAPER:2 the orphans go to "the nearest still
  // living ancestor subreaper" first; only without one to the reaper.
  ActorId heir = kReaper;
  // issue 4, pidns: man:pid_namespaces:ORPHANS:1 inside P0's namespace the
  // orphans go to P0, its init (unless a nearer subreaper takes them).
  const bool to_ns_init = c.program.pidns && self != 0;
  // PLANTED BUG (tests only): orphans go to the reaper outside, not to P0.
  if (to_ns_init && !planted(c, Profile::PlantedBug::PidnsOrphansToReaper)) heir = 0;
  for (ActorId a = s.proc(self).parent; a != kReaper; a = s.proc(a).parent) {
    // PLANTED BUG (tests only): subreapers are ignored.
    if (planted(c, Profile::PlantedBug::SubreaperIgnored)) break;
    if (s.proc(a).life == Life::Alive && s.proc(a).subreaper) {
      heir = a;
      break;
    }
  }
  const std::vector<ActorId> adopted = s.children(self);  // issue 4, pidfd
  for (ActorId child : s.children(self)) {
    Process& orphan = s.proc(child);
    // PLANTED BUG (tests only): orphans keep their dead parent.
    if (planted(c, Profile::PlantedBug::OrphansKeepParent)) continue;
    orphan.parent = heir;
    e.cite("posix:_exit:ORPHAN:1");
    if (heir != kReaper) {
      // An adopted zombie notifies its new parent (linux:reparent_leader:ZOMBIE:1).
      e.cite(heir == 0 && to_ns_init && !s.proc(0).subreaper ? "man:pid_namespaces:ORPHANS:1"
                                                             : "man:prctl:SUBREAPER:2");
      if (orphan.life == Life::Zombie) {
        e.cite("linux:reparent_leader:ZOMBIE:1");
        notify_parent(s, child, e);
      }
      continue;
    }
    if (orphan.life == Life::Zombie) orphan.life = Life::Reaped;
  }
  /* ---- parent-death signal (issue 4, pidfd) ---- */
  // Every child that outlives `self` has been reparented; now each gets its
  // parent-death signal, if it asked for one (pidfd.cc).
  for (ActorId child : adopted) send_pdeathsig(c, s, child, e);

  // posix:_exit:ZOMBIE:1 "the calling process shall be transformed into a
  // zombie process ... deleted at some later time when its parent process
  // executes wait(), waitid(), or waitpid()". A child of the reaper is reaped
  // at once. A parent blocked in a wait this satisfies returns in settle().
  Process& p = s.proc(self);
  p.life = p.parent == kReaper ? Life::Reaped : Life::Zombie;
  e.cite("posix:_exit:ZOMBIE:1");
  // issue 4: SIGCHLD to the parent, and auto-reaping under SIG_IGN or
  // SA_NOCLDWAIT (signal.cc).
  if (p.parent != kReaper) notify_parent(s, self, e);
  // issue 4 (groups): a group this exit (or the reparenting of its children)
  // orphans gets SIGHUP and SIGCONT if a member is stopped (pgrp.cc).
  orphaned_group_signals(c, s, self, old_parent, old_children, e);
}

namespace {

// ---- getpid, getppid -----------------------------------------------------------

void effect_getpid(const Ctx& c, Effect& e) {
  // posix:getpid:RET:1 "The getpid() function shall return the process ID of
  // the calling process."
  e.obs = Observation::returned_pid(actor_symbol(c.self()));
  e.cite("posix:getpid:RET:1");
  // issue 4, pidns: P0 is pid 1 of its namespace (the normaliser maps pid 1,
  // and only pid 1, to P0 in a pidns program).
  if (c.program.pidns && c.self() == 0) e.cite("man:pid_namespaces:PID1:1");
}

void effect_getppid(const Ctx& c, Effect& e) {
  // posix:getppid:RET:1 "The getppid() function shall return the parent
  // process ID of the calling process." After reparenting: the reaper.
  ActorId parent = c.s.proc(c.self()).parent;
  e.obs = Observation::returned_pid(actor_symbol(parent));
  e.cite("posix:getppid:RET:1");
  /* ---- pid namespaces (issue 4, pidns) ---- */
  // man:getppid:NS:1 P0's parent, the reaper, is outside P0's namespace.
  if (c.program.pidns && parent == kReaper) {
    e.obs = Observation::returned(0);
    e.cite("man:getppid:NS:1");
    return;
  }
  if (parent == kReaper && c.self() != 0) e.cite("posix:_exit:ORPHAN:1");
}

// ---- wait family -----------------------------------------------------------------

// A wait call, decoded from its step once its checks have passed.
struct WaitCall {
  bool siginfo = false;  // waitid: reports through siginfo_t
  bool any = true;       // every child matches
  ActorId who = -1;      // the one child, when !any
  bool nohang = false;
  bool nowait = false;
  /* ---- signals (issue 4) ---- */
  bool exited = true;      // reports terminated children (always, except waitid without WEXITED)
  bool stopped = false;    // WUNTRACED / WSTOPPED
  bool continued = false;  // WCONTINUED
  bool pidfd_nonblock = false;  // issue 4, pidfd: waitid(P_PIDFD) on an O_NONBLOCK pidfd
  /* ---- process groups and sessions (issue 4, groups) ---- */
  bool by_group = false;   // only children in process group `group`
  ActorId group = kReaper;
};

// Decodes the step and raises every error that applies.
Check check_wait(const Ctx& c, WaitCall& w) {
  Check k;
  const Step& st = c.step;
  std::int64_t options = 0;
  std::int64_t sel = FC_PIDSEL_ANY;
  switch (st.op) {
    case Op::Wait:
      // posix:wait:EQUIV:1 "The waitpid() function shall be equivalent to
      // wait() if the pid argument is (pid_t)-1 and the options argument is 0."
      break;
    case Op::WaitPid:
    case Op::Wait4:
      sel = st.args[0];
      options = st.args[1];
      // issue 4 (groups): posix:waitpid:PGID:1 "If pid is less than
      // (pid_t)-1, status is requested for any child process whose process
      // group ID is equal to the absolute value of pid."
      if (FC_PIDSEL_IS_GROUP(sel)) {
        w.by_group = true;
        w.group = static_cast<ActorId>(FC_PIDSEL_GROUP_ACTOR(sel));
        sel = FC_PIDSEL_ANY;
      }
      // man:wait:EINVAL:1 "The options argument was invalid." WNOWAIT and
      // WEXITED are waitid() options (posix:waitpid:OPTIONS:1 lists WCONTINUED,
      // WNOHANG, WUNTRACED only); man:wait4:SAME:1 wait4 takes waitpid's.
      if (options & ~static_cast<std::int64_t>(FC_WNOHANG | FC_WUNTRACED | FC_WCONTINUED)) {
        k.raise(EINVAL, "man:wait:EINVAL:1");
      }
      // issue 4: posix:waitpid:WUNTRACED:1, posix:waitpid:WCONTINUED:1.
      w.stopped = options & FC_WUNTRACED;
      w.continued = options & FC_WCONTINUED;
      break;
    case Op::WaitId: {
      w.siginfo = true;
      const std::int64_t idtype = st.args[0];
      sel = st.args[1];
      options = st.args[2];
      // posix:waitid:WEXITED:1 "Applications shall specify at least one of the
      // flags WEXITED, WSTOPPED, or WCONTINUED"; posix:waitid:EINVAL:1 "An
      // invalid value was specified for options".
      if (!(options & (FC_WEXITED | FC_WUNTRACED | FC_WCONTINUED))) {
        k.raise(EINVAL, "posix:waitid:EINVAL:1");
      }
      // issue 4: posix:waitid:WSTOPPED:1, posix:waitid:WCONTINUED:1; only
      // WEXITED reports terminated children.
      w.exited = options & FC_WEXITED;
      w.stopped = options & FC_WUNTRACED;
      w.continued = options & FC_WCONTINUED;
      w.nowait = options & FC_WNOWAIT;  // posix:waitid:WNOWAIT:1
      // waitid's id is a pid or a pgid: the executor passes an actor's pid,
      // and id 0 for both the `any` and the `pgrp` selector.
      const bool id_zero = sel < 0;
      if (idtype == FC_P_ALL) {
        // posix:waitid:P_ALL:1 "waitid() shall wait for any children and id
        // is ignored".
        sel = FC_PIDSEL_ANY;
      } else if (idtype == FC_P_PID) {
        // posix:waitid:P_PID:1; posix:waitid:EINVAL:1 "idtype and id specify
        // an invalid set of processes": no process has pid 0.
        if (id_zero) k.raise(EINVAL, "posix:waitid:EINVAL:1");
      } else {  // FC_P_PGID
        if (id_zero) {
          if (c.profile().waitid_pgid_zero_is_own_group) {
            // man:wait:PGID0:1 "Since Linux 5.4, if id is zero, then wait for
            // any child that is in the same process group as the caller's
            // process group". issue 4 (groups): that group, as waitpid(0).
            sel = FC_PIDSEL_PGRP;
          } else {
            // posix:waitid:P_PGID:1 wait for a child whose group id is 0:
            // there is none, or the set is invalid.
            k.raise(ECHILD, "posix:waitid:P_PGID:1");
            k.raise(EINVAL, "posix:waitid:EINVAL:1");
            sel = FC_PIDSEL_ANY;  // only the errors above apply
          }
        } else {
          // issue 4 (groups): posix:waitid:P_PGID:1 any child whose process
          // group ID is the actor's pid (the executor passes that pid).
          w.by_group = true;
          w.group = static_cast<ActorId>(sel);
          sel = FC_PIDSEL_ANY;
        }
      }
      break;
    }
    /* ---- waitid(P_PIDFD) (issue 4, pidfd) ---- */
    case Op::WaitIdPidfd: {
      w.siginfo = true;
      options = st.args[1];
      // posix:waitid:WEXITED:1 / posix:waitid:EINVAL:1, as for waitid.
      if (!(options & (FC_WEXITED | FC_WUNTRACED | FC_WCONTINUED))) {
        k.raise(EINVAL, "posix:waitid:EINVAL:1");
      }
      w.exited = options & FC_WEXITED;
      w.stopped = options & FC_WUNTRACED;
      w.continued = options & FC_WCONTINUED;
      w.nowait = options & FC_WNOWAIT;
      const std::int64_t fd = st.args[0];
      const int target = pidfd_target(c.s, c.self(), fd);
      if (fd < 0) {
        // linux:kernel_waitid:PIDFD:1 "if (upid < 0) return -EINVAL;"
        k.raise(EINVAL, "linux:kernel_waitid:PIDFD:1");
      } else if (target < 0) {
        // linux:pidfd_get_pid:EBADF:1 a descriptor that is not open, or not
        // a pidfd, is EBADF (waitid(2) names no error for it).
        k.raise(EBADF, "linux:pidfd_get_pid:EBADF:1");
      } else {
        // man:wait:P_PIDFD:1 "Wait for the child referred to by the PID file
        // descriptor specified in id."
        sel = target;
        w.pidfd_nonblock = c.s.ofds[c.s.fd(c.self(), fd)->ofd].nonblock;
      }
      if (!k.passed()) return k;
      break;
    }
    default: break;  // coverage:impossible
  }
  w.nohang = options & FC_WNOHANG;

  std::vector<ActorId> children = c.s.children(c.self());
  // issue 4 (groups): posix:waitpid:PGRP:1 pid 0 selects the children in the
  // caller's process group (its group when the call is made).
  if (sel == FC_PIDSEL_PGRP) {
    w.by_group = true;
    w.group = c.s.proc(c.self()).pgid;
  }
  if (w.by_group) {
    std::vector<ActorId> in_group;
    for (ActorId child : children) {
      if (c.s.proc(child).pgid == w.group) in_group.push_back(child);
    }
    children = std::move(in_group);
  }
  // issue 4: Profile::wait_zombies_need_wexited.
  bool zombies_dropped = false;
  if (!w.exited && (w.stopped || w.continued) && c.profile().wait_zombies_need_wexited) {
    std::vector<ActorId> live;
    for (ActorId child : children) {
      if (c.s.proc(child).life == Life::Alive) live.push_back(child);
    }
    zombies_dropped = live.size() != children.size();
    children = std::move(live);
  }
  if (sel == FC_PIDSEL_ANY || sel == FC_PIDSEL_PGRP) {
    // posix:waitpid:PGRP:1 pid 0 means "any child process whose process group
    // ID is equal to that of the calling process": issue 4 (groups) filters
    // by the real group above (matches()).
    w.any = true;
    // posix:wait:ECHILD:1 "The calling process has no existing unwaited-for
    // child processes."
    if (children.empty()) {
      k.raise(ECHILD, zombies_dropped ? "linux:wait_consider_task:ZOMBIE:1"
                      : w.by_group && !w.siginfo ? "posix:waitpid:ECHILD:1"  // issue 4 (groups)
                      : w.siginfo     ? "posix:waitid:ECHILD:1"
                                      : "posix:wait:ECHILD:1");
    }
  } else if (sel >= 0) {
    w.any = false;
    w.who = static_cast<ActorId>(sel);
    bool is_child = false;
    for (ActorId child : children) is_child |= child == w.who;
    // posix:waitpid:ECHILD:1 "The process specified by pid does not exist or
    // is not a child of the calling process" (a reaped child is neither);
    // man:wait:ECHILD:1 says the same of waitid's idtype and id.
    if (!is_child) {
      k.raise(ECHILD, zombies_dropped ? "linux:wait_consider_task:ZOMBIE:1"
                      : w.siginfo     ? "man:wait:ECHILD:1"
                                      : "posix:waitpid:ECHILD:1");
    }
  }
  return k;
}

bool matches(const WaitCall& w, ActorId child) { return w.any || w.who == child; }
// PLANTED BUG (tests only, issue 4): a pid selector matches every child.
bool matches(const State& s, const WaitCall& w, ActorId child) {
  if (s.profile->planted_bug == Profile::PlantedBug::PidSelectorMatchesAny) return true;
  // issue 4 (groups): a group selector matches the children in that group.
  if (w.by_group && s.proc(child).pgid != w.group) return false;
  return matches(w, child);
}

// What a child has to report to a wait (issue 4: stops and continues too).
enum class Event { None, Exit, Stop, Cont };

Event event_of(const State& s, const WaitCall& w, ActorId child) {
  const Process& p = s.proc(child);
  if (p.life == Life::Zombie) return w.exited ? Event::Exit : Event::None;
  // posix:waitpid:WUNTRACED:1 "The status of any child processes specified
  // by pid that are stopped, and whose status has not yet been reported since
  // they stopped, shall also be reported to the requesting process."
  if (p.life == Life::Alive && w.stopped && p.stop_report) {
    // PLANTED BUG (tests only): stopped children are never reported.
    if (s.profile->planted_bug == Profile::PlantedBug::StopNotReported) return Event::None;
    return Event::Stop;
  }
  // posix:waitpid:WCONTINUED:1 "... status of any continued child process
  // specified by pid whose status has not been reported since it continued
  // from a job control stop shall be reported".
  if (p.life == Life::Alive && w.continued && p.cont_report) return Event::Cont;
  return Event::None;
}

// The observation of a wait that collected `child`'s status.
Observation collected(const State& s, const WaitCall& w, ActorId child) {
  const Process& p = s.proc(child);
  const Event ev = event_of(s, w, child);
  if (w.siginfo) {
    // posix:waitid:SIGINFO:1 si_pid, si_code CLD_EXITED, si_status the exit
    // status. Profile::waitid_si_status_masked: Linux gives status & 0377.
    // issue 4: posix:waitid:SICODE:1 CLD_KILLED (si_status the signal; no
    // core dump is ever made: man:core:NODUMP:1), CLD_STOPPED, CLD_CONTINUED.
    Observation o = Observation::returned(0).with("si_pid", actor_symbol(child));
    if (ev == Event::Stop) {
      return o.with("si_code", "CLD_STOPPED").with("si_status", std::to_string(p.stop_report));
    }
    if (ev == Event::Cont) {
      return o.with("si_code", "CLD_CONTINUED").with("si_status", std::to_string(FC_SIGCONT));
    }
    if (p.term_sig) {
      return o.with("si_code", "CLD_KILLED").with("si_status", std::to_string(p.term_sig));
    }
    return o.with("si_code", "CLD_EXITED")
        .with("si_status", std::to_string(s.profile->waitid_si_status_masked ? p.exit_status
                                                                             : p.exit_value));
  }
  // posix:waitpid:RET:1 "it shall return a value equal to the process ID of
  // the child process for which status is reported"; WIFEXITED/WEXITSTATUS.
  // issue 4: WIFSIGNALED/WTERMSIG (WCOREDUMP never: man:core:NODUMP:1),
  // WIFSTOPPED/WSTOPSIG, WIFCONTINUED (posix:wait:STATUS:1).
  Observation o = Observation::returned_pid(actor_symbol(child));
  if (ev == Event::Stop) return o.with("status", "stopped(" + std::to_string(p.stop_report) + ")");
  if (ev == Event::Cont) return o.with("status", "continued");
  if (p.term_sig) return o.with("status", obs::signaled(p.term_sig, false));
  return o.with("status", obs::exited(p.exit_status));
}

// Collects `child`'s status: the zombie is reaped unless WNOWAIT.
void collect(State& s, const WaitCall& w, ActorId child, std::vector<std::string>& rules) {
  const Event ev = event_of(s, w, child);
  if (ev == Event::Stop || ev == Event::Cont) rules.push_back("posix:wait:STATUS:1");
  if (ev == Event::Exit && s.proc(child).term_sig) {
    rules.push_back("posix:wait:STATUS:1");
    rules.push_back("man:core:NODUMP:1");
  }
  if (w.nowait) {
    // posix:waitid:WNOWAIT:1 "Keep the process whose status is returned in
    // infop in a waitable state."
    rules.push_back("posix:waitid:WNOWAIT:1");
    return;
  }
  if (ev == Event::Stop) {
    s.proc(child).stop_report = 0;  // reported: "has not yet been reported since"
    return;
  }
  if (ev == Event::Cont) {
    s.proc(child).cont_report = false;
    return;
  }
  // posix:_exit:ZOMBIE:1 the zombie is deleted once its parent waits for it.
  s.proc(child).life = Life::Reaped;
  // issue 3: man:getrusage:CHILDREN:1 its usage now counts in the waiter's.
  if (s.proc(child).parent != kReaper) s.proc(s.proc(child).parent).reaped_child = true;
  if (w.siginfo && s.profile->waitid_si_status_masked && !s.proc(child).term_sig) {
    // man:_exit:STATUS:1 "The value status & 0xFF is returned to the parent
    // process as the process's exit status": waitid too, on Linux.
    rules.push_back("man:_exit:STATUS:1");
  }
}

std::vector<ActorId> waitable(const State& s, ActorId parent, const WaitCall& w) {
  std::vector<ActorId> result;
  for (ActorId child : s.children(parent)) {
    if (matches(s, w, child) && event_of(s, w, child) != Event::None) result.push_back(child);
  }
  return result;
}

StepResult rule_wait_family(const Ctx& c) {
  WaitCall w;
  Check k = check_wait(c, w);
  if (!k.passed()) return k.result(c.s);

  const char* ret_rule = w.siginfo ? "posix:waitid:SIGINFO:1" : "posix:waitpid:RET:1";
  std::vector<Effect> effects;
  const std::vector<ActorId> zombies = waitable(c.s, c.self(), w);
  if (!zombies.empty()) {
    // posix:wait:ORDER:1 "If status information is available for two or more
    // child processes, the order in which their status is reported is
    // unspecified": every zombie that matches is an allowed choice.
    for (ActorId child : zombies) {
      Effect e(c.s);
      e.obs = collected(e.next, w, child);
      collect(e.next, w, child, e.rules);
      e.cite(ret_rule);
      if (zombies.size() > 1) e.cite("posix:wait:ORDER:1");
      effects.push_back(std::move(e));
    }
    return finish(c, std::move(effects));
  }

  if (w.pidfd_nonblock && !w.nohang) {
    // man:pidfd_open:NONBLOCK:1 "If the process referred to by the file
    // descriptor has not yet terminated, then an attempt to wait on the file
    // descriptor using waitid(2) will immediately return the error EAGAIN
    // rather than blocking." (issue 4, pidfd)
    Check k;
    k.raise(EAGAIN, "man:pidfd_open:NONBLOCK:1");
    return k.result(c.s);
  }
  Effect e(c.s);
  if (w.nohang) {
    if (!w.siginfo) {
      // posix:waitpid:WNOHANG:1 "If waitpid() was invoked with WNOHANG set in
      // options, it has at least one child process specified by pid for which
      // status is not available, and status is not available for any process
      // specified by pid, 0 shall be returned."
      e.obs = Observation::returned(0);
      e.cite("posix:waitpid:WNOHANG:1");
    } else if (c.profile().waitid_wnohang_zeroes_siginfo) {
      // posix:waitid:WNOHANG:1 "0 shall be returned"; man:wait:WNOHANG:1 /
      // posix:waitid:WNOHANG:2 si_pid (and si_signo) are set to zero.
      e.obs = Observation::returned(0).with("si_pid", "0");
      e.cite("posix:waitid:WNOHANG:1").cite("man:wait:WNOHANG:1");
    } else {
      // man:wait:WNOHANG:2 "the state of the siginfo_t structure pointed to by
      // infop depends on the implementation": si_pid may hold anything, which
      // an observation cannot enumerate.
      e.special = Special{Special::Kind::Undefined,
                          "waitid(WNOHANG) with nothing waitable: siginfo contents unspecified"};
    }
    return finish(c, std::move(e));
  }

  // posix:waitpid:SUSPEND:1 "The wait() function shall suspend execution of
  // the calling thread until status information for one of the terminated
  // child processes of the calling process is available"; waitpid() and
  // waitid() do the same for the children they select.
  block(c, e);
  e.cite("posix:waitpid:SUSPEND:1");
  return finish(c, std::move(e));
}

}  // namespace

Wake wake_wait(State& s, const Program& program, std::size_t blocked, Observation& obs,
               std::vector<std::string>& rules) {
  const Step& st = program.steps.at(blocked);
  // Re-decode the blocked call; its checks passed when it blocked, and the
  // caller could not change its own children since (it was blocked).
  Ctx c{s, program, blocked, st};
  WaitCall w;
  Check k = check_wait(c, w);
  if (!k.passed()) {
    // issue 4: posix:wait:NOCLDWAIT:1 with SIGCHLD ignored (or SA_NOCLDWAIT)
    // "the calling thread shall block until all of the children of the
    // process containing the calling thread terminate, and wait() and
    // waitpid() shall fail and set errno to [ECHILD]": the children it waited
    // for were reaped on their own. (A check that failed when the call
    // started would not have blocked.)
    // With Profile::wait_zombies_need_wexited the last child that could stop
    // or continue has exited.
    obs = Observation::failed(ECHILD);
    rules.push_back(w.exited ? "posix:wait:NOCLDWAIT:1" : "linux:wait_consider_task:ZOMBIE:1");
    return Wake::Returned;
  }
  const std::vector<ActorId> zombies = waitable(s, st.actor, w);
  if (zombies.empty()) return Wake::Stays;
  // coverage:impossible: one step makes at most one new zombie (the exiting
  // actor; its own zombie children go to the reaper).
  if (zombies.size() > 1) return Wake::Ambiguous;
  // posix:_exit:NOTIFY:1 "If the parent process of the calling process is
  // executing a wait(), waitid(), or waitpid() ... it shall be notified".
  obs = collected(s, w, zombies.front());
  collect(s, w, zombies.front(), rules);
  rules.push_back("posix:_exit:NOTIFY:1");
  return Wake::Returned;
}

// ---- the rules -------------------------------------------------------------------

StepResult rule_Fork(const Ctx& c) {
  Check k = check_fork(c);
  if (!k.passed()) return k.result(c.s);
  Effect e(c.s);
  effect_fork(c, e);
  return finish(c, std::move(e));
}

StepResult rule_Exit(const Ctx& c) {
  // posix:exit:CONSEQ:1 exit() flushes stdio and runs atexit handlers (none
  // in this slice), then the process "shall be terminated with the same
  // consequences as described in Consequences of Process Termination".
  Effect e(c.s);
  libc_exit(c, e);  // issue 3: stdio streams are flushed first
  effect_exit(c, e);
  e.cite("posix:exit:CONSEQ:1");
  return finish(c, std::move(e));
}

StepResult rule_UExit(const Ctx& c) {
  Effect e(c.s);
  libc_uexit(c, e);  // issue 3: no stdio flush
  effect_exit(c, e);
  return finish(c, std::move(e));
}

StepResult rule_GetPid(const Ctx& c) {
  // posix:getpid:ERRORS:1 "The getpid() function shall always be successful".
  Effect e(c.s);
  effect_getpid(c, e);
  return finish(c, std::move(e));
}

StepResult rule_GetPpid(const Ctx& c) {
  // posix:getppid:ERRORS:1 "The getppid() function shall always be successful".
  Effect e(c.s);
  effect_getppid(c, e);
  return finish(c, std::move(e));
}

/* ---- reparenting (issue 4) ---- */
StepResult rule_Subreaper(const Ctx& c) {
  // man:prctl:SUBREAPER:1 PR_SET_CHILD_SUBREAPER "If arg2 is nonzero, set the
  // "child subreaper" attribute of the calling process; if arg2 is zero, unset
  // the attribute." Not inherited by fork (effect_fork starts from a fresh
  // Process), kept across exec.
  Effect e(c.s);
  e.next.proc(c.self()).subreaper = c.step.args[0] != 0;
  e.obs = Observation::returned(0);
  e.cite("man:prctl:SUBREAPER:1").cite("man:prctl:SUBREAPER:3");
  return finish(c, std::move(e));
}

StepResult rule_Wait(const Ctx& c) { return rule_wait_family(c); }
StepResult rule_WaitPid(const Ctx& c) { return rule_wait_family(c); }
StepResult rule_Wait4(const Ctx& c) { return rule_wait_family(c); }
StepResult rule_WaitId(const Ctx& c) { return rule_wait_family(c); }
StepResult rule_WaitIdPidfd(const Ctx& c) { return rule_wait_family(c); }  // issue 4, pidfd

}  // namespace fc::oracle
