// Process groups and sessions (issue 4, groups): setpgid, setsid, getpgid,
// getsid, getpgrp, and orphaned process groups (SIGHUP then SIGCONT to a
// newly orphaned group with a stopped member). Fork's inheritance is in
// process.cc (effect_fork), the group-selected waits in process.cc
// (check_wait).
//
// Quotes: oracles/spec/pgrp.md.
//
// Groups and sessions are named by the process whose pid they are
// (Process::pgid / sid; kReaper: the reaper's, which is no actor). The
// reaper leads its own session and group; P0 leads a group of its own in
// that session (harness/executor/supervisor.cc RunReaper).
#include <algorithm>
#include <cerrno>

#include "oracles/rules.h"

namespace fc::oracle {
namespace {

ActorId pgid_of(const State& s, ActorId a) { return a == kReaper ? kReaper : s.proc(a).pgid; }
ActorId sid_of(const State& s, ActorId a) { return a == kReaper ? kReaper : s.proc(a).sid; }

std::uint32_t bit(ActorId a) { return a >= 0 && a < 32 ? 1u << a : 0u; }

// The process the step's FC_ARG_PROCSEL names (pid 0: the caller).
ActorId procsel(const Ctx& c, std::int64_t sel) {
  return sel == FC_PROCSEL_SELF ? c.self() : static_cast<ActorId>(sel);
}

// Harness: a child of the reaper is reaped by the reaper's own loop, so a
// process the model has as reaped may still be a zombie for a moment
// (signal.cc rule_kill does the same).
bool maybe_lingering(const Process& p) { return p.life == Life::Reaped && p.parent == kReaper; }

// Whether a process group `group` exists in session `sid`: some process
// (a zombie too: it keeps its group until it is reaped) has it. Sets
// `unsure` when the answer depends on a child of the reaper that may not be
// reaped yet.
bool group_exists(const State& s, ActorId group, ActorId sid, bool& unsure) {
  bool found = false;
  for (const Process& p : s.procs) {
    if (p.pgid != group || p.sid != sid) continue;
    if (p.life == Life::Alive || p.life == Life::Zombie) found = true;
    else if (maybe_lingering(p)) unsure = true;
  }
  if (found) unsure = false;
  return found;
}

// Group membership changes while a wait that selects by group is blocked
// would need Linux's rule that such a wait keeps the group it started with
// (kernel/exit.c: the struct pid is taken when the call starts) and is
// woken only by its children's events: not modelled.
bool wait_blocked_on(const State& s, ActorId target) {
  const Process& t = s.proc(target);
  if (t.blocked_step >= 0) return true;
  return t.parent != kReaper && s.proc(t.parent).blocked_step >= 0;
}

// ---- setpgid -------------------------------------------------------------------

StepResult rule_setpgid(const Ctx& c) {
  const ActorId self = c.self();
  const Process& me = c.s.proc(self);
  const ActorId target = procsel(c, c.step.args[0]);
  const std::int64_t pgid_arg = c.step.args[1];
  Check k;
  // posix:setpgid:EINVAL:1 "The value of the pgid argument is less than 0".
  if (pgid_arg == FC_PGID_NEGATIVE) k.raise(EINVAL, "posix:setpgid:EINVAL:1");
  // posix:setpgid:PID0:1 "If pid is 0, the process ID of the calling process
  // shall be used. Also, if pgid is 0, the process ID of the indicated
  // process shall be used."
  const ActorId group = pgid_arg == FC_PGID_SAME ? target : static_cast<ActorId>(pgid_arg);
  const Process& t = c.s.proc(target);
  const bool is_self = target == self;
  // A zombie child is still a child (kernel/sys.c setpgid finds it).
  const bool is_child =
      t.parent == self && (t.life == Life::Alive || t.life == Life::Zombie) && !is_self;
  if (!is_self && !is_child) {
    // posix:setpgid:ESRCH:1 "The value of the pid argument does not match the
    // process ID of the calling process or of a child process of the calling
    // process."
    k.raise(ESRCH, "posix:setpgid:ESRCH:1");
    return k.result(c.s);
  }
  if (is_child && t.sid != me.sid) {
    // posix:setpgid:EPERM:2 "... a child process of the calling process, and
    // the child process is not in the same session as the calling process."
    k.raise(EPERM, "posix:setpgid:EPERM:2");
  }
  if (is_child && t.execed) {
    // posix:setpgid:EACCES:1 "... a child process of the calling process and
    // the child process has successfully executed one of the exec functions."
    k.raise(EACCES, "posix:setpgid:EACCES:1");
  }
  if (t.sid == target) {
    // posix:setpgid:EPERM:1 "The process indicated by the pid argument is a
    // session leader."
    k.raise(EPERM, "posix:setpgid:EPERM:1");
  }
  if (pgid_arg != FC_PGID_NEGATIVE && group != target) {
    // posix:setpgid:EPERM:3 "The value of the pgid argument is valid but does
    // not match the process ID of the process indicated by the pid argument
    // and there is no process with a process group ID that matches the value
    // of the pgid argument in the same session as the calling process."
    bool unsure = false;
    const bool exists = group_exists(c.s, group, me.sid, unsure);
    if (unsure) {
      k.not_modeled("setpgid into a group whose last member is a child of the reaper that may "
                    "not be reaped yet");
    } else if (!exists) {
      k.raise(EPERM, "posix:setpgid:EPERM:3");
    }
  }
  if (!k.passed()) return k.result(c.s);
  if (t.pgid != group && wait_blocked_on(c.s, target)) {
    k.not_modeled("a process changes group while it or its parent is blocked in a wait");
    return k.result(c.s);
  }
  Effect e(c.s);
  // posix:setpgid:DESC:1 "The setpgid() function shall either join an
  // existing process group or create a new process group within the session
  // of the calling process."
  e.next.proc(target).pgid = group;
  e.obs = Observation::returned(0);
  e.cite("posix:setpgid:DESC:1").cite("posix:setpgid:PID0:1").cite("posix:setpgid:RET:1");
  return finish(c, std::move(e));
}

// ---- setsid ----------------------------------------------------------------------

StepResult rule_setsid(const Ctx& c) {
  const ActorId self = c.self();
  Check k;
  // posix:setsid:EPERM:1 "The calling process is already a process group
  // leader, or the process group ID of a process other than the calling
  // process matches the process ID of the calling process."
  bool leader = false, unsure = false;
  for (const Process& p : c.s.procs) {
    if (p.pgid != self) continue;
    if (p.life == Life::Alive || p.life == Life::Zombie) leader = true;
    else if (maybe_lingering(p)) unsure = true;
  }
  // PLANTED BUG (tests only): a group leader may create a session.
  if (planted(c, Profile::PlantedBug::SetsidByGroupLeader)) leader = unsure = false;
  if (leader) {
    k.raise(EPERM, "posix:setsid:EPERM:1");
  } else if (unsure) {
    k.not_modeled("setsid while a child of the reaper that may not be reaped yet has the caller's "
                  "pid as its group");
  }
  if (!k.passed()) return k.result(c.s);
  if (wait_blocked_on(c.s, self)) {
    k.not_modeled("a process changes group while its parent is blocked in a wait");
    return k.result(c.s);
  }
  Effect e(c.s);
  // posix:setsid:DESC:1 "The setsid() function shall create a new session,
  // if the calling process is not a process group leader. Upon return the
  // calling process shall be the session leader of this new session, shall
  // be the process group leader of a new process group, and shall have no
  // controlling terminal. The process group ID of the calling process shall
  // be set equal to the process ID of the calling process."
  Process& p = e.next.proc(self);
  p.sid = self;
  p.pgid = self;
  // posix:setsid:RET:1 "Upon successful completion, setsid() shall return the
  // value of the new process group ID of the calling process."
  e.obs = Observation::returned_pid(actor_symbol(self));
  e.cite("posix:setsid:DESC:1").cite("posix:setsid:RET:1");
  return finish(c, std::move(e));
}

// ---- getpgid, getsid, getpgrp ------------------------------------------------------

StepResult rule_get_id(const Ctx& c, bool session) {
  const ActorId target = procsel(c, c.step.args[0]);
  const Process& t = c.s.proc(target);
  const char* esrch = session ? "posix:getsid:ESRCH:1" : "posix:getpgid:ESRCH:1";
  const char* ret = session ? "posix:getsid:RET:1" : "posix:getpgid:RET:1";
  const ActorId value = session ? t.sid : t.pgid;
  std::vector<Effect> effects;
  auto success = [&](const char* extra) {
    Effect e(c.s);
    e.obs = Observation::returned_pid(actor_symbol(value));
    e.cite(ret);
    if (extra) e.cite(extra);
    effects.push_back(std::move(e));
  };
  if (t.life == Life::Reaped) {
    // posix:getpgid:ESRCH:1 / posix:getsid:ESRCH:1 "There is no process with
    // a process ID equal to pid." (a zombie is still a process).
    Check k;
    k.raise(ESRCH, esrch);
    StepResult r = k.result(c.s);
    if (maybe_lingering(t)) {
      // Harness: the reaper may not have reaped it yet (see maybe_lingering).
      success("posix:kill:ZOMBIE:1");
      StepResult z = finish(c, std::move(effects));
      for (Outcome& o : z.outcomes) r.outcomes.push_back(std::move(o));
    }
    return r;
  }
  success(nullptr);
  if (t.sid != c.s.proc(c.self()).sid && c.profile().getsid_other_session_may_eperm) {
    // posix:getsid:EPERM:1 / posix:getpgid:EPERM:1: another session's
    // process "and the implementation does not allow access": allowed by
    // POSIX, never on Linux (man:getsid:NOTES:1).
    Check k;
    k.raise(EPERM, session ? "posix:getsid:EPERM:1" : "posix:getpgid:EPERM:1");
    StepResult r = finish(c, std::move(effects));
    StepResult f = k.result(c.s);
    for (Outcome& o : f.outcomes) r.outcomes.push_back(std::move(o));
    return r;
  }
  if (t.sid != c.s.proc(c.self()).sid) effects.back().cite("man:getsid:NOTES:1");
  return finish(c, std::move(effects));
}

// ---- orphaned process groups -------------------------------------------------------

// How a member of a newly orphaned group takes SIGHUP then SIGCONT.
void hup_and_cont(State& s, ActorId m, bool& dies, Effect& e) {
  Process& p = s.proc(m);
  const int hup = p.disp[FC_SIGHUP];
  if (hup == FC_DISP_DFL) {
    // posix:signal:DEFAULTS:1 SIGHUP's default action is to terminate; a
    // stopped process is not spared: linux:complete_signal:FATAL:1 a fatal
    // signal to a stopped process kills it at once (and the SIGCONT that
    // follows finds it exiting: linux:prepare_signal:EXITING:1).
    dies = true;
    e.cite("posix:signal:DEFAULTS:1");
    if (p.stopped) e.cite("linux:complete_signal:FATAL:1").cite("linux:prepare_signal:EXITING:1");
    return;
  }
  dies = false;
  if (hup == FC_DISP_HANDLER) {
    // posix:signal:CATCH:1 (while stopped, it stays pending until SIGCONT:
    // posix:signal:STOPPED_PENDING:1).
    p.caught |= 1u << FC_SIGHUP;
    e.cite("posix:signal:CATCH:1");
    if (p.stopped) e.cite("posix:signal:STOPPED_PENDING:1");
  } else {
    e.cite("posix:signal:SIG_IGN:1");
  }
  if (p.stopped) {
    // posix:signal:SIGCONT:1 "When SIGCONT is generated for a process that is
    // stopped, the process shall be continued, even if the SIGCONT signal is
    // ignored by the process or is blocked".
    p.stopped = false;
    p.stop_report = 0;
    p.cont_report = true;
    e.cite("posix:signal:SIGCONT:1");
    if (p.parent != kReaper) {
      const Process& parent = s.proc(p.parent);
      if (parent.disp[FC_SIGCHLD] == FC_DISP_HANDLER && !parent.nocldstop) {
        // linux:prepare_signal:CLD_CONTINUED:1 the continued process itself
        // notifies its parent when it next runs: no sync point covers it.
        if (!e.special) {
          e.special = Special{Special::Kind::NotModeled,
                              "an orphaned group's continued member notifies a parent that "
                              "catches SIGCHLD (asynchronous)"};
        }
        return;
      }
    }
    notify_parent(s, m, e);
  }
  if (s.proc(m).disp[FC_SIGCONT] == FC_DISP_HANDLER) {
    s.proc(m).caught |= 1u << FC_SIGCONT;
    e.cite("posix:signal:CATCH:1");
  }
}

}  // namespace

std::uint32_t orphaned_groups(const State& s) {
  // posix:xbd:ORPHANED:1 "Orphaned Process Group: A process group in which
  // the parent of every member is either itself a member of the group or is
  // not a member of the group's session." Exited members do not count
  // (linux:will_become_orphaned_pgrp:EXITED:1).
  std::uint32_t exists = 0, connected = 0;
  for (std::size_t a = 0; a < s.procs.size(); ++a) {
    const Process& p = s.procs[a];
    if (p.life == Life::Alive || p.life == Life::Zombie) exists |= bit(p.pgid);
    if (p.life != Life::Alive) continue;
    if (pgid_of(s, p.parent) != p.pgid && sid_of(s, p.parent) == p.sid) connected |= bit(p.pgid);
  }
  return exists & ~connected;
}

void orphaned_group_signals(const Ctx& c, State& s, ActorId exited, ActorId old_parent,
                            const std::vector<ActorId>& children, Effect& e) {
  // linux:kill_orphaned_pgrp:1 the groups an exit may orphan: the exiting
  // process's own, if its parent is in another group of its session (it
  // was a connection), and each child's (a zombie child too), if the child
  // is in another group of the exiting process's session. Each is checked
  // once every child has its new parent. Unlike a comparison of before and
  // after, a zombie child's group is signalled even if, its zombie not
  // counting (linux:will_become_orphaned_pgrp:EXITED:1), it was orphaned
  // already: POSIX counts a zombie as a member, so this exit is what
  // orphans it (posix:_exit:ORPHAN_PGRP:1).
  if (e.orphan_depth == 0) e.orphan_signalled = 0;  // a new exit step
  const Process& t = s.proc(exited);
  std::uint32_t candidates = 0;
  if (pgid_of(s, old_parent) != t.pgid && sid_of(s, old_parent) == t.sid) candidates |= bit(t.pgid);
  for (ActorId child : children) {
    const Process& ch = s.proc(child);
    if (ch.pgid != t.pgid && ch.sid == t.sid) candidates |= bit(ch.pgid);
  }
  const std::uint32_t newly = candidates & orphaned_groups(s);
  if (!newly) return;
  std::vector<ActorId> dying;
  for (ActorId g = 0; g < 32; ++g) {
    if (!(newly & bit(g))) continue;
    std::vector<ActorId> members;
    bool stopped = false;
    for (std::size_t a = 0; a < s.procs.size(); ++a) {
      const Process& p = s.procs[a];
      if (p.life != Life::Alive || p.pgid != g) continue;
      members.push_back(static_cast<ActorId>(a));
      stopped |= p.stopped;
    }
    if (!stopped) continue;
    // PLANTED BUG (tests only): the newly orphaned group is left stopped.
    // The executor still waits for the deaths the right rule predicts, so
    // what a test observes next does not depend on scheduling.
    if (planted(c, Profile::PlantedBug::OrphanedStopNoHup)) {
      if (e.orphan_depth == 0 && (c.step.op == Op::Exit || c.step.op == Op::UExit)) {
        for (ActorId m : members) {
          if (s.proc(m).disp[FC_SIGHUP] == FC_DISP_DFL) if (std::find(e.deaths.begin(), e.deaths.end(), m) == e.deaths.end()) e.deaths.push_back(m);
        }
      }
      continue;
    }
    if (e.orphan_depth > 0 && (e.orphan_signalled & bit(g))) continue;
    if (e.orphan_depth > 0) {
      // A death from the SIGHUP orphans yet another stopped group: the
      // deaths are concurrent, so which group is orphaned when is not
      // decided here.
      if (!e.special) {
        e.special = Special{Special::Kind::NotModeled,
                            "a SIGHUP death orphans another group with a stopped member"};
      }
      return;
    }
    // posix:_exit:ORPHAN_PGRP:1 "If the exit of the process causes a process
    // group to become orphaned, and if any member of the newly-orphaned
    // process group is stopped, then a SIGHUP signal followed by a SIGCONT
    // signal shall be sent to each process in the newly-orphaned process
    // group." linux:kill_orphaned_pgrp:1 does so when the exit or the
    // reparenting of a child takes away the group's last outside parent.
    e.cite("posix:_exit:ORPHAN_PGRP:1").cite("posix:xbd:ORPHANED:1").cite("linux:kill_orphaned_pgrp:1");
    e.orphan_signalled |= bit(g);
    for (ActorId m : members) {
      bool dies = false;
      hup_and_cont(s, m, dies, e);
      if (dies) dying.push_back(m);
    }
  }
  if (dying.empty()) return;
  if (c.step.op != Op::Exit && c.step.op != Op::UExit) {
    // The executor's sync for these deaths rides on exit steps only
    // (wire.h FC_SYNC_DEATHS).
    if (!e.special) {
      e.special = Special{Special::Kind::NotModeled,
                          "a SIGHUP death from a group orphaned by a signal's death"};
    }
    return;
  }
  ++e.orphan_depth;
  for (ActorId m : dying) {
    if (s.proc(m).life != Life::Alive) continue;
    end_process(c, s, m, FC_SIGHUP, e);
    if (std::find(e.deaths.begin(), e.deaths.end(), m) == e.deaths.end()) e.deaths.push_back(m);
  }
  --e.orphan_depth;
}

StepResult rule_SetPgid(const Ctx& c) { return rule_setpgid(c); }
StepResult rule_SetSid(const Ctx& c) { return rule_setsid(c); }
StepResult rule_GetPgid(const Ctx& c) { return rule_get_id(c, false); }
StepResult rule_GetSid(const Ctx& c) { return rule_get_id(c, true); }

StepResult rule_GetPgrp(const Ctx& c) {
  // posix:getpgrp:RET:1 "The getpgrp() function shall return the process
  // group ID of the calling process." posix:getpgrp:ERRORS:1 "always
  // successful".
  Effect e(c.s);
  e.obs = Observation::returned_pid(actor_symbol(c.s.proc(c.self()).pgid));
  e.cite("posix:getpgrp:RET:1");
  return finish(c, std::move(e));
}

}  // namespace fc::oracle
