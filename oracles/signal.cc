// Signal area (issue 4): kill, sigaction, caught, and what signals do to a
// process: death, stop, continue, the recording handler, SIGCHLD to the
// parent and auto-reaping; dispositions across exec (fork: process.cc).
//
// Quotes: oracles/spec/signal.md.
//
// Harness facts the model relies on (harness/executor/ops_signal.cc):
// - the recording handler is installed with SA_RESTART and records, per
//   process image, the set of signals it caught; `caught` observes the set
//   (standard signals may be merged while pending, posix:signal:MERGE:1, so
//   how many times each was caught is not an observation);
// - every actor is made non-dumpable and gets RLIMIT_CORE 0, so a signal
//   whose default action is "core" never dumps (man:core:NODUMP:1);
// - a stop or continue is synchronised through the sender's waitid(WNOWAIT),
//   so only a parent stops or continues its child here (others: NotModeled).
#include <cerrno>

#include "oracles/rules.h"

namespace fc::oracle {
namespace {

// posix:signal:DEFAULTS:1 (<signal.h> table): T terminate, A abnormal
// termination (core), I ignore, S stop, C continue.
enum class Default { Term, Core, Ignore, Stop, Cont };

Default default_action(int sig) {
  switch (sig) {
    case FC_SIGQUIT:
    case FC_SIGSEGV: return Default::Core;
    case FC_SIGCHLD: return Default::Ignore;
    case FC_SIGCONT: return Default::Cont;
    case FC_SIGSTOP: return Default::Stop;
    default: return Default::Term;  // SIGHUP, SIGINT, SIGKILL, SIGUSR1/2, SIGTERM
  }
}

void not_modeled(Effect& e, std::string why) {
  if (!e.special) e.special = Special{Special::Kind::NotModeled, std::move(why)};
}

// The recording handler runs in `who` for `sig` (posix:signal:CATCH:1).
void catch_signal(State& s, ActorId who, int sig, Effect& e) {
  s.proc(who).caught |= 1u << sig;
  e.cite("posix:signal:CATCH:1");
}

// A signal generated for `target` by `sender` (kill). Job control first, then
// the disposition.
void deliver(const Ctx& c, State& s, ActorId target, int sig, Effect& e) {
  Process& t = s.proc(target);
  const bool self = target == c.self();
  /* ---- pid namespaces (issue 4, pidns) ---- */
  // man:pid_namespaces:SIGNALS:1 only signals P0 (the namespace's init) has
  // a handler for reach it from inside its namespace; every actor is inside.
  // linux:sig_task_ignored:UNKILLABLE:1 the others, SIGKILL and SIGSTOP too,
  // are dropped.
  if (c.program.pidns && target == 0 && t.disp[sig] != FC_DISP_HANDLER) {
    e.cite("man:pid_namespaces:SIGNALS:1").cite("linux:sig_task_ignored:UNKILLABLE:1");
    return;
  }
  if (t.stopped && sig != FC_SIGKILL && sig != FC_SIGCONT) {
    // POSIX keeps such a signal pending until SIGCONT; Linux kills at once
    // when its action is to terminate. Not modelled.
    not_modeled(e, "a signal other than SIGKILL or SIGCONT sent to a stopped process");
    return;
  }
  if (sig == FC_SIGKILL) {
    // posix:signal:KILLSTOP:1 "SIGKILL and SIGSTOP ... cannot be caught or
    // ignored": the target terminates.
    if (self) return not_modeled(e, "kill of the caller itself with a fatal signal");
    e.cite("posix:signal:KILLSTOP:1").cite("posix:signal:DEFAULTS:1");
    end_process(c, s, target, sig, e);
    e.sync = FC_SYNC_DEATH;
    return;
  }
  if (sig == FC_SIGSTOP) {
    if (self) return not_modeled(e, "the caller stopping itself");
    if (t.parent != c.self()) {
      return not_modeled(e, "a stop sent by a process that is not the target's parent");
    }
    if (t.blocked_step >= 0) {
      return not_modeled(e, "stopping a process blocked in a step (it could not return)");
    }
    e.cite("posix:signal:KILLSTOP:1").cite("posix:signal:DEFAULTS:1");
    if (t.stopped) return;
    t.stopped = true;
    t.stop_report = FC_SIGSTOP;
    t.cont_report = false;
    e.sync = FC_SYNC_STOP;
    notify_parent(s, target, e);
    return;
  }
  if (sig == FC_SIGCONT) {
    if (t.stopped) {
      if (t.parent != c.self()) {
        return not_modeled(e, "a continue sent by a process that is not the target's parent");
      }
      // posix:signal:SIGCONT:1 "When SIGCONT is generated for a process that
      // is stopped, the process shall be continued, even if the SIGCONT
      // signal is ignored by the process or is blocked".
      t.stopped = false;
      t.stop_report = 0;
      t.cont_report = true;
      e.cite("posix:signal:SIGCONT:1");
      e.sync = FC_SYNC_CONT;
      notify_parent(s, target, e);
    }
    if (s.proc(target).disp[sig] == FC_DISP_HANDLER) catch_signal(s, target, sig, e);
    else e.cite("posix:signal:DEFAULTS:1");
    return;
  }
  const int disp = t.disp[sig];
  if (disp == FC_DISP_IGN) {
    // posix:signal:SIG_IGN:1 "Delivery of the signal shall have no effect on
    // the process."
    e.cite("posix:signal:SIG_IGN:1");
    return;
  }
  if (disp == FC_DISP_HANDLER) {
    // posix:kill:SELF:1 a signal a process sends itself, unblocked, is
    // delivered before kill() returns; to another process it is delivered
    // before that process runs its next step (the executor's turn protocol).
    if (self) e.cite("posix:kill:SELF:1");
    catch_signal(s, target, sig, e);
    return;
  }
  e.cite("posix:signal:DEFAULTS:1");
  switch (default_action(sig)) {
    case Default::Ignore:
    case Default::Cont: return;
    case Default::Stop: return;  // coverage:impossible (SIGSTOP handled above)
    case Default::Term:
    case Default::Core:
      if (self) return not_modeled(e, "kill of the caller itself with a fatal signal");
      end_process(c, s, target, sig, e);
      e.sync = FC_SYNC_DEATH;
      return;
  }
}

StepResult rule_kill(const Ctx& c) {
  const std::int64_t sel = c.step.args[0];
  const int sig = static_cast<int>(c.step.args[1]);
  if (sel < 0) {
    // forkconf: kill names one actor; kill(0)/kill(-1) would reach the reaper.
    Check k;
    k.invalid("kill must name an actor");
    return k.result(c.s);
  }
  const ActorId target = static_cast<ActorId>(sel);
  const Process& t = c.s.proc(target);
  if (t.life == Life::Reaped) {
    // posix:kill:ESRCH:1 "No process or process group can be found
    // corresponding to that specified by pid."
    Check k;
    k.raise(ESRCH, "posix:kill:ESRCH:1");
    StepResult r = k.result(c.s);
    if (t.parent == kReaper) {
      // Harness: the run's reaper collects its children in a loop of its
      // own, so a child of the reaper may still be a zombie, which kill
      // finds (posix:kill:ZOMBIE:1): both answers are allowed.
      Effect e(c.s);
      e.obs = Observation::returned(0);
      e.cite("posix:kill:ZOMBIE:1");
      StepResult z = finish(c, std::move(e));
      for (Outcome& o : z.outcomes) r.outcomes.push_back(std::move(o));
    }
    return r;
  }
  Effect e(c.s);
  e.obs = Observation::returned(0);
  e.cite("posix:kill:RET:1");
  if (t.life == Life::Zombie) {
    // posix:kill:ZOMBIE:1 a zombie still exists ("the [ESRCH] error as
    // described is inappropriate in this case"); nothing happens to it.
    e.cite("posix:kill:ZOMBIE:1");
    return finish(c, std::move(e));
  }
  if (sig == 0) {
    // posix:kill:SIG0:1 "If sig is 0 (the null signal), error checking is
    // performed but no signal is actually sent."
    e.cite("posix:kill:SIG0:1");
    return finish(c, std::move(e));
  }
  /* ---- vfork and exec (issue 3) ---- */
  // man:vfork:SUSPEND:1 the caller also resumes when its child terminates
  // "abnormally, after delivery of a fatal signal": SIGKILL runs no handler
  // in the shared memory, so it is modelled (deliver, end_process; the
  // caller's vfork returns in settle()).
  const bool vfork_child_killed = t.vfork_shared && sig == FC_SIGKILL && target != c.self();
  if (vfork_child_killed) e.cite("man:vfork:SUSPEND:1");
  if ((t.vfork_shared && !vfork_child_killed) ||
      (t.blocked_step >= 0 && (c.program.steps.at(t.blocked_step).op == Op::Vfork ||
                               c.program.steps.at(t.blocked_step).op == Op::CloneVfork))) {
    // A vfork child's handler would run in its parent's memory, and a signal
    // to a parent suspended in vfork arrives only once the child has let go.
    not_modeled(e, "a signal sent to a vfork child or to its suspended parent");
    return finish(c, std::move(e));
  }
  // issue 4, pidns: a blocked signal for the namespace's init is kept
  // pending and dropped only when dequeued (linux:sig_task_ignored:UNKILLABLE:1).
  if (c.program.pidns && target == 0 && (t.mask & (1u << sig)) != 0 &&
      t.disp[sig] != FC_DISP_HANDLER) {
    not_modeled(e, "a blocked signal sent to the pid namespace's init");
    return finish(c, std::move(e));
  }
  if ((t.mask & (1u << sig)) != 0 && !t.stopped) {
    // posix:signal:BLOCKED:1 a blocked signal whose action is not to ignore it
    // stays pending until it is unblocked (or its action is set to ignore).
    // Only FC_SIGSET_MASKABLE signals can be in a mask: none of them is
    // SIGKILL, SIGSTOP or SIGCONT, and all of them terminate by default.
    std::vector<Effect> effects;
    if (t.disp[sig] == FC_DISP_IGN) {
      // posix:signal:BLOCKED_IGN:1 ignored and blocked: "it is unspecified
      // whether the signal is discarded immediately upon generation or
      // remains pending": both are allowed.
      // Linux keeps it pending (kernel/signal.c sig_ignored(): a blocked
      // signal is never ignored at generation): that outcome comes first.
      Effect discarded = e;
      discarded.cite("posix:signal:BLOCKED_IGN:1");
      e.cite("posix:signal:BLOCKED_IGN:1");
      e.next.proc(target).pending |= 1u << sig;
      effects.push_back(std::move(e));
      effects.push_back(std::move(discarded));
    } else {
      e.cite("posix:signal:BLOCKED:1");
      e.next.proc(target).pending |= 1u << sig;
      effects.push_back(std::move(e));
    }
    return finish(c, std::move(effects));
  }
  deliver(c, e.next, target, sig, e);
  return finish(c, std::move(e));
}

}  // namespace

void notify_parent(State& s, ActorId child, Effect& e) {
  const Process& p = s.proc(child);
  const ActorId parent_id = p.parent;
  if (parent_id == kReaper) return;
  Process& parent = s.proc(parent_id);
  const bool ended = p.life == Life::Zombie || p.life == Life::Reaped;
  const bool ignored = parent.disp[FC_SIGCHLD] == FC_DISP_IGN;
  if (ended && p.life == Life::Zombie) {
    // posix:wait:NOCLDWAIT:1 / posix:sigaction:NOCLDWAIT:1 "If ... SA_NOCLDWAIT
    // ... the child processes of the calling processes shall not be
    // transformed into zombie processes when they terminate"; SIGCHLD set to
    // SIG_IGN does the same (posix:signal:SIGCHLD_IGN:1).
    bool autoreap = ignored || parent.nocldwait;
    // PLANTED BUG (tests only): SIG_IGN leaves zombies.
    if (s.profile->planted_bug == Profile::PlantedBug::IgnoredChldKeepsZombie && ignored &&
        !parent.nocldwait) {
      autoreap = false;
    }
    if (autoreap) {
      s.proc(child).life = Life::Reaped;
      e.cite(ignored ? "posix:signal:SIGCHLD_IGN:1" : "posix:sigaction:NOCLDWAIT:1");
    }
  }
  if (!ended && parent.nocldstop) {
    // posix:sigaction:NOCLDSTOP:1 "Do not generate SIGCHLD when children
    // stop or stopped children continue."
    e.cite("posix:sigaction:NOCLDSTOP:1");
    return;
  }
  // posix:_exit:SIGCHLD:1 / posix:signal:SIGCHLD:1: SIGCHLD is sent to the
  // parent when a child terminates, stops or continues.
  if (parent.disp[FC_SIGCHLD] != FC_DISP_HANDLER) return;  // ignored either way
  if (parent.stopped) {
    not_modeled(e, "SIGCHLD caught by a stopped parent");
    return;
  }
  parent.caught |= 1u << FC_SIGCHLD;
  e.cite("posix:signal:SIGCHLD:1");
}

std::vector<Effect> exec_signal_effects(const Ctx& c, Effect e) {
  Process& p = e.next.proc(c.self());
  const bool chld_ignored = p.disp[FC_SIGCHLD] == FC_DISP_IGN;
  for (int sig = 1; sig <= FC_MAX_SIGNAL; ++sig) {
    // posix:exec:SIGNALS:1 "Signals set to be caught by the calling process
    // image shall be set to the default action in the new process image."
    // PLANTED BUG (tests only): caught signals stay caught.
    if (p.disp[sig] == FC_DISP_HANDLER &&
        !planted(c, Profile::PlantedBug::ExecKeepsHandlers)) {
      p.disp[sig] = FC_DISP_DFL;
      e.cite("posix:exec:SIGNALS:1");
    }
  }
  // linux:flush_signal_handlers:FLAGS:1 the sa_flags of every signal are
  // cleared by exec (SA_NOCLDSTOP, SA_NOCLDWAIT).
  p.nocldstop = false;
  p.nocldwait = false;
  // The new image is a new program: the handler's log starts empty.
  p.caught = 0;
  std::vector<Effect> effects;
  if (chld_ignored) {
    // posix:exec:SIGNALS:2 "Except for SIGCHLD, signals set to be ignored
    // (SIG_IGN) by the calling process image shall be set to be ignored by
    // the new process image. Whether the SIGCHLD signal is set to be ignored
    // or to the default action in the new process image is unspecified."
    Effect reset = e;
    reset.next.proc(c.self()).disp[FC_SIGCHLD] = FC_DISP_DFL;
    reset.cite("posix:exec:SIGNALS:2");
    e.cite("posix:exec:SIGNALS:2");
    effects.push_back(std::move(e));
    effects.push_back(std::move(reset));
  } else {
    effects.push_back(std::move(e));
  }
  return effects;
}

StepResult rule_Kill(const Ctx& c) { return rule_kill(c); }

/* ---- pidfd and parent-death signal (issue 4, pidfd) ---- */
// pidfd_send_signal and the parent-death signal deliver a signal the way
// kill does (man:pidfd_send_signal:KILL:1; the parent-death signal is an
// ordinary process-directed signal, man:prctl:PDEATHSIG:1).
void deliver_signal(const Ctx& c, State& s, ActorId target, int sig, Effect& e) {
  deliver(c, s, target, sig, e);
}

StepResult rule_Sigaction(const Ctx& c) {
  const int sig = static_cast<int>(c.step.args[0]);
  Check k;
  // posix:sigaction:EINVAL:1 "The sig argument is not a valid signal number
  // or an attempt is made to catch a signal that cannot be caught or ignore
  // a signal that cannot be ignored." (SIGKILL, SIGSTOP; 0 is no signal.)
  if (sig == 0 || sig == FC_SIGKILL || sig == FC_SIGSTOP) k.raise(EINVAL, "posix:sigaction:EINVAL:1");
  if (!k.passed()) return k.result(c.s);
  Effect e(c.s);
  Process& p = e.next.proc(c.self());
  p.disp[sig] = static_cast<std::uint8_t>(c.step.args[1]);
  /* ---- vfork and exec (issue 3) ---- */
  if (c.step.args[1] == FC_DISP_IGN && (p.pending & (1u << sig)) != 0) {
    // posix:signal:IGN_DISCARDS:1 "Setting a signal action to SIG_IGN for a
    // signal that is pending shall cause the pending signal to be discarded,
    // whether or not it is blocked."
    p.pending &= ~(1u << sig);
    e.cite("posix:signal:IGN_DISCARDS:1");
  }
  if (sig == FC_SIGCHLD) {
    // posix:sigaction:NOCLDSTOP:1, posix:sigaction:NOCLDWAIT:1: flags of
    // SIGCHLD; for other signals they have no effect.
    p.nocldstop = c.step.args[2] & FC_SA_NOCLDSTOP;
    p.nocldwait = c.step.args[2] & FC_SA_NOCLDWAIT;
  }
  // posix:sigaction:RET:1 "Upon successful completion, sigaction() shall
  // return 0". Existing zombies stay waitable (posix:wait:NOCLDWAIT:1 speaks
  // of children that terminate afterwards).
  e.obs = Observation::returned(0);
  e.cite("posix:sigaction:RET:1");
  return finish(c, std::move(e));
}

StepResult rule_Caught(const Ctx& c) {
  // Harness: the recording handler's log, as a set (see the top of the file).
  std::vector<int> sigs;
  const Process& p = c.s.proc(c.self());
  for (int sig = 1; sig <= FC_MAX_SIGNAL; ++sig) {
    if (p.caught & (1u << sig)) sigs.push_back(sig);
  }
  Effect e(c.s);
  e.obs = Observation::returned(0).with("caught", obs::signal_list(sigs));
  e.cite("posix:signal:CATCH:1");
  return finish(c, std::move(e));
}

}  // namespace fc::oracle

