// clone_probe (issue 3, clone_flags): what the sharing flags of clone(2) share.
//
// The step is clone(fn, stack, FLAGS, arg) with an exit signal of 0, FLAGS a
// subset of CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_VFORK
// (harness/executor/ops_clone_probe.cc). The child makes ONE probe (FC_PROBE_*)
// and returns 0, or 1 when the probe's call failed; the caller reaps it with
// waitpid(__WALL) before the step returns. The child is not an actor: the
// model decides the probe against the caller's state (the child's fd table,
// memory and descriptions are the caller's, shared or copied at the call) and
// applies to the caller what the flags share with it:
//   store  region slot 0:     the caller sees it iff CLONE_VM (man:clone:VM:1)
//                             or the region is MAP_SHARED (posix:mmap:SHARED:1);
//   close  the descriptor:    closed in the caller iff CLONE_FILES
//                             (man:clone:FILES:1, else man:clone:FILES:2);
//   setfd  FD_CLOEXEC:        set in the caller iff CLONE_FILES (same quotes);
//   lseek  the file offset:   ALWAYS seen: the copied descriptors refer to the
//                             same open file descriptions (man:clone:FILES:3).
// CLONE_FS and CLONE_SIGHAND share state no probe changes; CLONE_SIGHAND
// without CLONE_VM is EINVAL (man:clone:EINVAL_SIGHAND_VM:1). CLONE_VFORK
// only suspends the caller until the child exits, which it waits for anyway.
//
// Quotes: oracles/spec/clone.md ("clone flags (issue 3, clone_flags)").
#include <cerrno>

#include "oracles/rules.h"

