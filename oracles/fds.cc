// Fds area: descriptors (per process) and open file descriptions (shared by
// dup and fork): pipe, pipe2, open, openat, close, dup, dup2, dup3, read,
// write, lseek and fcntl F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD,
// F_DUPFD_CLOEXEC.
//
// Objects: /dev/null ("null"), scratch regular files f0..f7 in the run's
// scratch directory, pipes ("pipe@<step>"). SIGPIPE is ignored by the
// harness, so writing to a pipe without readers fails with EPIPE.
//
// Quotes: oracles/spec/pipe.md, open.md, close.md, dup.md, read.md,
// write.md, lseek.md, fcntl.md, null.md, errors.md.
#include <algorithm>
#include <cerrno>
#include <climits>

#include "oracles/rules.h"

namespace fc::oracle {
namespace {

// Offsets the model follows. Past 2^31-1 the answer depends on the width of
// off_t in the target's ABI and on the file system's maximum file size, so
// lseek there is not modelled; file contents are kept as bytes, so a write
// that would grow a file past kMaxFileBytes is not modelled either.
constexpr std::int64_t kMaxOffset = INT32_MAX;
constexpr std::int64_t kMaxFileBytes = 1 << 20;

const Ofd* ofd_of(const State& s, const FdSlot* slot) { return slot ? &s.ofds[slot->ofd] : nullptr; }

// The lowest available descriptor >= min, or a refusal when it would fall in
// the executor's reserved range (the model does not know which of those are
// open; the program could not name the result anyway).
int allocate(const Ctx& c, Check& k, int min) {
  int fd = c.s.lowest_free_fd(c.self(), min);
  if (fd >= FC_FIRST_RESERVED_FD) k.invalid("no descriptor below the reserved range is free");
  return fd;
}

// ---- pipe, pipe2 ------------------------------------------------------------------

struct PipeFds {
  int r = -1, w = -1;
};

Check check_pipe(const Ctx& c, int flags, PipeFds& fds) {
  Check k;
  // man:pipe:EINVAL:1 "(pipe2()) Invalid value in flags."
  if (flags & ~(FC_O_CLOEXEC | FC_O_NONBLOCK)) k.raise(EINVAL, "man:pipe:EINVAL:1");
  // posix:pipe:EMFILE:1 is not reachable: at most FC_MAX_STEPS descriptors.
  // posix:pipe:LOWEST:1 "Their integer values shall be the two lowest
  // available at the time of the pipe() call." linux:pipe:ORDER:1 fds[0] is
  // allocated first, so it gets the lower of the two.
  fds.r = allocate(c, k, 0);
  fds.w = allocate(c, k, fds.r + 1);
  return k;
}

void effect_pipe(const Ctx& c, Effect& e, int flags, const PipeFds& fds) {
  State& s = e.next;
  const bool nonblock = flags & FC_O_NONBLOCK;
  const bool cloexec = flags & FC_O_CLOEXEC;
  // posix:pipe:CREATE:1 "The pipe() function shall create a pipe and place
  // two file descriptors, one each into the arguments fildes[0] and
  // fildes[1], that refer to the open file descriptions for the read and
  // write ends of the pipe."
  s.pipes.push_back(PipeObject{c.index, {}});
  const int pipe = static_cast<int>(s.pipes.size() - 1);
  // posix:pipe:MODES:1 "The O_NONBLOCK and FD_CLOEXEC flags shall be clear on
  // both file descriptors." man:pipe:FLAGS:1 pipe2 sets them on request.
  // posix:pipe:ENDS:1 fildes[0] is open for reading, fildes[1] for writing.
  int r = s.add_ofd(Ofd{ObjectRef{ObjectKind::Pipe, pipe}, FC_O_RDONLY, false, nonblock, 0});
  int w = s.add_ofd(Ofd{ObjectRef{ObjectKind::Pipe, pipe}, FC_O_WRONLY, false, nonblock, 0});
  s.install_fd(c.self(), fds.r, r, cloexec);
  s.install_fd(c.self(), fds.w, w, cloexec);
  e.obs = Observation::returned(0).with("fds", std::to_string(fds.r) + "," + std::to_string(fds.w));
  e.cite("posix:pipe:CREATE:1").cite("posix:pipe:ENDS:1").cite("posix:pipe:LOWEST:1");
  e.cite("linux:pipe:ORDER:1");
  e.cite(c.step.op == Op::Pipe ? "posix:pipe:MODES:1" : "man:pipe:FLAGS:1");
}

StepResult rule_pipe(const Ctx& c, int flags) {
  PipeFds fds;
  Check k = check_pipe(c, flags, fds);
  if (!k.passed()) return k.result(c.s);
  Effect e(c.s);
  effect_pipe(c, e, flags, fds);
  return finish(c, std::move(e));
}

// ---- open, openat ------------------------------------------------------------------

Check check_open(const Ctx& c, int& fd) {
  Check k;
  const int file = static_cast<int>(c.step.args[0]);
  const std::int64_t flags = c.step.args[1];
  const int access = static_cast<int>(flags & FC_O_ACCMODE);
  // posix:open:ACCMODE:1 "Applications shall specify exactly one of the first
  // five values (file access modes) below in the value of oflag".
  if (access == FC_O_ACCMODE) k.undefined("open with O_WRONLY|O_RDWR (no such access mode)");
  // posix:open:EXCL:2 "If O_EXCL is set and O_CREAT is not set, the result is
  // undefined."
  if ((flags & FC_O_EXCL) && !(flags & FC_O_CREAT)) k.undefined("O_EXCL without O_CREAT");
  // posix:open:TRUNC:2 "The result of using O_TRUNC without either O_RDWR or
  // O_WRONLY is undefined." (Linux truncates: man:open:TRUNC:3.)
  if ((flags & FC_O_TRUNC) && access == FC_O_RDONLY) k.undefined("O_TRUNC with O_RDONLY");

  const bool exists = c.s.files.at(file).exists;
  // posix:open:ENOENT:1 "O_CREAT is not set and a component of path does not
  // name an existing file".
  if (!exists && !(flags & FC_O_CREAT)) k.raise(ENOENT, "posix:open:ENOENT:1");
  // posix:open:EEXIST:1 "O_CREAT and O_EXCL are set, and the named file exists."
  if (exists && (flags & FC_O_CREAT) && (flags & FC_O_EXCL)) k.raise(EEXIST, "posix:open:EEXIST:1");
  // posix:open:LOWEST:1 "the lowest file descriptor not currently open for
  // that process".
  fd = allocate(c, k, 0);
  return k;
}

void effect_open(const Ctx& c, Effect& e, int fd) {
  State& s = e.next;
  const int file = static_cast<int>(c.step.args[0]);
  const std::int64_t flags = c.step.args[1];
  const int access = static_cast<int>(flags & FC_O_ACCMODE);
  FileObject& f = s.files.at(file);
  if (!f.exists) {
    // posix:open:CREAT:1 "If the file exists, this flag has no effect ...
    // Otherwise, ... the file shall be created".
    f.exists = true;
    f.data.clear();
    e.cite("posix:open:CREAT:1");
  } else if (flags & FC_O_TRUNC) {
    // posix:open:TRUNC:1 "If the file exists and is a regular file, and the
    // file is successfully opened O_RDWR or O_WRONLY, its length shall be
    // truncated to 0".
    f.data.clear();
    e.cite("posix:open:TRUNC:1");
  }
  // posix:open:OFD:1 "The open() function shall establish the connection
  // between a file and a file descriptor. It shall create an open file
  // description that refers to a file and a file descriptor that refers to
  // that open file description." posix:open:OFFSET:1 "The file offset used to
  // mark the current position within the file shall be set to the beginning
  // of the file." O_APPEND and O_NONBLOCK are file status flags of the new
  // description (posix:open:APPEND:1). For a regular file
  // posix:open:NONBLOCK:1 leaves O_NONBLOCK unspecified; Linux records it
  // (F_GETFL reports it) and ignores it (man:open:NONBLOCK:1).
  int ofd = s.add_ofd(Ofd{ObjectRef{ObjectKind::File, file}, access,
                          static_cast<bool>(flags & FC_O_APPEND),
                          static_cast<bool>(flags & FC_O_NONBLOCK), 0});
  // posix:open:CLOEXEC:1 "If set, the FD_CLOEXEC flag for the new file
  // descriptor shall be set."
  const bool cloexec = flags & FC_O_CLOEXEC;
  s.install_fd(c.self(), fd, ofd, cloexec);
  e.obs = Observation::returned(fd);
  e.cite("posix:open:OFD:1").cite("posix:open:LOWEST:1").cite("posix:open:OFFSET:1");
  if (cloexec) e.cite("posix:open:CLOEXEC:1");
  if (c.step.op == Op::OpenAt) e.cite("posix:openat:EQUIV:1");
}

StepResult rule_open(const Ctx& c) {
  int fd = -1;
  Check k = check_open(c, fd);
  if (!k.passed()) return k.result(c.s);
  Effect e(c.s);
  effect_open(c, e, fd);
  return finish(c, std::move(e));
}

// ---- close --------------------------------------------------------------------------

Check check_close(const Ctx& c) {
  Check k;
  // posix:close:EBADF:1 "The fildes argument is not a open file descriptor."
  if (!c.s.fd(c.self(), c.step.args[0])) k.raise(EBADF, "posix:close:EBADF:1");
  return k;
}

void effect_close(const Ctx& c, Effect& e) {
  // posix:close:DEALLOC:1 "The close() function shall deallocate the file
  // descriptor indicated by fildes." When it was the last write end of a
  // pipe, a blocked reader returns end-of-file in settle().
  e.next.remove_fd(c.self(), static_cast<int>(c.step.args[0]));
  e.obs = Observation::returned(0);
  e.cite("posix:close:DEALLOC:1");
}

// ---- dup, dup2, dup3, F_DUPFD, F_DUPFD_CLOEXEC ---------------------------------------

Check check_dup(const Ctx& c, int& fd) {
  Check k;
  // posix:dup:EQUIV:1 dup(fildes) is fcntl(fildes, F_DUPFD, 0).
  // posix:fcntl:EBADF:1 "The fildes argument is not a valid open file
  // descriptor".
  if (!c.s.fd(c.self(), c.step.args[0])) k.raise(EBADF, "posix:fcntl:EBADF:1");
  fd = allocate(c, k, 0);
  return k;
}

Check check_dupfd(const Ctx& c, int& fd) {
  Check k;
  const std::int64_t min = c.step.args[1];
  // posix:fcntl:EBADF:1 "The fildes argument is not a valid open file
  // descriptor".
  if (!c.s.fd(c.self(), c.step.args[0])) k.raise(EBADF, "posix:fcntl:EBADF:1");
  // posix:fcntl:EINVAL:1 "The cmd argument is F_DUPFD or F_DUPFD_CLOEXEC and
  // arg is negative or greater than or equal to {OPEN_MAX}".
  if (min < 0) {
    k.raise(EINVAL, "posix:fcntl:EINVAL:1");
  } else {
    fd = allocate(c, k, static_cast<int>(min));
  }
  return k;
}

// Makes `fd` a new descriptor for the description behind `old`.
void duplicate(const Ctx& c, Effect& e, int old, int fd, bool cloexec) {
  State& s = e.next;
  const int ofd = s.fd(c.self(), old)->ofd;
  // man:dup:SHARE:1 "They refer to the same open file description (see
  // open(2)) and thus share file offset and file status flags".
  // man:dup:CLOEXEC:1 for dup: "The close-on-exec flag (FD_CLOEXEC; see
  // fcntl(2)) for the duplicate descriptor is off."
  s.install_fd(c.self(), fd, ofd, cloexec);
  e.obs = Observation::returned(fd);
  e.cite("man:dup:SHARE:1");
}

void effect_dup(const Ctx& c, Effect& e, int fd) {
  // posix:fcntl:F_DUPFD:1 "the lowest numbered available (that is, not
  // already open) file descriptor greater than or equal to the third
  // argument"; posix:fcntl:F_DUPFD:2 "The FD_CLOEXEC flag associated with the
  // new file descriptor shall be cleared".
  bool cloexec = false;
  // PLANTED BUG (tests only): dup() copies FD_CLOEXEC.
  if (planted(c, Profile::PlantedBug::DupKeepsCloexec) && c.step.op == Op::Dup) {
    cloexec = c.s.fd(c.self(), c.step.args[0])->cloexec;
  }
  duplicate(c, e, static_cast<int>(c.step.args[0]), fd, cloexec);
  e.cite(c.step.op == Op::Dup ? "posix:dup:EQUIV:1" : "posix:fcntl:F_DUPFD:1");
  e.cite("posix:fcntl:F_DUPFD:2");
}

void effect_dupfd_cloexec(const Ctx& c, Effect& e, int fd) {
  // posix:fcntl:F_DUPFD_CLOEXEC:1 "Like F_DUPFD, but the FD_CLOEXEC flag
  // associated with the new file descriptor shall be set."
  duplicate(c, e, static_cast<int>(c.step.args[0]), fd, true);
  e.cite("posix:fcntl:F_DUPFD:1").cite("posix:fcntl:F_DUPFD_CLOEXEC:1");
}

Check check_dup2(const Ctx& c) {
  Check k;
  // posix:dup2:EBADF:1 "The fildes argument is not a valid open file
  // descriptor or the argument fildes2 is negative or greater than or equal
  // to {OPEN_MAX}."
  if (!c.s.fd(c.self(), c.step.args[0])) k.raise(EBADF, "posix:dup2:EBADF:1");
  if (c.step.args[1] < 0) k.raise(EBADF, "posix:dup2:EBADF:1");
  return k;
}

void effect_dup2(const Ctx& c, Effect& e) {
  const int old = static_cast<int>(c.step.args[0]);
  const int fd = static_cast<int>(c.step.args[1]);
  if (old == fd) {
    // posix:dup2:SAME:1 "unless fildes is equal to fildes2 in which case
    // dup2() shall return fildes2 without closing it." posix:dup2:SAME:2 "If
    // fildes is equal to fildes2, the FD_CLOEXEC flag associated with fildes2
    // shall not be changed." man:dup2:SAME:1 "then dup2() does nothing".
    e.obs = Observation::returned(fd);
    e.cite("posix:dup2:SAME:1").cite("posix:dup2:SAME:2").cite("man:dup2:SAME:1");
    return;
  }
  // posix:dup2:CLOSE:1 "If fildes2 is already a valid open file descriptor, it
  // shall be closed first" (silently; a last pipe writer closing wakes a
  // reader in settle()). posix:dup2:CLOEXEC:1 "Upon successful completion, if
  // fildes is not equal to fildes2, the FD_CLOEXEC flag associated with
  // fildes2 shall be cleared."
  duplicate(c, e, old, fd, false);
  e.cite("posix:dup2:CLOSE:1").cite("posix:dup2:CLOEXEC:1");
}

Check check_dup3(const Ctx& c) {
  Check k;
  // man:dup3:EINVAL:2 "(dup3()) flags contain an invalid value."
  if (c.step.args[2] & ~static_cast<std::int64_t>(FC_O_CLOEXEC)) k.raise(EINVAL, "man:dup3:EINVAL:2");
  // man:dup3:EINVAL:1 "(dup3()) oldfd was equal to newfd."
  if (c.step.args[0] == c.step.args[1]) k.raise(EINVAL, "man:dup3:EINVAL:1");
  // man:dup:EBADF:1 "oldfd isn't an open file descriptor."
  if (!c.s.fd(c.self(), c.step.args[0])) k.raise(EBADF, "man:dup:EBADF:1");
  // man:dup:EBADF:2 "newfd is out of the allowed range for file descriptors".
  if (c.step.args[1] < 0) k.raise(EBADF, "man:dup:EBADF:2");
  return k;
}

void effect_dup3(const Ctx& c, Effect& e) {
  // man:dup3:SAME:1 "dup3() is the same as dup2(), except that: The caller
  // can force the close-on-exec flag to be set for the new file descriptor by
  // specifying O_CLOEXEC in flags."
  const bool cloexec = c.step.args[2] & FC_O_CLOEXEC;
  duplicate(c, e, static_cast<int>(c.step.args[0]), static_cast<int>(c.step.args[1]), cloexec);
  e.cite("man:dup3:SAME:1").cite("posix:dup2:CLOSE:1");
}

// ---- read ------------------------------------------------------------------------------

bool blocked_reader_on(const State& s, const Program& program, int pipe) {
  for (const Process& p : s.procs) {
    if (p.blocked_step < 0) continue;
    const Step& st = program.steps.at(static_cast<std::size_t>(p.blocked_step));
    if (st.op != Op::Read) continue;
    const FdSlot* slot = nullptr;
    for (const FdSlot& candidate : p.fds) {
      if (candidate.fd == st.args[0]) slot = &candidate;
    }
    if (slot && s.ofds[slot->ofd].object == ObjectRef{ObjectKind::Pipe, pipe}) return true;
  }
  return false;
}

Check check_read(const Ctx& c) {
  Check k;
  const Ofd* ofd = ofd_of(c.s, c.s.fd(c.self(), c.step.args[0]));
  // posix:read:EBADF:1 "The fildes argument is not a valid file descriptor
  // open for reading."
  if (!ofd || !ofd->readable()) {
    k.raise(EBADF, "posix:read:EBADF:1");
    return k;
  }
  if (ofd->object.kind == ObjectKind::Pidfd) {
    // issue 4, pidfd: man:read:EINVAL:1 "fd is attached to an object which
    // is unsuitable for reading" (a pidfd has no read operation; the count
    // is not looked at: linux:vfs_read:EINVAL:1).
    k.raise(EINVAL, "man:read:EINVAL:1");
    return k;
  }
  if (ofd->object.kind != ObjectKind::Pipe || c.step.args[1] == 0) return k;
  const int pipe = ofd->object.index;
  if (!c.s.pipes[pipe].buffer.empty() || !c.s.pipe_has_writers(pipe)) return k;
  // posix:read:EAGAIN:1 "If some process has the pipe open for writing and
  // O_NONBLOCK is set, read() shall return -1 and set errno to [EAGAIN]."
  if (ofd->nonblock) {
    k.raise(EAGAIN, "posix:read:EAGAIN:1");
  } else if (blocked_reader_on(c.s, c.program, pipe)) {
    // Two readers blocked on one pipe compete for the next write: which one
    // gets the bytes (or whether both get some) is not modelled.
    k.not_modeled("a second reader would block on pipe@" +
                  std::to_string(c.s.pipes[pipe].created_by));
  }
  return k;
}

Observation read_result(const std::string& data) {
  return Observation::returned(static_cast<std::int64_t>(data.size())).with("data", obs::bytes(data));
}

// Takes up to `count` bytes from the front of a pipe.
std::string take(PipeObject& pipe, std::int64_t count) {
  std::size_t n = std::min(pipe.buffer.size(), static_cast<std::size_t>(count));
  std::string data = pipe.buffer.substr(0, n);
  pipe.buffer.erase(0, n);
  return data;
}

void effect_read(const Ctx& c, Effect& e) {
  State& s = e.next;
  const std::int64_t count = c.step.args[1];
  Ofd& ofd = s.ofds[s.fd(c.self(), c.step.args[0])->ofd];
  if (count == 0) {
    // posix:read:ZERO:1 "if nbyte is zero, the read() function may detect and
    // return errors as described below. In the absence of errors, or if error
    // detection is not performed, the read() function shall return zero and
    // have no other results." (Linux pipes too: linux:pipe:NULLREAD:1.)
    e.obs = read_result("");
    e.cite("posix:read:ZERO:1");
    return;
  }
  switch (ofd.object.kind) {
    case ObjectKind::Pidfd: return;  // coverage:impossible (check_read: EINVAL; issue 4)
    case ObjectKind::Null:
      // man:null:READ:1 "Reads from /dev/null always return end of file (i.e.,
      // read(2) returns 0)".
      e.obs = read_result("");
      e.cite("man:null:READ:1");
      return;
    case ObjectKind::File: {
      const std::string& data = s.files.at(ofd.object.index).data;
      std::string got;
      // posix:read:OFFSET:1 "the read() shall start at a position in the file
      // given by the file offset associated with fildes. The file offset shall
      // be incremented by the number of bytes actually read." posix:read:EOF:1
      // "No data transfer shall occur past the current end-of-file. If the
      // starting position is at or after the end-of-file, 0 shall be returned."
      if (ofd.offset < static_cast<std::int64_t>(data.size())) {
        got = data.substr(static_cast<std::size_t>(ofd.offset), static_cast<std::size_t>(count));
      }
      ofd.offset += static_cast<std::int64_t>(got.size());
      e.obs = read_result(got);
      e.cite("posix:read:OFFSET:1");
      if (static_cast<std::int64_t>(got.size()) < count) e.cite("posix:read:EOF:1");
      return;
    }
    case ObjectKind::Pipe: {
      PipeObject& pipe = s.pipes[ofd.object.index];
      if (!pipe.buffer.empty()) {
        // posix:read:SHORT:1 "The value returned may be less than nbyte if ...
        // the file is a pipe or FIFO or special file and has fewer than nbyte
        // bytes immediately available for reading."
        e.obs = read_result(take(pipe, count));
        e.cite("posix:read:SHORT:1");
      } else if (!s.pipe_has_writers(ofd.object.index)) {
        // posix:read:PIPE_EOF:1 "If no process has the pipe open for writing,
        // read() shall return 0 to indicate end-of-file."
        e.obs = read_result("");
        e.cite("posix:read:PIPE_EOF:1");
      } else {
        // posix:read:PIPE_BLOCK:1 "If some process has the pipe open for
        // writing and O_NONBLOCK is clear, read() shall block the calling
        // thread until some data is written or the pipe is closed by all
        // processes that had the pipe open for writing."
        block(c, e);
        e.cite("posix:read:PIPE_BLOCK:1");
      }
      return;
    }
  }
}

// ---- write -----------------------------------------------------------------------------

Check check_write(const Ctx& c) {
  Check k;
  const Ofd* ofd = ofd_of(c.s, c.s.fd(c.self(), c.step.args[0]));
  // posix:write:EBADF:1 "The fildes argument is not a valid file descriptor
  // open for writing."
  if (!ofd || !ofd->writable()) {
    k.raise(EBADF, "posix:write:EBADF:1");
    return k;
  }
  if (ofd->object.kind == ObjectKind::Pidfd) {
    // issue 4, pidfd: man:write:EINVAL:1 "fd is attached to an object which
    // is unsuitable for writing".
    k.raise(EINVAL, "man:write:EINVAL:1");
    return k;
  }
  const std::int64_t n = static_cast<std::int64_t>(c.step.data.size());
  if (ofd->object.kind == ObjectKind::Pipe && n > 0 && !c.s.pipe_has_readers(ofd->object.index)) {
    // posix:write:EPIPE:1 "An attempt is made to write to a pipe or FIFO that
    // is not open for reading by any process". The SIGPIPE that goes with it
    // is ignored by the harness (man:write:EPIPE:1).
    k.raise(EPIPE, "posix:write:EPIPE:1");
  }
  if (ofd->object.kind == ObjectKind::File && n > 0) {
    std::int64_t at =
        ofd->append ? static_cast<std::int64_t>(c.s.files.at(ofd->object.index).data.size())
                    : ofd->offset;
    if (at + n > kMaxFileBytes) k.not_modeled("write would grow a file past 1 MiB");
  }
  return k;
}

void effect_write(const Ctx& c, Effect& e) {
  State& s = e.next;
  const std::string& data = c.step.data;
  const std::int64_t n = static_cast<std::int64_t>(data.size());
  Ofd& ofd = s.ofds[s.fd(c.self(), c.step.args[0])->ofd];
  e.obs = Observation::returned(n);
  switch (ofd.object.kind) {
    case ObjectKind::Pidfd: return;  // coverage:impossible (check_write: EINVAL; issue 4)
    case ObjectKind::Null:
      // man:null:WRITE:1 "Data written to the /dev/null and /dev/zero special
      // files is discarded."
      e.cite("man:null:WRITE:1");
      return;
    case ObjectKind::Pipe:
      if (n == 0) {
        // posix:write:ZERO:2 "If nbyte is zero and the file is not a regular
        // file, the results are unspecified." linux:pipe:NULLWRITE:1 Linux
        // returns 0 before looking at readers, and wakes nobody.
        e.cite("posix:write:ZERO:2").cite("linux:pipe:NULLWRITE:1");
        return;
      }
      // posix:write:PIPE:1 "Write requests of {PIPE_BUF} bytes or less shall
      // not be interleaved with data from other processes doing writes on the
      // same pipe." A write of at most FC_MAX_IO bytes never fills the pipe:
      // man:pipe7:CAPACITY:1 (65,536 bytes) > FC_MAX_STEPS * FC_MAX_IO.
      s.pipes[ofd.object.index].buffer += data;
      e.cite("posix:write:PIPE:1");
      return;
    case ObjectKind::File: {
      if (n == 0) {
        // posix:write:ZERO:1 "If nbyte is zero and the file is a regular file
        // ... the write() function shall return zero and have no other
        // results."
        e.cite("posix:write:ZERO:1");
        return;
      }
      std::string& contents = s.files.at(ofd.object.index).data;
      if (ofd.append) {
        // posix:write:APPEND:1 "If the O_APPEND flag of the file status flags
        // is set, the file offset shall be set to the end of the file prior to
        // each write".
        ofd.offset = static_cast<std::int64_t>(contents.size());
        e.cite("posix:write:APPEND:1");
      }
      // posix:lseek:HOLE:1 a gap before the offset reads back as zero bytes.
      const std::size_t at = static_cast<std::size_t>(ofd.offset);
      if (contents.size() < at + data.size()) contents.resize(at + data.size(), '\0');
      contents.replace(at, data.size(), data);
      // posix:write:OFFSET:1 "Before successful return from write(), the file
      // offset shall be incremented by the number of bytes actually written."
      ofd.offset += n;
      e.cite("posix:write:OFFSET:1");
      return;
    }
  }
}

// ---- lseek ------------------------------------------------------------------------------

Check check_lseek(const Ctx& c, std::int64_t& result) {
  Check k;
  const Ofd* ofd = ofd_of(c.s, c.s.fd(c.self(), c.step.args[0]));
  // posix:lseek:EBADF:1 "The fildes argument is not an open file descriptor."
  if (!ofd) {
    k.raise(EBADF, "posix:lseek:EBADF:1");
    return k;
  }
  switch (ofd->object.kind) {
    case ObjectKind::Pipe:
      // posix:lseek:ESPIPE:1 "The fildes argument is associated with a pipe,
      // FIFO, or socket."
      k.raise(ESPIPE, "posix:lseek:ESPIPE:1");
      return k;
    case ObjectKind::Null:
      result = 0;
      return k;
    case ObjectKind::File: break;
    case ObjectKind::Pidfd:
      // issue 4, pidfd: linux:vfs_llseek:ESPIPE:1 a file without llseek
      // (pidfs) "if (!(file->f_mode & FMODE_LSEEK)) return -ESPIPE;".
      k.raise(ESPIPE, "linux:vfs_llseek:ESPIPE:1");
      return k;
  }
  const std::int64_t off = c.step.args[1];
  std::int64_t base = 0;  // posix:lseek:SET:1
  if (c.step.args[2] == FC_SEEK_CUR) base = ofd->offset;  // posix:lseek:CUR:1
  if (c.step.args[2] == FC_SEEK_END) {
    base = static_cast<std::int64_t>(c.s.files.at(ofd->object.index).data.size());  // posix:lseek:END:1
  }
  result = base + off;  // |base|, |off| <= 2^41: no overflow
  // posix:lseek:EINVAL:1 "the resulting file offset would be negative for a
  // regular file, block special file, or directory."
  if (result < 0) {
    k.raise(EINVAL, "posix:lseek:EINVAL:1");
  } else if (result > kMaxOffset) {
    k.not_modeled("lseek beyond 2^31-1: depends on off_t and the file system");
  }
  return k;
}

void effect_lseek(const Ctx& c, Effect& e, std::int64_t result) {
  State& s = e.next;
  Ofd& ofd = s.ofds[s.fd(c.self(), c.step.args[0])->ofd];
  if (ofd.object.kind == ObjectKind::Null) {
    // posix:lseek:DEVICE:1 "The behavior of lseek() on devices which are
    // incapable of seeking is implementation-defined." linux:null:LSEEK:1
    // /dev/null's llseek sets the offset to 0 and returns 0, for any offset
    // and whence.
    e.obs = Observation::returned(0);
    e.cite("posix:lseek:DEVICE:1").cite("linux:null:LSEEK:1");
    return;
  }
  // posix:lseek:SET:1 / CUR:1 / END:1; posix:lseek:RET:1 "Upon successful
  // completion, the resulting offset, as measured in bytes from the beginning
  // of the file, shall be returned." posix:lseek:HOLE:1 "The lseek() function
  // shall allow the file offset to be set beyond the end of the existing data
  // in the file."
  ofd.offset = result;
  e.obs = Observation::returned(result);
  static const char* kWhence[] = {"posix:lseek:SET:1", "posix:lseek:CUR:1", "posix:lseek:END:1"};
  e.cite(kWhence[c.step.args[2]]).cite("posix:lseek:RET:1");
  if (result > static_cast<std::int64_t>(s.files.at(ofd.object.index).data.size())) {
    e.cite("posix:lseek:HOLE:1");
  }
}

// ---- fcntl F_GETFD, F_SETFD, F_GETFL, F_SETFL --------------------------------------------

Check check_fcntl(const Ctx& c) {
  Check k;
  // posix:fcntl:EBADF:1 "The fildes argument is not a valid open file
  // descriptor".
  if (!c.s.fd(c.self(), c.step.args[0])) k.raise(EBADF, "posix:fcntl:EBADF:1");
  return k;
}

void effect_getfd(const Ctx& c, Effect& e) {
  // posix:fcntl:F_GETFD:1 "Get the file descriptor flags defined in
  // <fcntl.h> that are associated with the file descriptor fildes."
  e.obs = Observation::returned(c.s.fd(c.self(), c.step.args[0])->cloexec ? 1 : 0);
  e.cite("posix:fcntl:F_GETFD:1");
}

void effect_setfd(const Ctx& c, Effect& e) {
  // posix:fcntl:F_SETFD:1 "Set the file descriptor flags defined in
  // <fcntl.h>, that are associated with fildes, to the third argument, arg".
  // A descriptor flag: other descriptors of the description keep theirs.
  e.next.fd_mut(c.self(), c.step.args[0])->cloexec = c.step.args[1] & FC_FD_CLOEXEC;
  e.obs = Observation::returned(0);
  e.cite("posix:fcntl:F_SETFD:1");
}

void effect_getfl(const Ctx& c, Effect& e) {
  // posix:fcntl:F_GETFL:1 "Get the file status flags and file access modes,
  // defined in <fcntl.h>, for the file description associated with fildes."
  const Ofd& ofd = c.s.ofds[c.s.fd(c.self(), c.step.args[0])->ofd];
  e.obs = Observation().with("ret", obs::status_flags(ofd.status_flags()));
  e.cite("posix:fcntl:F_GETFL:1");
}

void effect_setfl(const Ctx& c, Effect& e) {
  // posix:fcntl:F_SETFL:1 "Set the file status flags ... for the file
  // description associated with fildes ... Bits corresponding to the file
  // access mode and the file creation flags ... that are set in arg shall be
  // ignored." man:fcntl:F_SETFL:1 "On Linux, this command can change only the
  // O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME, and O_NONBLOCK flags." The
  // description is shared: every fd and process that has it sees the change.
  State& s = e.next;
  Ofd& ofd = s.ofds[s.fd(c.self(), c.step.args[0])->ofd];
  ofd.append = c.step.args[1] & FC_O_APPEND;
  ofd.nonblock = c.step.args[1] & FC_O_NONBLOCK;
  e.obs = Observation::returned(0);
  e.cite("posix:fcntl:F_SETFL:1").cite("man:fcntl:F_SETFL:1");
}

template <typename Effector>
StepResult run_fcntl(const Ctx& c, Effector effector) {
  Check k = check_fcntl(c);
  if (!k.passed()) return k.result(c.s);
  Effect e(c.s);
  effector(c, e);
  return finish(c, std::move(e));
}

}  // namespace

// ---- wake-ups and views --------------------------------------------------------------

Wake wake_read(State& s, const Program& program, std::size_t blocked, Observation& obs,
               std::vector<std::string>& rules) {
  const Step& st = program.steps.at(blocked);
  // The blocked actor's fd table cannot have changed: it was blocked.
  const FdSlot* slot = s.fd(st.actor, st.args[0]);
  if (!slot) return Wake::Stays;  // coverage:impossible
  const Ofd& ofd = s.ofds[slot->ofd];
  PipeObject& pipe = s.pipes.at(ofd.object.index);
  if (!pipe.buffer.empty()) {
    // posix:read:PIPE_BLOCK:1 "until some data is written": it returns what
    // is there, up to its count (posix:read:SHORT:1).
    obs = read_result(take(pipe, st.args[1]));
    rules.push_back("posix:read:PIPE_BLOCK:1");
    return Wake::Returned;
  }
  if (!s.pipe_has_writers(ofd.object.index)) {
    // posix:read:PIPE_BLOCK:1 "or the pipe is closed by all processes that had
    // the pipe open for writing": end-of-file (posix:read:PIPE_EOF:1).
    obs = read_result("");
    rules.push_back("posix:read:PIPE_EOF:1");
    return Wake::Returned;
  }
  return Wake::Stays;
}

std::vector<FdEntry> fd_entries(const State& s, ActorId a) {
  std::vector<FdEntry> entries;
  for (const FdSlot& slot : s.proc(a).fds) {
    const Ofd& ofd = s.ofds[slot.ofd];
    FdEntry entry;
    entry.fd = slot.fd;
    entry.object = s.object_name(ofd.object);
    entry.status_flags = ofd.status_flags();
    entry.cloexec = slot.cloexec;
    switch (ofd.object.kind) {
      case ObjectKind::Pipe: entry.offset = -1; break;  // not seekable
      case ObjectKind::Null: entry.offset = 0; break;   // linux:null:LSEEK:1
      case ObjectKind::File: entry.offset = ofd.offset; break;
      case ObjectKind::Pidfd: entry.offset = -1; break;  // issue 4: not seekable
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

// ---- the rules -----------------------------------------------------------------------------

StepResult rule_Pipe(const Ctx& c) { return rule_pipe(c, 0); }
StepResult rule_Pipe2(const Ctx& c) { return rule_pipe(c, static_cast<int>(c.step.args[0])); }
StepResult rule_Open(const Ctx& c) { return rule_open(c); }
// posix:openat:EQUIV:1 openat() with a directory fd "shall be equivalent to
// open()" except that a relative path is resolved against that directory:
// the executor passes its scratch directory, open() resolves against the cwd,
// which is the same directory.
StepResult rule_OpenAt(const Ctx& c) { return rule_open(c); }

StepResult rule_Close(const Ctx& c) {
  Check k = check_close(c);
  if (!k.passed()) return k.result(c.s);
  Effect e(c.s);
  effect_close(c, e);
  return finish(c, std::move(e));
}

StepResult rule_Dup(const Ctx& c) {
  int fd = -1;
  Check k = check_dup(c, fd);
  if (!k.passed()) return k.result(c.s);
  Effect e(c.s);
  effect_dup(c, e, fd);
  return finish(c, std::move(e));
}

StepResult rule_Dup2(const Ctx& c) {
  Check k = check_dup2(c);
  if (!k.passed()) return k.result(c.s);
  Effect e(c.s);
  effect_dup2(c, e);
  return finish(c, std::move(e));
}

StepResult rule_Dup3(const Ctx& c) {
  Check k = check_dup3(c);
  if (!k.passed()) return k.result(c.s);
  Effect e(c.s);
  effect_dup3(c, e);
  return finish(c, std::move(e));
}

StepResult rule_Read(const Ctx& c) {
  Check k = check_read(c);
  if (!k.passed()) return k.result(c.s);
  Effect e(c.s);
  effect_read(c, e);
  return finish(c, std::move(e));
}

StepResult rule_Write(const Ctx& c) {
  Check k = check_write(c);
  if (!k.passed()) return k.result(c.s);
  Effect e(c.s);
  effect_write(c, e);
  return finish(c, std::move(e));
}

StepResult rule_Lseek(const Ctx& c) {
  std::int64_t result = 0;
  Check k = check_lseek(c, result);
  if (!k.passed()) return k.result(c.s);
  Effect e(c.s);
  effect_lseek(c, e, result);
  return finish(c, std::move(e));
}

StepResult rule_GetFd(const Ctx& c) { return run_fcntl(c, effect_getfd); }
StepResult rule_SetFd(const Ctx& c) { return run_fcntl(c, effect_setfd); }
StepResult rule_GetFl(const Ctx& c) { return run_fcntl(c, effect_getfl); }
StepResult rule_SetFl(const Ctx& c) { return run_fcntl(c, effect_setfl); }

StepResult rule_DupFd(const Ctx& c) {
  int fd = -1;
  Check k = check_dupfd(c, fd);
  if (!k.passed()) return k.result(c.s);
  Effect e(c.s);
  effect_dup(c, e, fd);
  return finish(c, std::move(e));
}

StepResult rule_DupFdCloexec(const Ctx& c) {
  int fd = -1;
  Check k = check_dupfd(c, fd);
  if (!k.passed()) return k.result(c.s);
  Effect e(c.s);
  effect_dupfd_cloexec(c, e, fd);
  return finish(c, std::move(e));
}

}  // namespace fc::oracle
