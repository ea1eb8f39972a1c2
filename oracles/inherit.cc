// Inheritance across fork and exec (issue 3): what a child gets from its
// parent besides descriptors and memory, and what exec keeps.
//
//   lock         whole-file write locks: fcntl record locks (owned by the
//                process), OFD locks and flock(2) locks (owned by the open
//                file description)
//   madvise      MADV_WIPEONFORK / MADV_KEEPONFORK on a region
//   itimer       ITIMER_VIRTUAL / ITIMER_PROF armed or not
//   sigaltstack  the alternate signal stack in place
//   childtimes   whether the children's usage (getrusage, times) is zero
//   setsched / getsched        SCHED_OTHER / SCHED_BATCH and the
//                              reset-on-fork flag
//   setaffinity / getaffinity  one CPU or every CPU the process may use
//
// Quotes: oracles/spec/inherit.md (and fork.md for POSIX fork's list).
#include <cerrno>

#include "oracles/rules.h"

namespace fc::oracle {

// ---- fork -------------------------------------------------------------------------

void inherit_on_fork(const Ctx& c, State& s, const Process& parent, Process& p, Effect& e) {
  // posix:fork:LOCKS:1 "File locks set by the parent process shall not be
  // inherited by the child process." man:fork:LOCKS:1 "The child does not
  // inherit process-associated record locks from its parent (fcntl(2)). (On
  // the other hand, it does inherit fcntl(2) open file description locks and
  // flock(2) locks from its parent.)": those belong to the open file
  // descriptions, which the child's descriptors share (posix:fork:FDS:1).
  p.posix_locks = 0;
  // PLANTED BUG (tests only): the child gets the parent's record locks.
  if (planted(c, Profile::PlantedBug::RecordLocksInherited)) p.posix_locks = parent.posix_locks;
  if (parent.posix_locks) e.cite("posix:fork:LOCKS:1").cite("man:fork:LOCKS:1");
  // posix:fork:ITIMERS:1 "[XSI] Interval timers shall be reset in the child
  // process." man:fork:TIMERS:1 "The child does not inherit timers from its
  // parent (setitimer(2), alarm(2), timer_create(2))."
  p.itimers = 0;
  if (parent.itimers) {
    e.cite("posix:fork:ITIMERS:1").cite("man:fork:TIMERS:1").cite("man:getitimer:FORK:1");
  }
  // man:sigaltstack:FORK:1 "A child created via fork(2) inherits a copy of
  // its parent's alternate signal stack settings."
  p.altstack = parent.altstack;
  if (parent.altstack != FC_ALTSTACK_OFF) e.cite("man:sigaltstack:FORK:1");
  // posix:fork:TIMES:1 "The child process' values of tms_utime, tms_stime,
  // tms_cutime, and tms_cstime shall be set to 0." man:fork:RUSAGE:1 "The
  // child's resource utilizations (getrusage(2)) and CPU time counters
  // (times(2)) are reset to zero."
  p.reaped_child = false;
  // man:sched_setscheduler:FORK:1 the child inherits the scheduling policy;
  // man:sched:RESET_ON_FORK:1 with the reset-on-fork flag only privileged
  // policies (SCHED_FIFO, SCHED_RR: never set here) and negative nice values
  // are reset, and man:sched:RESET_ON_FORK:2 "This flag is disabled in child
  // processes created by fork(2)."
  p.sched = static_cast<std::uint8_t>(parent.sched & ~FC_SCHED_RESET_ON_FORK);
  if (parent.sched != FC_SCHED_OTHER) e.cite("man:sched_setscheduler:FORK:1");
  if (parent.sched & FC_SCHED_RESET_ON_FORK) {
    e.cite("man:sched:RESET_ON_FORK:1").cite("man:sched:RESET_ON_FORK:2");
  }
  // man:sched_setaffinity:FORK:1 "A child created via fork(2) inherits its
  // parent's CPU affinity mask."
  p.one_cpu = parent.one_cpu;
  if (parent.one_cpu) e.cite("man:sched_setaffinity:FORK:1");
  // man:madvise:WIPEONFORK:1 "Present the child process with zero-filled
  // memory in this range after a fork(2)." man:madvise:WIPEONFORK:2 "Within
  // the child created by fork(2), the MADV_WIPEONFORK setting remains in
  // place on the specified address range." (effect_fork copied the mapping,
  // flag included, and gave the child its own private object.)
  for (const Mapping& m : p.regions) {
    if (!m.wipeonfork) continue;
    e.cite("man:madvise:WIPEONFORK:1").cite("man:madvise:WIPEONFORK:2");
    // PLANTED BUG (tests only): the wiped region keeps the parent's values.
    if (planted(c, Profile::PlantedBug::WipeOnForkKeepsValues)) continue;
    s.memories.at(static_cast<std::size_t>(m.memory)) = MemoryObject{};
  }
}

// man:fcntl:LOCK_CLOSE:1 "If a process closes any file descriptor referring
// to a file, then all of the process's locks on that file are released,
// regardless of the file descriptor(s) on which the locks were obtained."
void State::release_record_lock(ActorId a, int ofd) {
  const ObjectRef& object = ofds.at(static_cast<std::size_t>(ofd)).object;
  if (object.kind != ObjectKind::File) return;
  proc(a).posix_locks &= static_cast<std::uint8_t>(~(1u << object.index));
}

namespace {

// ---- lock ---------------------------------------------------------------------------

// Whether some descriptor of a process still refers to the open file
// description. man:fcntl:OFD_CLOSE:1 / man:flock:CLOSE:1: OFD and flock locks
// go with the last descriptor, so a lock on an unreferenced description is
// gone. (Description ids are never reused.)
bool ofd_referenced(const State& s, int ofd) {
  for (const Process& p : s.procs) {
    for (const FdSlot& slot : p.fds) {
      if (slot.ofd == ofd) return true;
    }
  }
  return false;
}

bool is_lock_kind(std::int64_t kind) { return kind >= 0 && kind <= FC_LOCK_LAST; }

Check check_lock(const Ctx& c) {
  Check k;
  const std::int64_t kind = c.step.args[1];
  const FdSlot* slot = c.s.fd(c.self(), c.step.args[0]);
  // man:fcntl:EBADF:1 "fd is not an open file descriptor"; man:flock:EBADF:1
  // "fd is not an open file descriptor."
  if (!slot) {
    k.raise(EBADF, kind >= FC_LOCK_FLOCK ? "man:flock:EBADF:1" : "man:fcntl:EBADF:1");
    return k;
  }
  const Ofd& ofd = c.s.ofds.at(static_cast<std::size_t>(slot->ofd));
  // Locks on pipes and /dev/null (a device every process on the host shares)
  // are outside this model: only the run's own scratch files.
  if (ofd.object.kind != ObjectKind::File) {
    k.not_modeled("locks are modelled on scratch files only");
    return k;
  }
  // man:fcntl:EBADF:2 "cmd is F_SETLK or F_SETLKW and the file descriptor
  // open mode doesn't match with the type of lock requested": a write lock
  // needs a descriptor open for writing (F_OFD_SETLK too, man:fcntl:OFD:1
  // "in most respects identical"). flock(2) asks nothing of the mode.
  if ((kind == FC_LOCK_POSIX || kind == FC_LOCK_OFD) && !ofd.writable()) {
    k.raise(EBADF, "man:fcntl:EBADF:2");
  }
  return k;
}

// Who else holds a lock that conflicts with the requested one.
bool lock_conflicts(const Ctx& c, int my_ofd) {
  const State& s = c.s;
  const int file = s.ofds.at(static_cast<std::size_t>(my_ofd)).object.index;
  const std::int64_t kind = c.step.args[1];
  auto file_of = [&](int ofd) {
    const Ofd& o = s.ofds.at(static_cast<std::size_t>(ofd));
    return o.object.kind == ObjectKind::File ? o.object.index : -1;
  };
  if (kind == FC_LOCK_FLOCK) {
    // man:flock:OFD:1 the lock belongs to the open file description; another
    // description's exclusive lock conflicts (man:flock:SEPARATE:1), even
    // one of the same process. man:flock:FCNTL:1 no interaction with fcntl locks.
    for (std::size_t o = 0; o < s.ofds.size(); ++o) {
      if (static_cast<int>(o) != my_ofd && s.ofds[o].flock && file_of(static_cast<int>(o)) == file &&
          ofd_referenced(s, static_cast<int>(o))) {
        return true;
      }
    }
    return false;
  }
  // Record and OFD locks share one space (man:fcntl:OFD_CONFLICT:1: an OFD
  // lock and a record lock conflict "even when they are acquired by the
  // same process on the same file descriptor").
  for (std::size_t o = 0; o < s.ofds.size(); ++o) {
    if (!s.ofds[o].ofd_lock || file_of(static_cast<int>(o)) != file) continue;
    if (!ofd_referenced(s, static_cast<int>(o))) continue;
    // man:fcntl:OFD_SAME:1 locks placed via the same open file description
    // "are always compatible".
    if (kind == FC_LOCK_OFD && static_cast<int>(o) == my_ofd) continue;
    return true;
  }
  for (std::size_t a = 0; a < s.procs.size(); ++a) {
    const Process& p = s.procs[a];
    if (p.life != Life::Alive || !(p.posix_locks & (1u << file))) continue;
    // man:fcntl:LOCK_REPLACE:1 a process's own record lock is replaced, not
    // conflicting, for a record lock request.
    if (kind == FC_LOCK_POSIX && static_cast<ActorId>(a) == c.self()) continue;
    return true;
  }
  return false;
}

StepResult rule_lock(const Ctx& c) {
  if (!is_lock_kind(c.step.args[1])) {
    Check k;
    k.invalid("unknown lock kind");
    return k.result(c.s);
  }
  Check k = check_lock(c);
  if (!k.passed()) return k.result(c.s);
  const std::int64_t kind = c.step.args[1];
  const int ofd = c.s.fd(c.self(), c.step.args[0])->ofd;
  const int file = c.s.ofds.at(static_cast<std::size_t>(ofd)).object.index;
  if ((kind == FC_LOCK_POSIX || kind == FC_LOCK_OFD || kind == FC_LOCK_FLOCK) &&
      lock_conflicts(c, ofd)) {
    Check busy;
    if (kind == FC_LOCK_FLOCK) {
      // man:flock:EWOULDBLOCK:1 "The file is locked and the LOCK_NB flag was
      // selected." (EWOULDBLOCK is EAGAIN on Linux.)
      busy.raise(EWOULDBLOCK, "man:flock:EWOULDBLOCK:1");
    } else {
      // man:fcntl:SETLK:1 "If a conflicting lock is held by another process,
      // this call returns -1 and sets errno to EACCES or EAGAIN." (EAGAIN,
      // Linux's, first: a plan's single expectation takes the first outcome.)
      busy.raise(EAGAIN, "man:fcntl:SETLK:1");
      busy.raise(EACCES, "man:fcntl:SETLK:1");
    }
    return busy.result(c.s);
  }
  Effect e(c.s);
  State& s = e.next;
  switch (kind) {
    case FC_LOCK_POSIX:
      s.proc(c.self()).posix_locks |= static_cast<std::uint8_t>(1u << file);
      e.cite("man:fcntl:SETLK:1").cite("man:fcntl:LOCK_REPLACE:1");
      break;
    case FC_LOCK_POSIX_UN:
      // man:fcntl:SETLK:2 F_SETLK with F_UNLCK releases (no lock: nothing to do).
      s.proc(c.self()).posix_locks &= static_cast<std::uint8_t>(~(1u << file));
      e.cite("man:fcntl:SETLK:2");
      break;
    case FC_LOCK_OFD:
      s.ofds.at(static_cast<std::size_t>(ofd)).ofd_lock = true;
      e.cite("man:fcntl:OFD:1").cite("man:fcntl:OFD_SAME:1");
      break;
    case FC_LOCK_OFD_UN:
      s.ofds.at(static_cast<std::size_t>(ofd)).ofd_lock = false;
      e.cite("man:fcntl:OFD:1");
      break;
    case FC_LOCK_FLOCK:
      // man:flock:CONVERT:1 a lock already held via this description is kept.
      s.ofds.at(static_cast<std::size_t>(ofd)).flock = true;
      e.cite("man:flock:OFD:1").cite("man:flock:CONVERT:1");
      break;
    case FC_LOCK_FLOCK_UN:
      // man:flock:OFD:1 "this lock may be modified or released using any of
      // these file descriptors".
      s.ofds.at(static_cast<std::size_t>(ofd)).flock = false;
      e.cite("man:flock:OFD:1");
      break;
  }
  e.obs = Observation::returned(0);
  return finish(c, std::move(e));
}

// ---- madvise -------------------------------------------------------------------------

StepResult rule_madvise(const Ctx& c) {
  const Mapping* m = c.s.mapping(c.self(), static_cast<RegionId>(c.step.args[0]));
  const std::int64_t advice = c.step.args[1];
  if (advice != FC_MADV_WIPEONFORK && advice != FC_MADV_KEEPONFORK) {
    Check k;
    k.invalid("unknown madvise advice");
    return k.result(c.s);
  }
  if (advice == FC_MADV_WIPEONFORK && m->kind == FC_MAP_SHARED) {
    // man:madvise:EINVAL:1 "advice is MADV_FREE or MADV_WIPEONFORK but the
    // specified address range includes file, Huge TLB, MAP_SHARED, or
    // VM_PFNMAP ranges." (A MAP_SHARED|MAP_ANONYMOUS region is one.)
    Check k;
    k.raise(EINVAL, "man:madvise:EINVAL:1");
    return k.result(c.s);
  }
  Effect e(c.s);
  for (Mapping& mine : e.next.proc(c.self()).regions) {
    if (mine.region != m->region) continue;
    // man:madvise:WIPEONFORK:1 / man:madvise:KEEPONFORK:1 "Undo the effect of
    // an earlier MADV_WIPEONFORK."
    mine.wipeonfork = advice == FC_MADV_WIPEONFORK;
  }
  e.cite(advice == FC_MADV_WIPEONFORK ? "man:madvise:WIPEONFORK:1" : "man:madvise:KEEPONFORK:1");
  e.obs = Observation::returned(0);
  return finish(c, std::move(e));
}

// ---- itimer ---------------------------------------------------------------------------

StepResult rule_itimer(const Ctx& c) {
  const std::int64_t arg = c.step.args[0];
  if (arg < 0 || arg > FC_ITIMER_LAST) {
    Check k;
    k.invalid("unknown itimer argument");
    return k.result(c.s);
  }
  const unsigned bit = arg >= FC_ITIMER_PROF_GET ? 2u : 1u;
  const std::int64_t action = arg % 3;  // 0 get, 1 arm, 2 disarm
  Effect e(c.s);
  Process& p = e.next.proc(c.self());
  // man:getitimer:VALUE:1 "it_value is set to the amount of time remaining on
  // the timer, or zero if the timer is disabled"; setitimer stores the old
  // value the same way (man:getitimer:OLD:1). An armed timer (1000 s of
  // process CPU time) never runs out within a run.
  e.obs = Observation::returned((p.itimers & bit) ? 1 : 0);
  e.cite("man:getitimer:VALUE:1");
  if (action == 1) {
    p.itimers = static_cast<std::uint8_t>(p.itimers | bit);
    e.cite("man:getitimer:OLD:1");
  } else if (action == 2) {
    // man:getitimer:DISARM:1 "If both fields in new_value.it_value are zero,
    // then the timer is disarmed."
    p.itimers = static_cast<std::uint8_t>(p.itimers & ~bit);
    e.cite("man:getitimer:OLD:1").cite("man:getitimer:DISARM:1");
  }
  // man:getitimer:EXEC:1 preserved across execve (exec.cc leaves them).
  if (p.execed) e.cite("man:getitimer:EXEC:1");
  return finish(c, std::move(e));
}

// ---- sigaltstack ------------------------------------------------------------------------

StepResult rule_sigaltstack(const Ctx& c) {
  const std::int64_t arg = c.step.args[0];
  if (arg < 0 || arg > FC_ALTSTACK_LAST) {
    Check k;
    k.invalid("unknown sigaltstack argument");
    return k.result(c.s);
  }
  Effect e(c.s);
  Process& p = e.next.proc(c.self());
  // man:sigaltstack:OLD:1 old_ss returns "information about the alternate
  // signal stack which was in effect prior to the call"; SS_DISABLE when none.
  e.obs = Observation::returned(p.altstack);
  e.cite("man:sigaltstack:OLD:1");
  switch (arg) {
    case FC_ALTSTACK_SET_SMALL: p.altstack = FC_ALTSTACK_SMALL; break;
    case FC_ALTSTACK_SET_LARGE: p.altstack = FC_ALTSTACK_LARGE; break;
    case FC_ALTSTACK_DISABLE: p.altstack = FC_ALTSTACK_OFF; break;
    default: break;  // QUERY: ss is NULL
  }
  if (arg != FC_ALTSTACK_QUERY) e.cite("man:sigaltstack:SET:1");
  return finish(c, std::move(e));
}

// ---- childtimes --------------------------------------------------------------------------

StepResult rule_childtimes(const Ctx& c) {
  const Process& p = c.s.proc(c.self());
  // man:getrusage:CHILDREN:1 RUSAGE_CHILDREN covers "all children of the
  // calling process that have terminated and been waited for";
  // man:times:CUTIME:1 likewise tms_cutime ("all waited-for terminated
  // children"). Before any wait they are zero (a fresh child starts from
  // zero: man:fork:RUSAGE:1; exec keeps them: man:getrusage:EXEC:1). After a
  // wait, how much a child used is timing: zero or not, both are allowed.
  // A clone step (issue 3) reaps its own child too.
  bool waited = p.reaped_child;
  for (std::size_t i = 0; i < c.index; ++i) {
    const Step& earlier = c.program.steps[i];
    if (earlier.actor == c.self() && (earlier.op == Op::Clone || earlier.op == Op::Clone3)) {
      waited = true;
    }
  }
  std::vector<Effect> effects;
  for (int nonzero = 0; nonzero <= (waited ? 1 : 0); ++nonzero) {
    Effect e(c.s);
    e.obs = Observation::returned(nonzero);
    e.cite("man:getrusage:CHILDREN:1").cite("man:times:CUTIME:1");
    if (!waited) e.cite("man:fork:RUSAGE:1");
    if (p.execed) e.cite("man:getrusage:EXEC:1");
    effects.push_back(std::move(e));
  }
  return finish(c, std::move(effects));
}

// ---- scheduling policy ------------------------------------------------------------------------

StepResult rule_setsched(const Ctx& c) {
  const std::int64_t arg = c.step.args[0];
  if (arg < 0 || arg > FC_SCHED_LAST) {
    Check k;
    k.invalid("setsched takes 0..3 (FC_SCHED_OTHER/BATCH | FC_SCHED_RESET_ON_FORK)");
    return k.result(c.s);
  }
  std::vector<Effect> effects;
  Effect ok(c.s);
  ok.next.proc(c.self()).sched = static_cast<std::uint8_t>(arg);
  ok.obs = Observation::returned(0);
  // man:sched:BATCH:1 SCHED_BATCH and SCHED_OTHER are the normal policies,
  // open to every thread (static priority 0).
  ok.cite("man:sched:BATCH:1");
  if (arg & FC_SCHED_RESET_ON_FORK) ok.cite("man:sched:RESET_ON_FORK:3");
  effects.push_back(std::move(ok));
  if ((c.s.proc(c.self()).sched & FC_SCHED_RESET_ON_FORK) && !(arg & FC_SCHED_RESET_ON_FORK)) {
    // man:sched:RESET_ON_FORK:2 "After the reset-on-fork flag has been
    // enabled, it can be reset only if the thread has the CAP_SYS_NICE
    // capability." The model does not know the run's capabilities: with
    // CAP_SYS_NICE the call succeeds, without it fails with EPERM
    // (man:sched_setscheduler:EPERM:1). Both are allowed.
    effects.front().cite("man:sched:RESET_ON_FORK:2");
    Effect denied(c.s);
    denied.obs = Observation::failed(EPERM);
    denied.cite("man:sched:RESET_ON_FORK:2").cite("man:sched_setscheduler:EPERM:1");
    effects.push_back(std::move(denied));
  }
  return finish(c, std::move(effects));
}

StepResult rule_getsched(const Ctx& c) {
  // man:sched_setscheduler:GET:1 sched_getscheduler() "returns the current
  // scheduling policy of the thread"; man:sched:RESET_ON_FORK:3 the flag is
  // retrieved with it. man:sched_setscheduler:EXEC:1 kept across execve (exec.cc leaves it).
  Effect e(c.s);
  e.obs = Observation::returned(c.s.proc(c.self()).sched);
  e.cite("man:sched_setscheduler:GET:1").cite("man:sched:RESET_ON_FORK:3");
  if (c.s.proc(c.self()).execed) e.cite("man:sched_setscheduler:EXEC:1");
  return finish(c, std::move(e));
}

// ---- CPU affinity ---------------------------------------------------------------------------------

StepResult rule_setaffinity(const Ctx& c) {
  const std::int64_t arg = c.step.args[0];
  if (arg != FC_AFFINITY_ALL && arg != FC_AFFINITY_FIRST) {
    Check k;
    k.invalid("setaffinity takes 0 (every CPU) or 1 (the first CPU)");
    return k.result(c.s);
  }
  // man:sched_setaffinity:SET:1 "sched_setaffinity() sets the CPU affinity
  // mask of the thread whose ID is pid to the value specified by mask";
  // man:sched_setaffinity:CPUSET:1 CPUs the process may not use are left
  // out (EINVAL only when none is left). How many CPUs "every CPU" is depends
  // on the host: the model knows only that FIRST leaves exactly one.
  Effect e(c.s);
  e.next.proc(c.self()).one_cpu = arg == FC_AFFINITY_FIRST;
  e.obs = Observation::returned(0);
  e.cite("man:sched_setaffinity:SET:1");
  if (arg == FC_AFFINITY_ALL) e.cite("man:sched_setaffinity:CPUSET:1");
  return finish(c, std::move(e));
}

StepResult rule_getaffinity(const Ctx& c) {
  // man:sched_setaffinity:GET:1 sched_getaffinity() "writes the affinity
  // mask of the thread whose ID is pid into the cpu_set_t structure";
  // man:sched_setaffinity:EXEC:1 "The affinity mask is preserved across an
  // execve(2)."
  const Process& p = c.s.proc(c.self());
  std::vector<Effect> effects;
  for (int count : {FC_AFFINITY_ONE, FC_AFFINITY_MANY}) {
    if (p.one_cpu && count == FC_AFFINITY_MANY) continue;
    Effect e(c.s);
    e.obs = Observation::returned(count);
    e.cite("man:sched_setaffinity:GET:1");
    if (p.one_cpu) e.cite("man:sched_setaffinity:SET:1");
    if (p.execed) e.cite("man:sched_setaffinity:EXEC:1");
    effects.push_back(std::move(e));
  }
  return finish(c, std::move(effects));
}

}  // namespace

StepResult rule_SetSched(const Ctx& c) { return rule_setsched(c); }
StepResult rule_GetSched(const Ctx& c) { return rule_getsched(c); }
StepResult rule_SetAffinity(const Ctx& c) { return rule_setaffinity(c); }
StepResult rule_GetAffinity(const Ctx& c) { return rule_getaffinity(c); }
StepResult rule_Lock(const Ctx& c) { return rule_lock(c); }
StepResult rule_Madvise(const Ctx& c) { return rule_madvise(c); }
StepResult rule_Itimer(const Ctx& c) { return rule_itimer(c); }
StepResult rule_Sigaltstack(const Ctx& c) { return rule_sigaltstack(c); }
StepResult rule_ChildTimes(const Ctx& c) { return rule_childtimes(c); }

}  // namespace fc::oracle
