// Exec area: execve of the executor itself in report mode. The new image
// reports every descriptor it holds, then carries on as the same actor.
//
// Quotes: oracles/spec/exec.md.
#include "oracles/rules.h"

namespace fc::oracle {
namespace {

void effect_exec(const Ctx& c, Effect& e) {
  State& s = e.next;
  Process& p = s.proc(c.self());
  // posix:exec:FDS:1 "File descriptors open in the calling process image
  // shall remain open in the new process image, except for those whose
  // close-on-exec flag FD_CLOEXEC is set." Closing the last write end of a
  // pipe this way lets a blocked reader see end-of-file (settle()).
  // posix:exec:CLOEXEC:1 (fcntl F_SETFD) "otherwise, the file descriptor
  // shall be closed upon successful execution of one of the exec functions."
  std::vector<FdSlot> kept;
  for (const FdSlot& slot : p.fds) {
    if (slot.cloexec) {
      e.cite("posix:exec:CLOEXEC:1");
      s.release_record_lock(c.self(), slot.ofd);  // issue 3: man:fcntl:LOCK_CLOSE:1
    } else {
      kept.push_back(slot);
    }
  }
  p.fds = std::move(kept);
  // posix:exec:MAP:1 "Memory mappings created in the process are unmapped
  // before the address space is rebuilt for the new process image."
  if (!p.regions.empty()) e.cite("posix:exec:MAP:1");
  p.regions.clear();
  // posix:exec:IDS:1 "The new process shall also inherit at least the
  // following attributes from the calling process image: ... Process ID ...
  // Parent process ID": the actor, its parent and its children are unchanged.
  p.execed = true;
  /* ---- vfork and exec (issue 3) ---- */
  if (p.vfork_shared) {
    // man:vfork:SUSPEND:1 the vfork child called execve: it now has an image
    // of its own (the exec'd image maps no regions) and its parent returns
    // from vfork (wake_vfork).
    p.vfork_shared = false;
    e.cite("man:vfork:SUSPEND:1");
  }
  // posix:exec:MASK:1 / man:signal:MASK_FORK:1 the signal mask is kept;
  // man:signal:PENDING_EXEC:1 so is the set of pending signals.
  if (p.mask != 0) e.cite("posix:exec:MASK:1").cite("man:signal:MASK_FORK:1");
  if (p.pending != 0) e.cite("man:signal:PENDING_EXEC:1");
  // PLANTED BUG (tests only): exec empties the mask (and the pending set,
  // which would otherwise be pending and unblocked).
  if (planted(c, Profile::PlantedBug::ExecClearsMask)) {
    p.mask = 0;
    p.pending = 0;
  }
  /* ---- inheritance (issue 3) ---- */
  // man:execve:ALTSTACK:1 "Any alternate signal stack is not preserved";
  // interval timers, record locks and the children's usage are
  // (man:getitimer:EXEC:1, man:fcntl:LOCK_EXEC:1, man:getrusage:EXEC:1).
  if (p.altstack != FC_ALTSTACK_OFF) e.cite("man:execve:ALTSTACK:1");
  p.altstack = FC_ALTSTACK_OFF;
  // posix:exec:OFD:1 "For those file descriptors that remain open, all
  // attributes of the open file description remain unchanged": offsets and
  // status flags carry over.
  e.obs = Observation().with("fds", obs::fd_table(fd_entries(s, c.self())));
  e.cite("posix:exec:FDS:1").cite("posix:exec:OFD:1").cite("posix:exec:IDS:1");
}

}  // namespace

StepResult rule_Exec(const Ctx& c) {
  // posix:exec:ERRORS:1 (E2BIG, EACCES, ENOENT, ENOEXEC, ...) are not
  // modelled: the executor re-executes itself. coverage:linux:irrelevant
  Effect e(c.s);
  effect_exec(c, e);
  libc_exec(c, e);  // issue 3: atfork handlers, their log and stdio buffers are gone
  // issue 4: signal dispositions across exec (signal.cc).
  return finish(c, exec_signal_effects(c, std::move(e)));
}

}  // namespace fc::oracle