namespace fc::oracle {
namespace {

// The probe as the child makes it: its exit status (0 done, 1 the call failed).
struct ProbeOutcome {
  int status = 0;
  std::vector<std::string> rules;
};

// Decides the child's probe call against `s` (the caller's state at the
// clone: the child's table is the caller's or a copy of it).
ProbeOutcome decide_probe(const Ctx& c) {
  ProbeOutcome o;
  const std::int64_t probe = c.step.args[1];
  if (probe == FC_PROBE_STORE) return o;  // the region is mapped (checked by the caller)
  const FdSlot* slot = c.s.fd(c.self(), c.step.args[2]);
  if (!slot) {
    // posix:close:EBADF:1 / posix:fcntl:EBADF:1 / posix:lseek:EBADF:1.
    o.status = 1;
    o.rules.push_back(probe == FC_PROBE_CLOSE   ? "posix:close:EBADF:1"
                      : probe == FC_PROBE_SETFD ? "posix:fcntl:EBADF:1"
                                                : "posix:lseek:EBADF:1");
    return o;
  }
  if (probe == FC_PROBE_LSEEK) {
    const ObjectKind kind = c.s.ofds[slot->ofd].object.kind;
    if (kind == ObjectKind::Pipe || kind == ObjectKind::Pidfd) {
      // posix:lseek:ESPIPE:1 a pipe; a pidfd is not seekable either.
      o.status = 1;
      o.rules.push_back("posix:lseek:ESPIPE:1");
    }
  }
  return o;
}

StepResult rule_clone_probe(const Ctx& c) {
  const std::int64_t flags = c.step.args[0];
  const std::int64_t probe = c.step.args[1];
  const std::int64_t target = c.step.args[2];
  Check k;
  if (flags & ~static_cast<std::int64_t>(FC_PROBE_FLAGS)) {
    k.invalid("clone_probe flags are a subset of CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_VFORK");
  }
  if (probe == FC_PROBE_STORE) {
    if (!c.s.mapping(c.self(), static_cast<RegionId>(target))) {
      k.invalid("the store probe's region is not mapped in the caller");
    }
  } else if (target < 0 || target > FC_MAX_PROGRAM_FD) {
    k.invalid("the probe's descriptor is out of range");
  }
  if (k.refused()) return k.result(c.s);
  if ((flags & FC_CLONE_SIGHAND) && !(flags & FC_CLONE_VM)) {
    k.raise(EINVAL, "man:clone:EINVAL_SIGHAND_VM:1");
  }
  if (!k.passed()) return k.result(c.s);

  const bool vm = flags & FC_CLONE_VM;
  bool files = flags & FC_CLONE_FILES;
  // PLANTED BUG (tests only): CLONE_FILES copies the table like fork.
  if (planted(c, Profile::PlantedBug::CloneFilesCopiesTable)) files = false;

  const ProbeOutcome probe_outcome = decide_probe(c);
  Effect e(c.s);
  // man:clone:RET:1 the caller gets the child's thread ID: a new one.
  // man:clone:FN_RET:1 the integer fn returns is the child's exit status;
  // man:wait:WALL:1 the caller reaps it (exit signal 0) with __WALL.
  e.obs = Observation::returned_pid("new").with("status", obs::exited(probe_outcome.status));
  e.cite("man:clone:RET:1").cite("man:clone:FN_RET:1").cite("man:wait:WALL:1");
  for (const std::string& rule : probe_outcome.rules) e.cite(rule);
  // man:getrusage:CHILDREN:1 the caller has waited for a child.
  e.next.proc(c.self()).reaped_child = true;
  // Shared, but no probe changes them (spec/clone.md, Harness).
  if (flags & FC_CLONE_FS) e.cite("man:clone:FS:1");
  if (flags & FC_CLONE_SIGHAND) e.cite("man:clone:SIGHAND:1");
  // man:clone:VFORK:1 the caller is suspended until the child exits: it
  // waits for it in any case.
  if (flags & FC_CLONE_VFORK) e.cite("man:clone:VFORK:1");

  if (probe_outcome.status == 0) {
    State& s = e.next;
    switch (probe) {
      case FC_PROBE_STORE: {
        const Mapping* m = s.mapping(c.self(), static_cast<RegionId>(target));
        if (vm || m->kind == FC_MAP_SHARED) {
          // man:clone:VM:1 one memory: the caller sees the store. Without
          // CLONE_VM, man:clone:VM:2 the child has a copy of the memory, as
          // fork gives: posix:mmap:SHARED:1 a MAP_SHARED region's store
          // reaches the object both map.
          s.memories.at(m->memory).at(0) = FC_PROBE_VALUE;
        }
        e.cite(vm ? "man:clone:VM:1" : "man:clone:VM:2");
        if (!vm) e.cite(m->kind == FC_MAP_SHARED ? "posix:mmap:SHARED:1" : "posix:mmap:PRIVATE:1");
        break;
      }
      case FC_PROBE_CLOSE:
        // man:clone:FILES:1 "if one of the processes closes a file descriptor
        // ... the other process is also affected"; man:clone:FILES:2 without
        // it, the child closes its copy.
        // (remove_fd also drops the caller's fcntl record lock on the file:
        // the lock owner is the shared table.)
        if (files) s.remove_fd(c.self(), static_cast<int>(target));
        e.cite(files ? "man:clone:FILES:1" : "man:clone:FILES:2");
        break;
      case FC_PROBE_SETFD:
        // man:clone:FILES:1 "or changes its associated flags (using the
        // fcntl(2) F_SETFD operation), the other process is also affected".
        if (files) s.fd_mut(c.self(), target)->cloexec = true;
        e.cite(files ? "man:clone:FILES:1" : "man:clone:FILES:2");
        break;
      case FC_PROBE_LSEEK: {
        // man:clone:FILES:3 the copied descriptors "refer to the same open
        // file descriptions ... and thus share file offsets": with or
        // without CLONE_FILES the caller sees the new offset.
        Ofd& ofd = s.ofds[s.fd(c.self(), target)->ofd];
        if (ofd.object.kind == ObjectKind::File) ofd.offset = FC_PROBE_OFFSET;
        // linux:null:LSEEK:1 /dev/null keeps offset 0.
        e.cite(ofd.object.kind == ObjectKind::File ? "man:clone:FILES:3" : "linux:null:LSEEK:1");
        break;
      }
      default: break;
    }
  }
  return finish(c, std::move(e));
}

}  // namespace

StepResult rule_CloneProbe(const Ctx& c) { return rule_clone_probe(c); }

}  // namespace fc::oracle
