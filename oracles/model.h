// The reference model: an executable specification of kernel + libc process
// semantics. No syscalls. Given the state before a step, it yields every
// outcome POSIX and Linux allow for that step (a set: e.g. which zombie
// wait(-1) reaps), each with the state after it.
//
// Blocking: a step that blocks yields Observation::blocked() as its own
// observation; the step that later unblocks it lists it in `completed` with
// the observation it finally returns. An actor with a blocked step runs no
// other step until it is completed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/ir/observation.h"
#include "harness/ir/program.h"

namespace fc::oracle {

// The few places where documented behaviours deliberately differ are fields
// here, never scattered ifs. A target that departs from the profile is a
// divergence, never a new profile.
struct Profile {
  std::string name = "linux";
  // POSIX leaves waitid(WNOHANG) with nothing waitable unspecified; Linux
  // zeroes the siginfo (waitid(2) NOTES). posix-strict allows any si_pid.
  // (POSIX.1-2008 TC1, part of POSIX.1-2017, does require si_pid and si_signo
  // to be zeroed: oracles/spec/waitid.md posix:waitid:WNOHANG:2. When false,
  // the model answers Special::Undefined for that step.)
  bool waitid_wnohang_zeroes_siginfo = true;
  // POSIX _exit: "only the least significant 8 bits (that is, status & 0377)
  // shall be available from wait() and waitpid(); the full value shall be
  // available from waitid()". Linux keeps only the low 8 bits, so waitid's
  // si_status is status & 0377 too (oracles/spec/exit.md).
  bool waitid_si_status_masked = true;
  // waitid(P_PGID, 0, ...): Linux (since 5.4, wait(2)) waits for the caller's
  // process group. POSIX names no group 0: that set is empty or invalid.
  bool waitid_pgid_zero_is_own_group = true;
  // issue 4: waitid without WEXITED (WSTOPPED/WCONTINUED only): Linux counts
  // a zombie child as nothing to wait for (it can never stop or continue),
  // so with only zombies left the call fails with ECHILD, also when it was
  // already blocked (oracles/spec/signal.md linux:wait_consider_task:ZOMBIE:1).
  // POSIX's ECHILD speaks of "no existing unwaited-for child processes":
  // posix-strict sets false, and such a wait blocks or returns 0 (WNOHANG).
  bool wait_zombies_need_wexited = true;

  /* ---- clone / clone3 (issue 3) ---- */
  // clone(2) ERRORS lists "One (or both) of CLONE_NEWPID or CLONE_NEWUSER and
  // one (or both) of CLONE_THREAD or CLONE_PARENT" as EINVAL. Since Linux
  // 3.13 (kernel/fork.c copy_process) only CLONE_THREAD is refused with them;
  // CLONE_PARENT is refused only for init (oracles/spec/clone.md).
  bool clone_new_ns_with_parent_einval = false;
  // CLONE_PIDFD with CLONE_THREAD was EINVAL until Linux 6.9, which made it
  // create a thread pidfd (PIDFD_THREAD).
  bool clone_pidfd_with_thread = true;

  /* ---- process groups and sessions (issue 4, groups) ---- */
  // getsid(pid) for a process in another session: POSIX allows EPERM ("the
  // implementation considers this an error"); Linux never returns it
  // (getsid(2) NOTES; oracles/spec/pgrp.md). posix-strict sets true, and
  // such a getsid may fail with EPERM or succeed.
  bool getsid_other_session_may_eperm = false;

