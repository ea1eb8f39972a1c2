// Libc area (issue 3): pthread_atfork, _Fork, vfork and stdio buffers across
// fork, exit, _exit and exec.
//
// What the model keeps per process image (oracles/state.h Process):
//   atfork      the registrations, in order (which handlers are non-NULL)
//   atfork_log  what the executor's recording handlers appended; it lives in
//               the process's memory, so fork copies it and exec empties it
//   streams     the fopen'd streams with the bytes fputs buffered
//
// Quotes: oracles/spec/atfork.md, oracles/spec/stdio.md.
#include <cerrno>

#include "oracles/rules.h"

namespace fc::oracle {
namespace {

constexpr std::size_t kMaxRegistrations = 8;  // harness limit, see check in rule_Atfork

char event(int kind, int id) { return static_cast<char>((kind << 4) | (id & 0xf)); }

// Appends `events` to a's log; false (with e.special) past FC_ATFORK_LOG_MAX.
bool log_events(State& s, ActorId a, const std::string& events, Effect& e) {
  std::string& log = s.proc(a).atfork_log;
  if (log.size() + events.size() > FC_ATFORK_LOG_MAX) {
    e.special = Special{Special::Kind::NotModeled,
                        "the atfork log of " + actor_symbol(a) + " would outgrow FC_ATFORK_LOG_MAX"};
    return false;
  }
  log += events;
  return true;
}

// posix:pthread_atfork:ORDER:1 "The parent and child fork handlers shall be
// called in the order in which they were established by calls to
// pthread_atfork(). The prepare fork handlers shall be called in the opposite
// order."
std::string prepare_events(const Ctx& c, const std::vector<std::uint8_t>& regs) {
  std::string events;
  for (std::size_t k = regs.size(); k-- > 0;) {
    if (regs[k] & FC_ATFORK_PREPARE) events += event(FC_ATFORK_EV_PREPARE, regs[k] >> 4);
  }
  // PLANTED BUG (tests only): prepare handlers in registration order.
  if (planted(c, Profile::PlantedBug::AtforkPrepareInOrder)) {
    events.clear();
    for (std::uint8_t r : regs) {
      if (r & FC_ATFORK_PREPARE) events += event(FC_ATFORK_EV_PREPARE, r >> 4);
    }
  }
  return events;
}

std::string after_events(const std::vector<std::uint8_t>& regs, int bit, int kind) {
  std::string events;
  for (std::uint8_t r : regs) {
    if (r & bit) events += event(kind, r >> 4);
  }
  return events;
}

Stream* stream_of(State& s, ActorId a, int file) {
  for (Stream& st : s.proc(a).streams) {
    if (st.file == file) return &st;
  }
  return nullptr;
}

const Stream* stream_of(const State& s, ActorId a, int file) {
  for (const Stream& st : s.proc(a).streams) {
    if (st.file == file) return &st;
  }
  return nullptr;
}

// Writes the stream's buffered bytes through its descriptor, as write(2)
// would (posix:fflush:WRITE:1); the buffer is then empty. Sets e.special
// when the descriptor no longer refers to the stream's open file
// description (closed or replaced behind the stream's back: not modelled).
bool flush_stream(State& s, ActorId a, Stream& st, Effect& e) {
  if (st.buffer.empty()) return true;
  const FdSlot* slot = s.fd(a, st.fd);
  if (!slot || slot->ofd != st.ofd) {
    e.special = Special{Special::Kind::NotModeled,
                        "the descriptor of the stream on f" + std::to_string(st.file) +
                            " was closed or replaced"};
    return false;
  }
  Ofd& ofd = s.ofds[st.ofd];
  std::string& contents = s.files.at(ofd.object.index).data;
  if (ofd.append) {
    // posix:write:APPEND:1 (an F_SETFL O_APPEND on the description).
    ofd.offset = static_cast<std::int64_t>(contents.size());
    e.cite("posix:write:APPEND:1");
  }
  const std::size_t at = static_cast<std::size_t>(ofd.offset);
  if (contents.size() < at + st.buffer.size()) contents.resize(at + st.buffer.size(), '\0');
  contents.replace(at, st.buffer.size(), st.buffer);
  // posix:write:OFFSET:1 the offset of the shared description advances.
  ofd.offset += static_cast<std::int64_t>(st.buffer.size());
  st.buffer.clear();
  e.cite("posix:fflush:WRITE:1").cite("posix:write:OFFSET:1");
  return true;
}

void flush_all(State& s, ActorId a, Effect& e) {
  for (Stream& st : s.proc(a).streams) {
    if (!flush_stream(s, a, st, e)) return;
  }
}

}  // namespace

// ---- hooks from process.cc and exec.cc -------------------------------------------

void libc_fork(const Ctx& c, State& s, ActorId child, Effect& e) {
  const ActorId self = c.self();
  const std::vector<std::uint8_t> regs = s.proc(self).atfork;
  // posix:fork:MEM:1 the child is a copy of the parent: the handler table,
  // the log and the stdio buffers are process memory (posix:fork:STDIO:1).
  Process& kid = s.proc(child);
  kid.atfork = regs;
  kid.atfork_log = s.proc(self).atfork_log;
  kid.streams = s.proc(self).streams;
  // The signal mask is copied by fork itself (process.cc, man:signal:MASK_FORK:1).
  if (!kid.streams.empty()) e.cite("posix:fork:STDIO:1");
  if (!kid.atfork.empty()) e.cite("posix:pthread_atfork:INHERIT:1");
  if (c.step.op == Op::UFork) {
    // posix:_Fork:HANDLERS:1 "fork handlers established by means of the
    // pthread_atfork() function shall not be called".
    if (!regs.empty()) e.cite("posix:_Fork:HANDLERS:1");
    return;
  }
  if (regs.empty()) return;
  // posix:pthread_atfork:WHEN:1 the prepare handlers run before fork
  // processing commences, so the child's copy of the log has their events;
  // parent handlers run in the parent after, child handlers in the child.
  const std::string prepare = prepare_events(c, regs);
  if (!log_events(s, self, prepare, e) || !log_events(s, child, prepare, e)) return;
  if (!log_events(s, self, after_events(regs, FC_ATFORK_PARENT, FC_ATFORK_EV_PARENT), e)) return;
  if (!log_events(s, child, after_events(regs, FC_ATFORK_CHILD, FC_ATFORK_EV_CHILD), e)) return;
  e.cite("posix:pthread_atfork:WHEN:1").cite("posix:pthread_atfork:ORDER:1");
}

void libc_exit(const Ctx& c, Effect& e) {
  // posix:exit:FLUSH:1 "all open streams with unwritten buffered data are
  // flushed, all open streams are closed".
  if (!e.next.proc(c.self()).streams.empty()) e.cite("posix:exit:FLUSH:1");
  flush_all(e.next, c.self(), e);
  e.next.proc(c.self()).streams.clear();
}

void libc_uexit(const Ctx& c, Effect& e) {
  // posix:_exit:STREAMS:1 "Open streams shall not be flushed." The buffers go
  // with the process.
  if (!e.next.proc(c.self()).streams.empty()) e.cite("posix:_exit:STREAMS:1");
  // PLANTED BUG (tests only): _exit flushes like exit.
  if (planted(c, Profile::PlantedBug::UExitFlushesStdio)) flush_all(e.next, c.self(), e);
  e.next.proc(c.self()).streams.clear();
}

void libc_exec(const Ctx& c, Effect& e) {
  Process& p = e.next.proc(c.self());
  // posix:exec:IMAGE:1 the new process image replaces the old one: the
  // handlers are functions of the old image (posix:pthread_atfork:EXEC:1),
  // its log and its stdio buffers are old memory (posix:exec:STREAMS:1).
  // The streams' descriptors stay open unless FD_CLOEXEC (exec.cc).
  if (!p.atfork.empty() || !p.atfork_log.empty()) e.cite("posix:pthread_atfork:EXEC:1");
  if (!p.streams.empty()) e.cite("posix:exec:STREAMS:1");
  p.atfork.clear();
  p.atfork_log.clear();
  p.streams.clear();
}

// ---- the rules -----------------------------------------------------------------------

StepResult rule_Atfork(const Ctx& c) {
  Check k;
  const std::int64_t id = c.step.args[0];
  if (id < 0 || id > FC_MAX_ATFORK_ID) {
    k.invalid("atfork id " + std::to_string(id) + " is not 0.." + std::to_string(FC_MAX_ATFORK_ID));
  }
  // posix:pthread_atfork:ENOMEM:1 "Insufficient table space exists to record
  // the fork handler addresses." glibc and musl grow the table; the harness
  // keeps programs small instead.
  if (c.s.proc(c.self()).atfork.size() >= kMaxRegistrations) {
    k.not_modeled("more than 8 pthread_atfork registrations in one image");
  }
  if (k.refused()) return k.result(c.s);
  Effect e(c.s);
  e.next.proc(c.self()).atfork.push_back(
      static_cast<std::uint8_t>((id << 4) | (c.step.args[1] & FC_ATFORK_ALL)));
  // posix:pthread_atfork:NULL:1 "If no handling is desired at one or more of
  // these three points, the corresponding fork handler address(es) may be set
  // to NULL." posix:pthread_atfork:RET:1 "Upon successful completion,
  // pthread_atfork() shall return a value of zero".
  e.obs = Observation::returned(0);
  e.cite("posix:pthread_atfork:RET:1");
  if ((c.step.args[1] & FC_ATFORK_ALL) != FC_ATFORK_ALL) e.cite("posix:pthread_atfork:NULL:1");
  return finish(c, std::move(e));
}

StepResult rule_AtforkLog(const Ctx& c) {
  Effect e(c.s);
  e.obs = Observation::returned(0).with("log", obs::atfork_log(c.s.proc(c.self()).atfork_log));
  e.cite("posix:pthread_atfork:WHEN:1");
  return finish(c, std::move(e));
}

// _Fork: fork() without the handlers (libc_fork looks at the op).
StepResult rule_UFork(const Ctx& c) { return rule_Fork(c); }

StepResult rule_VforkExit(const Ctx& c) {
  Check k;
  const Process& self = c.s.proc(c.self());
  // The executor reaps the child with waitpid(pid): with SIGCHLD caught,
  // ignored or SA_NOCLDWAIT that interacts with signal.cc's rules, which this
  // op does not model.
  if (self.disp[FC_SIGCHLD] != FC_DISP_DFL || self.nocldwait) {
    k.not_modeled("vfork with SIGCHLD not at its default disposition");
    return k.result(c.s);
  }
  Effect e(c.s);
  // man:vfork:ATFORK:1 "Fork handlers established using pthread_atfork(3) are
  // not called when a multithreaded program employing the NPTL threading
  // library calls vfork()." The child _exit(0)s at once (man:vfork:EXIT:1)
  // and the caller reaps it: nothing else changes.
  e.obs = Observation::returned_pid("new").with("status", obs::exited(0));
  e.cite("man:vfork:ATFORK:1").cite("man:vfork:EXIT:1");
  // PLANTED BUG (tests only): vfork runs the prepare and parent handlers.
  if (planted(c, Profile::PlantedBug::VforkRunsAtfork)) {
    const std::vector<std::uint8_t> regs = self.atfork;
    if (!log_events(e.next, c.self(), prepare_events(c, regs), e)) return finish(c, std::move(e));
    log_events(e.next, c.self(), after_events(regs, FC_ATFORK_PARENT, FC_ATFORK_EV_PARENT), e);
  }
  return finish(c, std::move(e));
}

StepResult rule_Fopen(const Ctx& c) {
  Check k;
  const int file = static_cast<int>(c.step.args[0]);
  if (stream_of(c.s, c.self(), file)) {
    k.invalid(actor_symbol(c.self()) + " already has a stream on f" + std::to_string(file));
    return k.result(c.s);
  }
  Effect e(c.s);
  State& s = e.next;
  // posix:fopen:W:1 "w or wb Truncate to zero length or create file for
  // writing." posix:fopen:OFLAG:1 the stream is opened as if by open() with
  // O_WRONLY|O_CREAT|O_TRUNC: a new open file description at offset 0
  // (posix:open:OFD:1, posix:open:OFFSET:1) on the lowest free descriptor
  // (posix:open:LOWEST:1), FD_CLOEXEC clear (no 'e' in the mode).
  FileObject& f = s.files.at(file);
  f.exists = true;
  f.data.clear();
  const int fd = s.lowest_free_fd(c.self(), 0);
  const int ofd = s.add_ofd(Ofd{ObjectRef{ObjectKind::File, file}, FC_O_WRONLY, false, false, 0});
  s.install_fd(c.self(), fd, ofd, false);
  Stream st;
  st.file = file;
  st.fd = fd;
  st.ofd = ofd;
  std::vector<Stream>& streams = s.proc(c.self()).streams;
  auto at = streams.begin();
  while (at != streams.end() && at->file < file) ++at;
  streams.insert(at, st);
  // posix:setvbuf:IOFBF:1 "{_IOFBF} shall cause input/output to be fully
  // buffered."
  e.obs = Observation::returned(fd);
  e.cite("posix:fopen:W:1").cite("posix:fopen:OFLAG:1").cite("posix:open:OFD:1");
  e.cite("posix:open:OFFSET:1").cite("posix:open:LOWEST:1").cite("posix:setvbuf:IOFBF:1");
  return finish(c, std::move(e));
}

StepResult rule_Fputs(const Ctx& c) {
  Check k;
  const int file = static_cast<int>(c.step.args[0]);
  const Stream* st = stream_of(c.s, c.self(), file);
  if (!st) {
    k.invalid(actor_symbol(c.self()) + " has no stream on f" + std::to_string(file));
  } else if (c.step.data.find('\0') != std::string::npos) {
    k.invalid("fputs writes a C string: the data holds a NUL byte");
  } else if (st->buffer.size() + c.step.data.size() > FC_STDIO_BUFSIZ) {
    k.not_modeled("the stream's buffer would fill up");
  }
  if (k.refused()) return k.result(c.s);
  Effect e(c.s);
  // posix:setvbuf:IOFBF:2 fully buffered: "bytes are intended to be
  // transmitted as a block when a buffer is filled"; until then they stay in
  // the process's buffer. posix:fputs:RET:1 "Upon successful completion,
  // fputs() shall return a non-negative number."
  stream_of(e.next, c.self(), file)->buffer += c.step.data;
  e.obs = Observation().with("ret", "ok");
  e.cite("posix:setvbuf:IOFBF:2").cite("posix:fputs:RET:1");
  return finish(c, std::move(e));
}

StepResult rule_Fflush(const Ctx& c) {
  Check k;
  const int file = static_cast<int>(c.step.args[0]);
  if (!stream_of(c.s, c.self(), file)) {
    k.invalid(actor_symbol(c.self()) + " has no stream on f" + std::to_string(file));
    return k.result(c.s);
  }
  Effect e(c.s);
  // posix:fflush:WRITE:1 "fflush() shall cause any unwritten data for that
  // stream to be written to the file". posix:fflush:RET:1 "Upon successful
  // completion, fflush() shall return 0".
  flush_stream(e.next, c.self(), *stream_of(e.next, c.self(), file), e);
  e.obs = Observation::returned(0);
  e.cite("posix:fflush:WRITE:1").cite("posix:fflush:RET:1");
  return finish(c, std::move(e));
}

// ---- posix_spawn ------------------------------------------------------------------

namespace {

// The new actor a successful posix_spawn makes: the caller's descriptors
// after the file action, then exec's FD_CLOEXEC closing, in a new image.
void spawned_process(const Ctx& c, Effect& e) {
  State& s = e.next;
  const ActorId self = c.self();
  const ActorId child = c.step.out;
  const std::int64_t action = c.step.args[0];
  const int fd = static_cast<int>(c.step.args[1]);
  if (s.procs.size() <= static_cast<std::size_t>(child)) s.procs.resize(child + 1);
  Process p;
  p.life = Life::Alive;
  // posix:posix_spawn:PID:1 the child's pid is returned in pid; its parent
  // is the caller (a child process, as fork would make).
  p.parent = self;
  p.fds = s.proc(self).fds;
  // The spawned child is a forked child that exec'd: it keeps the caller's
  // mask (man:signal:MASK_FORK:1, then exec keeps it), starts with no
  // pending signals (posix:fork:PENDING:1), and is in the caller's process
  // group and session (man:setpgid:FORK:1, man:setsid:FORK:1).
  p.mask = s.proc(self).mask;
  p.pgid = s.proc(self).pgid;
  p.sid = s.proc(self).sid;
  // ... and keeps the scheduling policy without the reset-on-fork flag and
  // the CPU affinity (man:sched_setscheduler:FORK:1, man:sched:RESET_ON_FORK:2,
  // man:sched_setaffinity:FORK:1; exec keeps both). Record locks, interval
  // timers and the alternate signal stack start empty (inherit.cc).
  p.sched = static_cast<std::uint8_t>(s.proc(self).sched & ~FC_SCHED_RESET_ON_FORK);
  p.one_cpu = s.proc(self).one_cpu;
  p.execed = true;
  s.proc(child) = std::move(p);
  switch (action) {
    case FC_SPAWN_FA_OPEN: {
      // posix:spawn_addopen:OPEN:1 "the file descriptor fildes shall be
      // opened as if open(path, oflag, mode) had been called, and the
      // returned file descriptor, if not fildes, had been changed to fildes
      // as if dup2(returned_fildes, fildes) had been called": a new open file
      // description of f1, O_RDWR, offset 0, FD_CLOEXEC clear. O_CREAT
      // creates f1 (posix:open:CREAT:1).
      FileObject& f = s.files.at(1);
      if (!f.exists) {
        f.exists = true;
        f.data.clear();
        e.cite("posix:open:CREAT:1");
      }
      const int ofd = s.add_ofd(Ofd{ObjectRef{ObjectKind::File, 1}, FC_O_RDWR, false, false, 0});
      s.install_fd(child, fd, ofd, false);
      e.cite("posix:spawn_addopen:OPEN:1");
      break;
    }
    case FC_SPAWN_FA_CLOSE:
      // posix:spawn_addclose:CLOSE:1 "the file descriptor shall be closed as
      // if close(fildes) had been called".
      s.remove_fd(child, fd);
      e.cite("posix:spawn_addclose:CLOSE:1");
      break;
    case FC_SPAWN_FA_DUP2:
    case FC_SPAWN_FA_DUP2_SELF: {
      const int target = action == FC_SPAWN_FA_DUP2 ? 0 : fd;
      const FdSlot* slot = s.fd(child, fd);
      const int ofd = slot->ofd;
      bool cloexec = false;
      if (target == fd) {
        // posix:spawn_adddup2:SAME:1 (POSIX.1-2024) "If fildes and newfildes
        // are equal, then the action shall ensure that newfildes is inherited
        // by the new process with FD_CLOEXEC clear".
        e.cite("posix:spawn_adddup2:SAME:1");
        // PLANTED BUG (tests only): the flag is left as it was.
        if (planted(c, Profile::PlantedBug::SpawnDup2SelfKeepsCloexec)) cloexec = slot->cloexec;
      } else {
        // posix:spawn_adddup2:DUP2:1 "the file descriptor fildes shall be
        // duplicated as newfildes as if dup2(fildes, newfildes) had been
        // called" (posix:dup2:CLOEXEC:1: the copy has FD_CLOEXEC clear).
        e.cite("posix:spawn_adddup2:DUP2:1");
      }
      s.install_fd(child, target, ofd, cloexec);
      break;
    }
    default: break;
  }
  // posix:posix_spawn:FDS:1 then, as for exec, descriptors with FD_CLOEXEC
  // are closed (posix:exec:CLOEXEC:1).
  std::vector<FdSlot> kept;
  for (const FdSlot& slot : s.proc(child).fds) {
    if (!slot.cloexec) kept.push_back(slot);
  }
  s.proc(child).fds = std::move(kept);
  // posix:posix_spawn:SETSIGMASK:1 "If the POSIX_SPAWN_SETSIGMASK flag is
  // set in the spawn-flags attribute of the object referenced by attrp, the
  // child process shall initially have the signal mask specified in the
  // spawn-sigmask attribute"; else the caller's, which exec keeps
  // (man:signal:MASK:1).
  if (c.step.args[2] & FC_SPAWN_SETSIGMASK) {
    s.proc(child).mask = 1u << FC_SIGUSR2;
    e.cite("posix:posix_spawn:SETSIGMASK:1");
  } else {
    e.cite("man:signal:MASK:1");
  }
  std::vector<int> blocked;
  for (int sig = 1; sig <= FC_MAX_SIGNAL; ++sig) {
    if (s.proc(child).mask & (1u << sig)) blocked.push_back(sig);
  }
  e.obs = Observation::returned_pid(actor_symbol(child))
              .with("fds", obs::fd_table(fd_entries(s, child)))
              .with("mask", obs::signal_list(blocked));
  e.cite("posix:posix_spawn:PID:1").cite("posix:posix_spawn:FDS:1");
}

}  // namespace

StepResult rule_Spawn(const Ctx& c) {
  Check k;
  const ActorId child = c.step.out;
  const std::int64_t action = c.step.args[0];
  const std::int64_t fd = c.step.args[1];
  const bool scratch = c.step.args[2] & FC_SPAWN_BIN_SCRATCH;
  const Process& self = c.s.proc(c.self());
  check_names_new_actor(c, k, "posix_spawn");
  if (fd < 0) k.invalid("posix_spawn file actions take a descriptor >= 0");
  if (k.refused()) return k.result(c.s);
  // Dispositions other than SIG_DFL would need exec's rules for the new
  // image (signal.cc) and POSIX_SPAWN_SETSIGDEF: not modelled here.
  bool dispositions = self.nocldstop || self.nocldwait;
  for (std::uint8_t d : self.disp) dispositions = dispositions || d != FC_DISP_DFL;
  if (dispositions) k.not_modeled("posix_spawn from a process with signal dispositions set");
  // A file action on a descriptor the caller does not have fails in the
  // child (EBADF); which errors a libc reports for that is not modelled.
  if (action != FC_SPAWN_FA_NONE && action != FC_SPAWN_FA_OPEN && !c.s.fd(c.self(), fd)) {
    k.not_modeled("posix_spawn file action on a descriptor that is not open");
  }
  if (scratch && action != FC_SPAWN_FA_NONE) {
    k.not_modeled("posix_spawn of a binary that cannot run, with a file action");
  }
  if (k.refused()) return k.result(c.s);

  if (scratch) {
    // The binary is f0: missing (posix:exec:ENOENT:1) or a regular file
    // without execute permission (posix:exec:EACCES:1).
    // posix:posix_spawn:ERROR:1 "If posix_spawn() or posix_spawnp() fail for
    // any of the reasons that would cause fork() or one of the exec family of
    // functions to fail, an error value shall be returned as described by
    // fork() and exec, respectively (or, if the error occurs after the
    // calling process successfully returns, the child process shall exit with
    // exit status 127)." Both are allowed: the error, or a child that exits
    // with 127 (glibc and musl both return the error).
    const bool exists = c.s.files.at(0).exists;
    Check fail;
    fail.raise(exists ? EACCES : ENOENT, exists ? "posix:exec:EACCES:1" : "posix:exec:ENOENT:1");
    StepResult r = fail.result(c.s);
    for (Outcome& o : r.outcomes) o.rules.push_back("posix:posix_spawn:ERROR:1");
    Effect e(c.s);
    State& s = e.next;
    if (s.procs.size() <= static_cast<std::size_t>(child)) s.procs.resize(child + 1);
    Process p;
    p.life = Life::Alive;
    p.parent = c.self();
    p.exit_status = 127;
    p.exit_value = 127;
    s.proc(child) = std::move(p);
    end_process(c, s, child, 0, e);
    e.obs = Observation::returned_pid(actor_symbol(child)).with("report", "none");
    e.cite("posix:posix_spawn:ERROR:1");
    StepResult exited = finish(c, std::move(e));
    if (exited.special) return exited;
    for (Outcome& o : exited.outcomes) r.outcomes.push_back(std::move(o));
    return r;
  }

  // posix:posix_spawn:ATFORK:1 "It is implementation-defined whether the
  // fork handlers are run when posix_spawn() or posix_spawnp() is called."
  // Both are allowed: none (glibc and musl), or prepare and parent handlers
  // in the caller (the child is a new image either way).
  std::vector<Effect> effects;
  {
    Effect e(c.s);
    spawned_process(c, e);
    effects.push_back(std::move(e));
  }
  if (!self.atfork.empty()) {
    Effect e(c.s);
    spawned_process(c, e);
    const std::vector<std::uint8_t> regs = self.atfork;
    if (log_events(e.next, c.self(), prepare_events(c, regs), e)) {
      log_events(e.next, c.self(), after_events(regs, FC_ATFORK_PARENT, FC_ATFORK_EV_PARENT), e);
    }
    e.cite("posix:posix_spawn:ATFORK:1");
    effects.push_back(std::move(e));
  }
  return finish(c, std::move(effects));
}

}  // namespace fc::oracle
