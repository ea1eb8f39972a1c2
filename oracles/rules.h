// Internal to oracles/: the shape every rule has.
//
// Each op is `rule_<Op>` (declared from ops.def below, defined in the area
// file that mirrors the op's area), built SibylFS style from two halves:
//
//   check_<op>   decides errors and refusals; never changes state. Every
//                applicable errno is collected: POSIX XSH 2.3 lets any one of
//                them be returned ("the order of detection is undefined"), so
//                each becomes an allowed outcome.
//   effect_<op>  the state change and observation of a successful call, on a
//                copy of the state (an Effect). Several effects = several
//                allowed outcomes (e.g. which zombie wait(-1) reaps).
//
// finish() then lets blocked steps return (settle) and builds the Outcomes.
// Rule ids ("posix:waitpid:ECHILD:1") name labelled quotes in oracles/spec/.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/ir/program.h"
#include "oracles/model.h"
#include "oracles/state.h"

namespace fc::oracle {

// The step being decided.
struct Ctx {
  const State& s;
  const Program& program;
  std::size_t index;
  const Step& step;
  ActorId self() const { return step.actor; }
  const Profile& profile() const { return *s.profile; }
};

// check_<op>'s verdict.
class Check {
 public:
  // spec/errors.md posix:errors:ORDER:1 — every raised errno is allowed.
  void raise(int errnum, std::string rule);
  void invalid(std::string message) { refuse(Special::Kind::Invalid, std::move(message)); }
  void not_modeled(std::string message) { refuse(Special::Kind::NotModeled, std::move(message)); }
  void undefined(std::string message) { refuse(Special::Kind::Undefined, std::move(message)); }
  bool passed() const { return !special_ && errors_.empty(); }
  bool refused() const { return special_.has_value(); }
  // The outcomes of a failed check: the special, or one failure per errno
  // with the state unchanged.
  StepResult result(const State& state) const;

