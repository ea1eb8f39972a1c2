// The reference model's state: a copyable value.
//
// It holds what the kernel and libc keep about the processes of one run and
// nothing else: no pids (actors are symbols), no inode numbers, no timing.
// The model copies it once per outcome of every step, so it is kept flat:
// small vectors indexed by ids, no maps, no pointers between parts.
//
//   processes  actor id -> life, parent, exit status, fd table, mappings,
//              execed flag, the step it is blocked in
//   fd table   fd -> open file description id + FD_CLOEXEC    (per process)
//   ofds       open file descriptions: object, access mode, O_APPEND,
//              O_NONBLOCK, offset                             (shared)
//   objects    /dev/null, scratch files f0..f7, pipes
//   memories   memory objects behind mapped regions           (shared)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/ir/program.h"
#include "oracles/model.h"

namespace fc::oracle {

// The run's reaper (pid-namespace init or child subreaper): the parent of P0
// and of every orphan. It is not an actor and runs no steps; it reaps every
// child it gets at once.
inline constexpr ActorId kReaper = -1;

enum class Life : std::uint8_t {
  Unborn,  // named by the program but not created (yet)
  Alive,   // may run steps
  Zombie,  // exited, not yet reaped by its parent
  Reaped,  // gone
};

struct FdSlot {
  int fd = -1;
  int ofd = -1;          // index into State::ofds
  bool cloexec = false;  // FD_CLOEXEC: a descriptor flag, per fd
  bool operator==(const FdSlot&) const = default;
};

struct Mapping {
  RegionId region = -1;
  int kind = FC_MAP_PRIVATE;  // FC_MAP_*
  int memory = -1;            // index into State::memories
  /* ---- inheritance (issue 3) ---- */
  bool wipeonfork = false;    // MADV_WIPEONFORK: a child's copy starts zero-filled
  bool operator==(const Mapping&) const = default;
};

/* ---- libc layer (issue 3) ---- */
// A stdio stream of one process image (fopen "w", fully buffered): the
// descriptor and open file description it writes through, and the bytes
// fputs has buffered and nothing has flushed yet.
struct Stream {
  int file = 0;  // scratch file f<n>: one stream per file per process
  int fd = -1;
  int ofd = -1;
  std::string buffer;
  bool operator==(const Stream&) const = default;
};

struct Process {
  Life life = Life::Unborn;
  ActorId parent = kReaper;
  int exit_status = 0;   // status & 0377, meaningful once exited
  int exit_value = 0;    // the full int passed to exit/_exit
  bool execed = false;   // this actor called exec at least once
  int blocked_step = -1;  // index of a step that has not returned, or -1
  std::vector<FdSlot> fds;       // ascending by fd
  std::vector<Mapping> regions;  // ascending by region
  /* ---- signals (issue 4) ---- */
  std::array<std::uint8_t, FC_MAX_SIGNAL + 1> disp{};  // FC_DISP_* per signal
  bool nocldstop = false;  // SIGCHLD's SA_NOCLDSTOP
  bool nocldwait = false;  // SIGCHLD's SA_NOCLDWAIT
  std::uint32_t caught = 0;  // bit s: the recording handler caught signal s (this image)
  bool stopped = false;      // stopped by SIGSTOP, not continued
  int term_sig = 0;          // killed by this signal (0: it exited)
  int stop_report = 0;       // stop not yet reported to a WUNTRACED wait (the signal)
  bool subreaper = false;    // PR_SET_CHILD_SUBREAPER
  bool cont_report = false;  // continue not yet reported to a WCONTINUED wait
  /* ---- pidfd and parent-death signal (issue 4, pidfd) ---- */
  int pdeathsig = 0;  // PR_SET_PDEATHSIG: sent when the parent dies (0: none)
  /* ---- process groups and sessions (issue 4, groups) ---- */
  // The process group and session, each named by the process whose pid it
  // is (kReaper: the reaper's). P0 leads a group of its own in the reaper's
  // session (harness/executor/supervisor.cc); fork copies both.
  ActorId pgid = 0;
  ActorId sid = kReaper;
  /* ---- vfork and exec (issue 3) ---- */
  // A vfork (or CLONE_VM|CLONE_VFORK) child that has not yet called exec or
  // exited: it runs in its parent's memory (oracles/vfork.cc).
  bool vfork_shared = false;
  std::uint32_t mask = 0;     // blocked signals, bit s (FC_SIGSET_MASKABLE only)
  std::uint32_t pending = 0;  // signals generated while blocked, bit s
  /* ---- libc layer (issue 3) ---- */
  // pthread_atfork registrations of this image, in order: (id << 4) | FC_ATFORK_*.
  std::vector<std::uint8_t> atfork;
  // The recording handlers' log of this image: (FC_ATFORK_EV_* << 4) | id.
  std::string atfork_log;
  std::vector<Stream> streams;  // ascending by file
  /* ---- inheritance (issue 3) ---- */
  std::uint8_t posix_locks = 0;  // bit f: a whole-file F_SETLK write lock on scratch file f
  std::uint8_t itimers = 0;      // bit 0: ITIMER_VIRTUAL armed, bit 1: ITIMER_PROF armed
  std::uint8_t altstack = 0;     // FC_ALTSTACK_OFF / SMALL / LARGE
  bool reaped_child = false;     // waited for a child since fork: RUSAGE_CHILDREN may be nonzero
  std::uint8_t sched = FC_SCHED_OTHER;  // FC_SCHED_*: policy | FC_SCHED_RESET_ON_FORK
  bool one_cpu = false;          // the affinity mask is known to hold one CPU (else: unknown)
  bool operator==(const Process&) const = default;
};

enum class ObjectKind : std::uint8_t { Null, File, Pipe, Pidfd /* issue 4: index = target actor */ };

struct ObjectRef {
  ObjectKind kind = ObjectKind::Null;
  int index = 0;  // File: scratch file number; Pipe: index into State::pipes; Pidfd: actor
  bool operator==(const ObjectRef&) const = default;
};

// An open file description (POSIX XBD 3.258): what open() and pipe() create,
// what dup() and fork() share.
struct Ofd {
  ObjectRef object;
  int access = FC_O_RDONLY;  // FC_O_RDONLY / FC_O_WRONLY / FC_O_RDWR
  bool append = false;       // O_APPEND (file status flag)
  bool nonblock = false;     // O_NONBLOCK (file status flag)
  std::int64_t offset = 0;   // file offset; unused for pipes and null
  /* ---- inheritance (issue 3): locks owned by the open file description ---- */
  bool ofd_lock = false;     // a whole-file F_OFD_SETLK write lock
  bool flock = false;        // a flock(2) LOCK_EX lock
  bool operator==(const Ofd&) const = default;
  bool readable() const { return access == FC_O_RDONLY || access == FC_O_RDWR; }
  bool writable() const { return access == FC_O_WRONLY || access == FC_O_RDWR; }
  int status_flags() const {
    return access | (append ? FC_O_APPEND : 0) | (nonblock ? FC_O_NONBLOCK : 0);
  }
};

struct FileObject {
  bool exists = false;
  std::string data;  // contents; holes read back as zero bytes
  bool operator==(const FileObject&) const = default;
};

struct PipeObject {
  std::size_t created_by = 0;  // index of the pipe/pipe2 step: "pipe@<step>"
  std::string buffer;          // bytes written and not yet read
  bool operator==(const PipeObject&) const = default;
};

using MemoryObject = std::array<std::int64_t, FC_REGION_SLOTS>;

struct State {
  std::shared_ptr<const Profile> profile;
  std::vector<Process> procs;  // indexed by actor id
  std::vector<Ofd> ofds;       // indexed by ofd id; unreferenced ones stay
  std::array<FileObject, FC_MAX_FILES> files{};
  std::vector<PipeObject> pipes;
  std::vector<MemoryObject> memories;
  std::uint32_t regions_created = 0;  // bit r: region M<r> was created