  // Mutation testing: one deliberately wrong rule, so that the suites' own
  // tests can show each property catches it (and shrinks it). Never set
  // outside those tests; `forkconf` has no option for it. (Added by the
  // lead; the rules honour it in oracles/planted.cc.)
  enum class PlantedBug {
    None,
    PrivateWritesShared,  // a child's MAP_PRIVATE store is seen by its parent
    DupKeepsCloexec,      // dup() copies FD_CLOEXEC instead of clearing it
    ExitStatusUncut,      // the exit status is not cut to 8 bits
    ChildLeaksFd,         // fork gives the child one extra descriptor
    ChildParentIsReaper,  // fork records the reaper, not the caller, as parent
    OrphansKeepParent,    // an orphan is not reparented: getppid stays the dead parent
    /* ---- close-on-exec races (issue 5) ---- */
    Pipe2KeepsFds,        // pipe2(O_CLOEXEC) modelled as leaving both ends open across exec
    /* ---- clone / clone3 (issue 3) ---- */
    CloneSighandWithoutVm,  // clone accepts CLONE_SIGHAND without CLONE_VM
    /* ---- signals (issue 4) ---- */
    StopNotReported,       // waitpid(WUNTRACED) does not report a stopped child
    IgnoredChldKeepsZombie,  // SIGCHLD set to SIG_IGN does not make children auto-reaped
    ForkResetsHandlers,    // fork gives the child default dispositions
    ExecKeepsHandlers,     // exec keeps caught signals caught
    SubreaperIgnored,      // orphans go to the reaper even under a live subreaper ancestor
    PidSelectorMatchesAny,  // waitpid(pid) collects any child, not just that one
    /* ---- pidfd and parent-death signal (issue 4, pidfd) ---- */
    PidfdNotReadable,      // a pidfd never polls readable, even after its process exited
    PdeathsigInherited,    // fork copies the parent-death signal to the child
    /* ---- process groups and sessions (issue 4, groups) ---- */
    SetsidByGroupLeader,   // setsid succeeds for a process group leader
    OrphanedStopNoHup,     // a newly orphaned group's stopped member gets no SIGHUP/SIGCONT
    /* ---- vfork and exec (issue 3) ---- */
    VforkCopiesMemory,  // a vfork child's MAP_PRIVATE store is not seen by its parent
    ForkKeepsPending,   // a fork child keeps its parent's pending signals
    ExecClearsMask,     // exec empties the signal mask
    /* ---- libc layer (issue 3) ---- */
    AtforkPrepareInOrder,  // prepare handlers run in registration order, not reversed
    UExitFlushesStdio,     // _exit flushes stdio buffers like exit
    VforkRunsAtfork,       // vfork runs the atfork handlers like fork
    SpawnDup2SelfKeepsCloexec,  // posix_spawn adddup2(fd, fd) leaves FD_CLOEXEC set
    /* ---- inheritance (issue 3) ---- */
    RecordLocksInherited,  // fork gives the child the parent's fcntl record locks
    WipeOnForkKeepsValues,  // a MADV_WIPEONFORK region is copied to the child, not zeroed
    /* ---- clone flags (issue 3, clone_flags) ---- */
    CloneFilesCopiesTable,  // CLONE_FILES copies the fd table: a child's close is not seen by the caller
    /* ---- pid namespaces (issue 4, pidns) ---- */
    PidnsOrphansToReaper,  // orphans in P0's namespace go to the reaper outside, not to P0
  } planted_bug = PlantedBug::None;
};

struct State;  // defined in oracles/state.h; a copyable value
using StatePtr = std::shared_ptr<const State>;

struct Completion {
  std::size_t step;  // index of the earlier blocked step
  Observation obs;   // what it returned
};

struct Outcome {
  Observation obs;                    // this step's observation
  std::vector<Completion> completed;  // blocked steps this step let return
  StatePtr next;
  std::vector<std::string> rules;  // citations of the rules that decided it
  // issue 4: what the executor must wait for after this step (wire.h
  // FC_SYNC_*): the asynchronous effect of a kill on its target.
  int sync = 0;
  // issue 4: actors that die asynchronously because of this step beyond its
  // own target (parent-death signals, an orphaned group's SIGHUP), in order (wire.h
  // FC_SYNC_DEATHS): the executor waits for them before the next step.
  std::vector<int> deaths;
};

// Why a step has no outcome at all.
struct Special {
  enum class Kind {
    Invalid,     // the program cannot run this step (actor not alive or
                 // blocked, region not mapped, reserved fd, ...): the
                 // generator and the shrinker must not produce it
    NotModeled,  // outside what the model covers (e.g. two actors blocked
                 // on the same pipe): the program is discarded
    Undefined,   // POSIX says undefined: any observation is allowed
  } kind;
  std::string message;
};

struct StepResult {
  std::vector<Outcome> outcomes;   // empty iff special is set
  std::optional<Special> special;  // set iff outcomes is empty
};

StatePtr initial_state(const Profile& profile);
StepResult apply(const State& state, const Program& program, std::size_t index);

// Views for generators: what an actor can do next.
struct ActorView {
  ActorId id = 0;
  bool alive = false;    // may still run steps (not exited)
  bool blocked = false;  // has a step that has not returned
  bool execed = false;   // has called exec at least once
  std::vector<int> fds;                     // open descriptors, ascending
  std::vector<RegionId> regions;            // mapped regions
  std::vector<ActorId> children;            // not yet reaped (live or zombie)
  std::vector<ActorId> zombie_children;     // exited, not reaped
  std::vector<int> pidfds;                  // issue 4: open descriptors that are pidfds
  std::uint32_t mask = 0;                   // issue 3: blocked signals (bit s)
  std::vector<int> streams;                 // issue 3: files with a stdio stream (this image)
};
std::vector<ActorView> actor_views(const State& state);
// Actor ids used so far (next fork should use a fresh one).
int next_actor_id(const State& state);
int next_region_id(const State& state);
// Whether two states are the same (the checker follows each distinct state once).
bool equivalent(const State& a, const State& b);
// Human-readable dump of the state for reports and debugging.
std::string describe(const State& state);

}  // namespace fc::oracle
