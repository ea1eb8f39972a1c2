// clone / clone3 (issue 3): the raw system calls as error probes.
//
// The executor's child does nothing but exit(0) (harness/executor/ops_clone.cc),
// so a successful call leaves the state as it was: what is observed is which
// flag sets and clone_args layouts are refused with which errno, and on
// success the pidfd (lowest free descriptor, close-on-exec), the tid words
// and the child's exit status.
//
// Quotes: oracles/spec/clone.md. Where the manual page does not describe what
// Linux does (clone3's argument checks, CLONE_NEWPID|CLONE_PARENT) the rule
// cites kernel/fork.c (linux: labels) and the difference is an
// oracle::Profile field.
#include <cerrno>

#include "oracles/rules.h"

namespace fc::oracle {
namespace {

constexpr std::int64_t kNamespaces = FC_CLONE_NEWNS | FC_CLONE_NEWUSER | FC_CLONE_NEWPID |
                                     FC_CLONE_NEWIPC | FC_CLONE_NEWUTS | FC_CLONE_NEWNET;
constexpr std::int64_t kClone3Only =
    FC_CLONE_CLEAR_SIGHAND | FC_CLONE_INTO_CGROUP | FC_CLONE_UNKNOWN | FC_CLONE_CSIGNAL;

bool has(std::int64_t flags, std::int64_t bits) { return (flags & bits) == bits; }

// Checks shared by clone and clone3: kernel/fork.c copy_process().
void check_flag_rules(const Ctx& c, std::int64_t f, bool v3, Check& k) {
  if (has(f, FC_CLONE_SIGHAND) && !(f & FC_CLONE_VM)) {
    // PLANTED BUG (tests only): CLONE_SIGHAND without CLONE_VM accepted.
    if (!planted(c, Profile::PlantedBug::CloneSighandWithoutVm)) {
      k.raise(EINVAL, "man:clone:EINVAL_SIGHAND_VM:1");
    }
  }
  if (has(f, FC_CLONE_THREAD) && !(f & FC_CLONE_SIGHAND)) {
    k.raise(EINVAL, "man:clone:EINVAL_THREAD_SIGHAND:1");
  }
  if (has(f, FC_CLONE_FS | FC_CLONE_NEWNS)) k.raise(EINVAL, "man:clone:EINVAL_FS_NEWNS:1");
  if (has(f, FC_CLONE_FS | FC_CLONE_NEWUSER)) k.raise(EINVAL, "man:clone:EINVAL_NEWUSER_FS:1");
  if (has(f, FC_CLONE_NEWIPC | FC_CLONE_SYSVSEM)) {
    k.raise(EINVAL, "man:clone:EINVAL_NEWIPC_SYSVSEM:1");
  }
  if ((f & (FC_CLONE_NEWPID | FC_CLONE_NEWUSER)) && (f & FC_CLONE_THREAD)) {
    k.raise(EINVAL, "man:clone:EINVAL_NEWPID_THREAD:1");
  }
  if ((f & (FC_CLONE_NEWPID | FC_CLONE_NEWUSER)) && (f & FC_CLONE_PARENT) &&
      c.profile().clone_new_ns_with_parent_einval) {
    k.raise(EINVAL, "man:clone:EINVAL_NEWPID_THREAD:1");
  }
  if (has(f, FC_CLONE_PIDFD | FC_CLONE_DETACHED)) k.raise(EINVAL, "man:clone:EINVAL_PIDFD_DETACHED:1");
  if (has(f, FC_CLONE_PIDFD | FC_CLONE_THREAD) && !c.profile().clone_pidfd_with_thread) {
    k.raise(EINVAL, "man:clone:EINVAL_PIDFD_THREAD:1");
  }
  if (!v3 && has(f, FC_CLONE_PIDFD | FC_CLONE_PARENT_SETTID)) {
    k.raise(EINVAL, "linux:clone:PIDFD_PARENT_TID:1");
  }
}

// clone3's own checks: kernel/fork.c copy_clone_args_from_user(),
// clone3_args_valid(), clone3_stack_valid(); the cgroup fd in
// cgroup_css_set_fork().
void check_clone3_args(const Ctx& c, std::int64_t f, std::int64_t sig, std::int64_t layout,
                       Check& k) {
  switch (layout) {
    case FC_C3_SHORT: k.raise(EINVAL, "linux:clone3:SIZE:1"); break;
    case FC_C3_HUGE: k.raise(E2BIG, "linux:clone3:SIZE:2"); break;
    case FC_C3_TAIL_NONZERO: k.raise(E2BIG, "linux:clone3:SIZE:3"); break;
    case FC_C3_SET_TID_DEEP:
    case FC_C3_SET_TID_NULL:
    case FC_C3_SET_TID_EMPTY: k.raise(EINVAL, "linux:clone3:SET_TID:1"); break;
    case FC_C3_STACK_SIZE_ONLY: k.raise(EINVAL, "linux:clone3:STACK:1"); break;
    default: break;
  }
  if (sig == FC_EXITSIG_INVALID || sig == FC_EXITSIG_WIDE) {
    k.raise(EINVAL, "linux:clone3:EXIT_SIGNAL:1");
  }
  if (f & FC_CLONE_UNKNOWN) k.raise(EINVAL, "linux:clone3:FLAGS:1");
  if (f & (FC_CLONE_DETACHED | FC_CLONE_CSIGNAL)) k.raise(EINVAL, "linux:clone3:FLAGS:2");
  if (has(f, FC_CLONE_SIGHAND | FC_CLONE_CLEAR_SIGHAND)) {
    k.raise(EINVAL, "man:clone:EINVAL_CLEAR_SIGHAND:1");
  }
  if ((f & (FC_CLONE_THREAD | FC_CLONE_PARENT)) && sig != FC_EXITSIG_NONE) {
    k.raise(EINVAL, "linux:clone3:EXIT_SIGNAL:2");
  }
  if (f & FC_CLONE_INTO_CGROUP) {
    if (layout == FC_C3_VER0 || layout == FC_C3_CGROUP_HUGE) {
      k.raise(EINVAL, "linux:clone3:CGROUP:1");
    } else {
      // cl_args.cgroup is 0: descriptor 0, never a cgroup2 directory in a
      // program (it is /dev/null, another file, a pipe, or closed).
      k.raise(EBADF, "man:clone:EBADF_CGROUP:1");
    }
  }
  (void)c;
}

StepResult rule_clone_family(const Ctx& c, bool v3) {
  const std::int64_t f = c.step.args[0];
  const std::int64_t sig = c.step.args[1];
  const std::int64_t layout = v3 ? c.step.args[2] : FC_C3_VER2;
  Check k;
  if (!v3 && (f & kClone3Only)) k.invalid("clone(2) cannot express clone3-only flags");
  if (!v3 && (sig == FC_EXITSIG_INVALID || sig == FC_EXITSIG_WIDE)) {
    k.invalid("clone(2) exit signals are 0, SIGCHLD or SIGURG here");
  }
  if (k.refused()) return k.result(c.s);
  if (v3) check_clone3_args(c, f, sig, layout, k);
  check_flag_rules(c, f, v3, k);
  if (!k.passed()) return k.result(c.s);

  // Success paths the harness does not run: new namespaces need privilege
  // and outlive nothing the model tracks; a CLONE_PARENT child is a sibling
  // the program does not name (its parent would have to reap it).
  if (f & kNamespaces) {
    k.not_modeled("a successful clone into new namespaces is not modelled");
    return k.result(c.s);
  }
  if (f & FC_CLONE_PARENT) {
    k.not_modeled("a successful CLONE_PARENT clone is not modelled");
    return k.result(c.s);
  }

  // man:clone:RET:1 the caller gets the child's thread ID: a new one.
  std::vector<Effect> effects;
  const bool vm = f & FC_CLONE_VM;
  const bool thread = f & FC_CLONE_THREAD;
  std::vector<std::string> ctid_values;
  if (f & (FC_CLONE_CHILD_SETTID | FC_CLONE_CHILD_CLEARTID)) {
    if (!vm) {
      // man:clone:CHILD_SETTID:1 / CHILD_CLEARTID:1 the words are in the
      // child's memory; without CLONE_VM that is a copy the caller never sees.
      ctid_values.push_back("unset");
    } else if (f & FC_CLONE_CHILD_CLEARTID) {
      // man:clone:CHILD_CLEARTID:1 cleared when the child exits (the executor
      // waits for it: reaped, or the futex word cleared for a thread).
      ctid_values.push_back("0");
    } else {
      // man:clone:CHILD_SETTID:1 stored before the child runs; the executor
      // looks once the child is reaped or, for a thread, once the word is set.
      ctid_values.push_back("child");
    }
  } else {
    ctid_values.push_back("");
  }
  for (const std::string& ctid : ctid_values) {
    Effect e(c.s);
    e.obs = Observation::returned_pid("new");
    e.cite("man:clone:RET:1");
    if (f & FC_CLONE_PIDFD) {
      // man:clone:PIDFD:1 a pidfd is allocated ... man:clone:PIDFD:2 with
      // close-on-exec set; allocated as the lowest-numbered free descriptor.
      e.obs.with("pidfd", std::to_string(c.s.lowest_free_fd(c.self(), 0)));
      e.obs.with("pidfd_cloexec", "1");
      e.cite("man:clone:PIDFD:1").cite("man:clone:PIDFD:2");
    }
    if (f & FC_CLONE_PARENT_SETTID) {
      // man:clone:PARENT_SETTID:1 stored in the parent's memory.
      e.obs.with("ptid", "child");
      e.cite("man:clone:PARENT_SETTID:1");
    }
    if (!ctid.empty()) {
      e.obs.with("ctid", ctid);
      e.cite((f & FC_CLONE_CHILD_CLEARTID) ? "man:clone:CHILD_CLEARTID:1"
                                           : "man:clone:CHILD_SETTID:1");
    }
    if (!thread) {
      // man:wait:WCLONE:1 a plain waitpid (no __WCLONE, no __WALL) sees only
      // a child whose exit signal is SIGCHLD; the executor then reaps the
      // rest with __WALL (man:wait:WALL:1). The status is the child's exit(0).
      // clone(2) with CLONE_THREAD absent and the exit signal as given.
      const bool plain = sig == FC_EXITSIG_SIGCHLD;
      e.obs.with("plain_wait", plain ? "reaped" : "ECHILD");
      e.obs.with("status", obs::exited(0));
      e.cite("man:wait:WCLONE:1").cite("man:wait:WALL:1");
    }
    effects.push_back(std::move(e));
  }
  return finish(c, std::move(effects));
}

}  // namespace

StepResult rule_Clone(const Ctx& c) { return rule_clone_family(c, false); }
StepResult rule_Clone3(const Ctx& c) { return rule_clone_family(c, true); }

}  // namespace fc::oracle