  // ---- queries used by every area -----------------------------------------
  bool created(ActorId a) const {
    return a >= 0 && static_cast<std::size_t>(a) < procs.size() && procs[a].life != Life::Unborn;
  }
  const Process& proc(ActorId a) const { return procs.at(static_cast<std::size_t>(a)); }
  Process& proc(ActorId a) { return procs.at(static_cast<std::size_t>(a)); }
  const FdSlot* fd(ActorId a, std::int64_t fd) const;
  const Mapping* mapping(ActorId a, RegionId r) const;
  // Children of `parent` not yet reaped (live or zombie), ascending.
  std::vector<ActorId> children(ActorId parent) const;
  // Lowest fd >= min not open in the actor (POSIX "lowest numbered available").
  int lowest_free_fd(ActorId a, int min) const;
  // Whether any process holds a descriptor for this pipe open for reading
  // (writing). Computed from the fd tables, so it is never out of date.
  bool pipe_has_readers(int pipe) const;
  bool pipe_has_writers(int pipe) const;
  std::string object_name(const ObjectRef& object) const;

  // ---- updates ------------------------------------------------------------
  int add_ofd(const Ofd& ofd);
  // Installs fd -> ofd in the actor's table, replacing what was there.
  void install_fd(ActorId a, int fd, int ofd, bool cloexec);
  void remove_fd(ActorId a, int fd);
  FdSlot* fd_mut(ActorId a, std::int64_t fd);
  /* ---- inheritance (issue 3) ---- */
  // The actor closes a descriptor for open file description `ofd`: its
  // fcntl record lock on that file goes (oracles/inherit.cc).
  void release_record_lock(ActorId a, int ofd);

  bool operator==(const State& other) const {
    return procs == other.procs && ofds == other.ofds && files == other.files &&
           pipes == other.pipes && memories == other.memories &&
           regions_created == other.regions_created;
  }
};

// "P3", or "REAPER" for kReaper.
std::string actor_symbol(ActorId a);

}  // namespace fc::oracle
