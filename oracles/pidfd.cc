// Pidfd area and the parent-death signal (issue 4, pidfd): pidfd_open,
// poll on a pidfd, pidfd_send_signal, prctl(PR_SET_PDEATHSIG /
// PR_GET_PDEATHSIG), and what a parent's death does to a child that asked
// for a signal. waitid(P_PIDFD) is with the wait family in process.cc.
//
// A pidfd is an open file description whose object is an actor
// (ObjectKind::Pidfd, "pidfd:P<n>"): a descriptor like any other, inherited
// by fork, closed by exec when FD_CLOEXEC is set (pidfd_open sets it), and
// it keeps referring to its process after that process has exited.
//
// Quotes: oracles/spec/pidfd.md.
#include <cerrno>

#include "oracles/rules.h"

namespace fc::oracle {

int pidfd_target(const State& s, ActorId a, std::int64_t fd) {
  const FdSlot* slot = s.fd(a, fd);
  if (!slot) return -2;
  const Ofd& ofd = s.ofds[slot->ofd];
  return ofd.object.kind == ObjectKind::Pidfd ? ofd.object.index : -1;
}

// man:prctl:PDEATHSIG:1 "This is the signal that the calling process will
// get when its parent dies." man:prctl:PDEATHSIG:2 it "is sent upon
// subsequent termination of the parent thread and also upon termination of
// each subreaper process ... to which the caller is subsequently
// reparented": every parent, the first or an adoptive one. Actors are
// single-threaded, so the parent thread ends when the parent process does.
// end_process() calls this after reparenting `orphan`: its getppid already
// names the new parent when the signal arrives (linux:forget_original_parent:
// PDEATHSIG:1).
void send_pdeathsig(const Ctx& c, State& s, ActorId orphan, Effect& e) {
  const Process& p = s.proc(orphan);
  if (p.pdeathsig == 0 || p.life != Life::Alive) return;
  e.cite("man:prctl:PDEATHSIG:1").cite("man:prctl:PDEATHSIG:2");
  e.cite("linux:forget_original_parent:PDEATHSIG:1");
  const int saved_sync = e.sync;
  deliver_signal(c, s, orphan, p.pdeathsig, e);
  // The sender's own sync (kill's target) stays; a death caused here is an
  // extra one the executor waits for before the next step.
  if (e.sync == FC_SYNC_DEATH && saved_sync != FC_SYNC_DEATH) e.sync = saved_sync;
  if (s.proc(orphan).life != Life::Alive) e.deaths.push_back(orphan);
}

namespace {

// ---- pidfd_open -----------------------------------------------------------------

StepResult rule_pidfd_open(const Ctx& c) {
  const std::int64_t sel = c.step.args[0];
  const std::int64_t flags = c.step.args[1];
  Check k;
  bool bad_args = false;
  // man:pidfd_open:EINVAL:1 "flags is not valid." (0 or PIDFD_NONBLOCK)
  if (flags & ~static_cast<std::int64_t>(FC_O_NONBLOCK)) {
    k.raise(EINVAL, "man:pidfd_open:EINVAL:1");
    bad_args = true;
  }
  // man:pidfd_open:EINVAL:2 "pid is not valid." (the `any` and `pgrp`
  // selectors pass -1 and 0)
  if (sel < 0) {
    k.raise(EINVAL, "man:pidfd_open:EINVAL:2");
    bad_args = true;
  }
  const int fd = c.s.lowest_free_fd(c.self(), 0);
  if (fd >= FC_FIRST_RESERVED_FD) k.invalid("no descriptor below the reserved range is free");
  bool maybe_zombie = false;
  if (sel >= 0 && c.s.proc(static_cast<ActorId>(sel)).life == Life::Reaped) {
    // man:pidfd_open:ESRCH:1 "The process specified by pid does not exist."
    k.raise(ESRCH, "man:pidfd_open:ESRCH:1");
    // Harness: the run's reaper collects its children in a loop of its
    // own, so a child of the reaper may still be a zombie (as for kill).
    maybe_zombie = c.s.proc(static_cast<ActorId>(sel)).parent == kReaper;
  }
  if (k.refused()) return k.result(c.s);
  StepResult r;
  if (!k.passed()) {
    r = k.result(c.s);
    if (bad_args || !maybe_zombie) return r;
  }
  Effect e(c.s);
  State& s = e.next;
  const ActorId target = static_cast<ActorId>(sel);
  // man:pidfd_open:CREATE:1 "creates a file descriptor that refers to the
  // process whose PID is specified in pid ... the close-on-exec flag is set
  // on the file descriptor." man:pidfd_open:NONBLOCK:1 PIDFD_NONBLOCK
  // "Return a nonblocking file descriptor": O_NONBLOCK (F_GETFL shows it,
  // linux:pidfd_open:FLAGS:1, with O_RDWR).
  const int ofd = s.add_ofd(Ofd{ObjectRef{ObjectKind::Pidfd, target}, FC_O_RDWR, false,
                                static_cast<bool>(flags & FC_O_NONBLOCK), 0});
  s.install_fd(c.self(), fd, ofd, true);
  e.obs = Observation::returned(fd);
  e.cite("man:pidfd_open:CREATE:1").cite("linux:pidfd_open:FLAGS:1").cite("posix:open:LOWEST:1");
  if (flags & FC_O_NONBLOCK) e.cite("man:pidfd_open:NONBLOCK:1");
  const Life life = c.s.proc(target).life;
  // man:pidfd_open:ZOMBIE:1 "Even if the child has already terminated by the
  // time of the pidfd_open() call, its PID will not have been recycled and
  // the returned file descriptor will refer to the resulting zombie process."
  if (life != Life::Alive) e.cite("man:pidfd_open:ZOMBIE:1");
  if (life == Life::Reaped) e.cite("posix:kill:ZOMBIE:1");
  StepResult ok = finish(c, std::move(e));
  if (ok.special) return ok;
  for (Outcome& o : ok.outcomes) r.outcomes.push_back(std::move(o));
  return r;
}

// ---- poll ---------------------------------------------------------------------------

StepResult rule_pidfd_poll(const Ctx& c) {
  const std::int64_t fd = c.step.args[0];
  const int target = pidfd_target(c.s, c.self(), fd);
  Effect e(c.s);
  if (target == -2 || fd < 0) {
    if (fd < 0) {
      // posix:poll:NEGATIVE:1 "If the value of fd is less than 0, events
      // shall be ignored, and revents shall be set to 0": nothing ready.
      e.obs = Observation::returned(0).with("revents", "0");
      e.cite("posix:poll:NEGATIVE:1");
    } else {
      // posix:poll:POLLNVAL:1 "The specified fd value is invalid." It is
      // reported in revents, and poll counts the descriptor.
      e.obs = Observation::returned(1).with("revents", "NVAL");
      e.cite("posix:poll:POLLNVAL:1").cite("posix:poll:RET:1");
    }
    return finish(c, std::move(e));
  }
  if (target < 0) {
    // Another kind of descriptor (a pidfd step of a program may name one,
    // e.g. when the model allowed pidfd_open to fail or to succeed).
    const Ofd& ofd = c.s.ofds[c.s.fd(c.self(), fd)->ofd];
    bool counted = false, readable = false;
    switch (ofd.object.kind) {
      case ObjectKind::File:
        // posix:poll:REGULAR:1 "Regular files shall always poll TRUE for
        // reading and writing."
        counted = readable = true;
        e.cite("posix:poll:REGULAR:1");
        break;
      case ObjectKind::Null:
        // linux:vfs_poll:DEFAULT:1 a file without a poll operation (/dev/null)
        // reports DEFAULT_POLLMASK: readable.
        counted = readable = true;
        e.cite("linux:vfs_poll:DEFAULT:1");
        break;
      case ObjectKind::Pipe: {
        const int pipe = ofd.object.index;
        if (ofd.readable()) {
          // linux:pipe_poll:READ:1 POLLIN when data is buffered; POLLHUP (counted,
          // not observed) when no writer is left (posix:poll:POLLHUP:1).
          readable = !c.s.pipes[pipe].buffer.empty();
          counted = readable || !c.s.pipe_has_writers(pipe);
        } else {
          // linux:pipe_poll:ERR:1 the write end reports POLLERR (counted, not
          // observed) when no reader is left; POLLOUT was not asked for.
          counted = !c.s.pipe_has_readers(pipe);
        }
        e.cite("linux:pipe_poll:READ:1").cite("linux:pipe_poll:ERR:1");
        break;
      }
      case ObjectKind::Pidfd: break;  // coverage:impossible
    }
    e.obs = Observation::returned(counted ? 1 : 0).with("revents", readable ? "IN" : "0");
    e.cite("posix:poll:RET:1");
    return finish(c, std::move(e));
  }
  // man:pidfd_open:POLL:1 "When the process that it refers to terminates,
  // these interfaces indicate the file descriptor as readable": once it is
  // a zombie, and still after it was reaped.
  bool readable = c.s.proc(target).life != Life::Alive;
  // PLANTED BUG (tests only): a pidfd never polls readable.
  if (planted(c, Profile::PlantedBug::PidfdNotReadable)) readable = false;
  e.obs = readable ? Observation::returned(1).with("revents", "IN")
                   : Observation::returned(0).with("revents", "0");
  e.cite("man:pidfd_open:POLL:1").cite("posix:poll:RET:1");
  return finish(c, std::move(e));
}

// ---- pidfd_send_signal -------------------------------------------------------------------

StepResult rule_pidfd_send_signal(const Ctx& c) {
  const int sig = static_cast<int>(c.step.args[1]);
  const int target = pidfd_target(c.s, c.self(), c.step.args[0]);
  if (target < 0) {
    // man:pidfd_send_signal:EBADF:1 "pidfd is not a valid PID file
    // descriptor." (not open, or open on something else)
    Check k;
    k.raise(EBADF, "man:pidfd_send_signal:EBADF:1");
    return k.result(c.s);
  }
  const Process& t = c.s.proc(target);
  if (t.life == Life::Reaped) {
    // man:pidfd_send_signal:ESRCH:1 "The target process does not exist
    // (i.e., it has terminated and been waited on)."
    Check k;
    k.raise(ESRCH, "man:pidfd_send_signal:ESRCH:1");
    StepResult r = k.result(c.s);
    if (t.parent == kReaper) {
      // Harness: a child of the reaper may still be a zombie (see kill).
      Effect e(c.s);
      e.obs = Observation::returned(0);
      e.cite("man:pidfd_send_signal:ZOMBIE:1");
      StepResult z = finish(c, std::move(e));
      for (Outcome& o : z.outcomes) r.outcomes.push_back(std::move(o));
    }
    return r;
  }
  Effect e(c.s);
  e.obs = Observation::returned(0);
  // man:pidfd_send_signal:SEND:1 "sends the signal sig to the target process
  // referred to by pidfd"; man:pidfd_send_signal:KILL:1 with info NULL it is
  // "equivalent to" a signal sent with kill(2).
  e.cite("man:pidfd_send_signal:SEND:1").cite("man:pidfd_send_signal:KILL:1");
  if (t.life == Life::Zombie) {
    // man:pidfd_send_signal:ZOMBIE:1 ESRCH only once it "has terminated and
    // been waited on": a zombie still exists and the call succeeds
    // (posix:kill:ZOMBIE:1), doing nothing.
    e.cite("man:pidfd_send_signal:ZOMBIE:1").cite("posix:kill:ZOMBIE:1");
    return finish(c, std::move(e));
  }
  if (sig == 0) {
    e.cite("posix:kill:SIG0:1");
    return finish(c, std::move(e));
  }
  deliver_signal(c, e.next, target, sig, e);
  return finish(c, std::move(e));
}

}  // namespace

StepResult rule_PidfdOpen(const Ctx& c) { return rule_pidfd_open(c); }
StepResult rule_PidfdPoll(const Ctx& c) { return rule_pidfd_poll(c); }
StepResult rule_PidfdSendSignal(const Ctx& c) { return rule_pidfd_send_signal(c); }

// ---- PR_SET_PDEATHSIG / PR_GET_PDEATHSIG ------------------------------------------------------

StepResult rule_SetPdeathsig(const Ctx& c) {
  // man:prctl:PDEATHSIG:3 "Set the parent-death signal of the calling process
  // to sig (either a signal value in the range [1, NSIG - 1], or 0 to
  // clear)." Every signal a program may name is in range (wire.h).
  Effect e(c.s);
  e.next.proc(c.self()).pdeathsig = static_cast<int>(c.step.args[0]);
  e.obs = Observation::returned(0);
  e.cite("man:prctl:PDEATHSIG:3");
  return finish(c, std::move(e));
}

StepResult rule_GetPdeathsig(const Ctx& c) {
  // man:prctl:PDEATHSIG:4 PR_GET_PDEATHSIG "Return the current value of the
  // parent process death signal, in the location pointed to by (int *) arg2."
  // Cleared in a fork child (man:prctl:PDEATHSIG:5, process.cc), kept by
  // exec of a binary that is not set-user-ID/set-group-ID and has no file
  // capabilities (man:prctl:PDEATHSIG:6; the executor re-executes itself).
  const Process& p = c.s.proc(c.self());
  Effect e(c.s);
  e.obs = Observation::returned(0).with("sig", obs::signal_name(p.pdeathsig));
  e.cite("man:prctl:PDEATHSIG:4");
  if (p.execed) e.cite("man:prctl:PDEATHSIG:6");
  return finish(c, std::move(e));
}

}  // namespace fc::oracle