 private:
  void refuse(Special::Kind kind, std::string message);
  std::optional<Special> special_;
  std::vector<std::pair<int, std::vector<std::string>>> errors_;
};

// One way a successful step can go.
struct Effect {
  explicit Effect(const State& s) : next(s) {}
  State next;
  Observation obs;
  std::vector<std::string> rules;
  std::optional<Special> special;  // set by an effect that cannot be modelled
  int sync = 0;                    // issue 4: Outcome::sync
  std::vector<int> deaths;         // issue 4, pidfd: Outcome::deaths
  // issue 4 (groups), pgrp.cc: how deep orphaned_group_signals is in the
  // SIGHUP deaths it causes, and the groups the exit being decided has
  // already sent SIGHUP + SIGCONT (a death from that SIGHUP may find the same
  // group orphaned again: its dying members still count as stopped,
  // linux:prepare_signal:EXITING:1; the same signals again change nothing).
  int orphan_depth = 0;
  std::uint32_t orphan_signalled = 0;
  Effect& cite(std::string rule) {
    rules.push_back(std::move(rule));
    return *this;
  }
};

// Settles every effect (blocked steps that can now return do) and turns them
// into outcomes.
StepResult finish(const Ctx& c, std::vector<Effect> effects);
StepResult finish(const Ctx& c, Effect effect);

// Mutation testing (Profile::PlantedBug): true when the deliberately wrong
// rule `bug` replaces the right one. Every use is marked "PLANTED BUG".
inline bool planted(const Ctx& c, Profile::PlantedBug bug) {
  return c.profile().planted_bug == bug;
}

// Marks the current step as blocked in its actor (model.h: it runs no other
// step until a later step lists it in `completed`).
void block(const Ctx& c, Effect& e);

// How a blocked step fares after a later step's effect.
enum class Wake {
  Stays,      // still blocked
  Returned,   // returns now: `obs` holds what it returns
  Ambiguous,  // more than one way to return: not modelled
};

// process.cc: a blocked wait/waitpid/wait4/waitid.
Wake wake_wait(State& s, const Program& program, std::size_t blocked, Observation& obs,
               std::vector<std::string>& rules);
// fds.cc: a blocked read.
Wake wake_read(State& s, const Program& program, std::size_t blocked, Observation& obs,
               std::vector<std::string>& rules);

/* ---- signals (issue 4) ---- */
// process.cc: the process `who` ends (exit when term_sig == 0, else killed by
// term_sig): descriptors and mappings go, children are reparented, it turns
// into a zombie or is reaped at once, its parent is notified (SIGCHLD).
void end_process(const Ctx& c, State& s, ActorId who, int term_sig, Effect& e);
// process.cc: refuses (invalid) a creating step (fork, vfork, posix_spawn ...)
// whose child name is out of range or already used.
void check_names_new_actor(const Ctx& c, Check& k, const char* call);
// signal.cc: SIGCHLD (si_code CLD_*) sent to `child`'s parent; sets
// e.special when the model cannot say what it does.
void notify_parent(State& s, ActorId child, Effect& e);
// signal.cc: dispositions across exec.
std::vector<Effect> exec_signal_effects(const Ctx& c, Effect e);

/* ---- pidfd and parent-death signal (issue 4, pidfd) ---- */
// signal.cc: a signal sent to `target` by the kernel or by a pidfd (the
// sender is the current step's actor), with kill's rules (deliver()).
void deliver_signal(const Ctx& c, State& s, ActorId target, int sig, Effect& e);
// pidfd.cc: the parent-death signal of `orphan`, whose parent `who` has
// just died (called by end_process for every child it reparents).
void send_pdeathsig(const Ctx& c, State& s, ActorId orphan, Effect& e);
// pidfd.cc: the pidfd behind descriptor `fd` of `a`, or -1 (not open: -2).
int pidfd_target(const State& s, ActorId a, std::int64_t fd);
/* ---- process groups and sessions (issue 4, groups) ---- */
// pgrp.cc: the process groups that are orphaned (POSIX XBD 3.2.2.2's
// definition) in `s`, as a bit set over group ids (bit 0..31: the actor
// whose pid the pgid is).
std::uint32_t orphaned_groups(const State& s);
// pgrp.cc: after `exited` ended (end_process; `old_parent` was its parent,
// `children` its children, live or zombie, before they were reparented),
// each group its exit orphaned (Linux's reading, linux:kill_orphaned_pgrp:1)
// that has a stopped member gets SIGHUP then SIGCONT (posix:_exit:ORPHAN_PGRP:1).
void orphaned_group_signals(const Ctx& c, State& s, ActorId exited, ActorId old_parent,
                            const std::vector<ActorId>& children, Effect& e);
/* ---- vfork and exec (issue 3) ---- */
// vfork.cc: a blocked vfork/clone_vfork returns once its child has exec'd or ended.
Wake wake_vfork(State& s, const Program& program, std::size_t blocked, Observation& obs,
                std::vector<std::string>& rules);
// vfork.cc: Undefined for a step of a vfork child that is not one of the few
// it may make before exec or _exit (spec/vfork.md), else nullopt.
std::optional<Special> vfork_child_refusal(const State& s, const Step& step);
// signal.cc: signals pending and no longer blocked in `who` are delivered
// (posix:sigprocmask:DELIVER:1); a fatal one ends the process.
void deliver_unblocked(const Ctx& c, State& s, ActorId who, Effect& e);

/* ---- inheritance (issue 3) ---- */
// inherit.cc: what fork does to locks, timers, the alternate signal stack,
// the children's usage and MADV_WIPEONFORK regions (the child `p` is being
// built from `parent`, both in `s`).
void inherit_on_fork(const Ctx& c, State& s, const Process& parent, Process& p, Effect& e);

// fds.cc: the table an exec'd image reports, also used by describe().
std::vector<FdEntry> fd_entries(const State& s, ActorId a);

/* ---- libc layer (issue 3) ---- */
// libc.cc: what fork does at the libc level for the child `child` just
// created in `s` (effect_fork): the atfork handlers (not for _Fork), the
// copies of the handler table, the log and the stdio buffers.
void libc_fork(const Ctx& c, State& s, ActorId child, Effect& e);
// libc.cc: exit(3) flushes every stream of the caller (before the process
// ends); _exit does not (libc_uexit: nothing, but for a planted bug).
void libc_exit(const Ctx& c, Effect& e);
void libc_uexit(const Ctx& c, Effect& e);
// libc.cc: exec discards the image's handlers, log and streams.
void libc_exec(const Ctx& c, Effect& e);

// One rule per op.
#define FC_OP(Enum, Text, Area, A0, A1, A2, Flags) StepResult rule_##Enum(const Ctx& c);
#include "harness/ir/ops.def"
#undef FC_OP

}  // namespace fc::oracle