/* ---- vfork and exec (issue 3): signal mask and pending signals ---- */
namespace fc::oracle {
namespace {

std::vector<int> signal_bits(std::uint32_t set) {
  std::vector<int> sigs;
  for (int sig = 1; sig <= FC_MAX_SIGNAL; ++sig) {
    if (set & (1u << sig)) sigs.push_back(sig);
  }
  return sigs;
}

}  // namespace

void deliver_unblocked(const Ctx& c, State& s, ActorId who, Effect& e) {
  // posix:sigprocmask:DELIVER:1 "If there are any pending unblocked signals
  // after the call to sigprocmask(), at least one of those signals shall be
  // delivered before the call to sigprocmask() returns." Linux delivers every
  // one of them on the way back to user space (lowest number first), so all
  // have been delivered before the caller's next step.
  for (int sig : signal_bits(s.proc(who).pending & ~s.proc(who).mask)) {
    if (s.proc(who).life != Life::Alive) break;
    s.proc(who).pending &= ~(1u << sig);
    e.cite("posix:sigprocmask:DELIVER:1");
    const int disp = s.proc(who).disp[sig];
    if (disp == FC_DISP_HANDLER) {
      catch_signal(s, who, sig, e);
    } else if (disp == FC_DISP_IGN) {
      e.cite("posix:signal:SIG_IGN:1");  // kept pending by Linux: posix:signal:BLOCKED_IGN:1
    } else {
      // posix:signal:DEFAULTS:1: every maskable signal terminates by default.
      e.cite("posix:signal:DEFAULTS:1");
      end_process(c, s, who, sig, e);
    }
  }
}

StepResult rule_Sigprocmask(const Ctx& c) {
  const std::int64_t how = c.step.args[0];
  const std::uint32_t set = static_cast<std::uint32_t>(c.step.args[1]);
  Check k;
  // posix:sigprocmask:EINVAL:1 "The value of the how argument is not equal to
  // one of the defined values."
  if (how == FC_SIG_HOW_BAD) k.raise(EINVAL, "posix:sigprocmask:EINVAL:1");
  if (!k.passed()) return k.result(c.s);
  Effect e(c.s);
  Process& p = e.next.proc(c.self());
  const std::uint32_t old = p.mask;
  // posix:sigprocmask:HOW:1 union, intersection with the complement, or the set.
  if (how == FC_SIG_BLOCK) p.mask = old | set;
  else if (how == FC_SIG_UNBLOCK) p.mask = old & ~set;
  else p.mask = set;
  e.cite("posix:sigprocmask:HOW:1").cite("posix:sigprocmask:OSET:1");
  deliver_unblocked(c, e.next, c.self(), e);
  if (e.next.proc(c.self()).life != Life::Alive) {
    // Killed inside the call by the signal it unblocked: the step never
    // returns; the next step waits for the death (wire.h FC_SYNC_SELF_DEATH).
    e.obs = Observation::blocked();
    e.sync = FC_SYNC_SELF_DEATH;
    return finish(c, std::move(e));
  }
  e.obs = Observation::returned(0).with("old", obs::signal_list(signal_bits(old)));
  return finish(c, std::move(e));
}

StepResult rule_Sigpending(const Ctx& c) {
  // posix:sigpending:RET:1 the signals blocked from delivery and pending.
  Effect e(c.s);
  const Process& p = c.s.proc(c.self());
  e.obs = Observation::returned(0).with("pending", obs::signal_list(signal_bits(p.pending & p.mask)));
  e.cite("posix:sigpending:RET:1");
  return finish(c, std::move(e));
}

}  // namespace fc::oracle
