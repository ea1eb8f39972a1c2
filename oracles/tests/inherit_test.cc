// Inheritance across fork and exec (issue 3): locks, MADV_WIPEONFORK, interval
// timers, the alternate signal stack, the children's usage. Programs are
// written by hand; each test asserts the rule it names.
#include <gtest/gtest.h>

#include "oracles/tests/oracle_test_util.h"

namespace fc::oracle::testing {
namespace {

const std::set<std::string> kBusy = {"ret=-1 errno=EACCES", "ret=-1 errno=EAGAIN"};

// ---- record locks ----------------------------------------------------------------------

// fcntl(2): "Record locks are not inherited by a child created via fork(2)": the child's
// attempt conflicts with the lock its parent holds on the same open file description.
TEST(Lock, RecordLockIsNotInheritedChildConflicts) {
  EXPECT_EQ(allowed_last("P0 open f0 O_RDWR|O_CREAT\nP0 lock 3 posix\nP0 fork -> P1\n"
                         "P1 lock 3 posix\n"),
            kBusy);
}

// The parent may lock again after fork (its own lock is replaced); under the planted
// bug the child would hold a copy of it, and the parent's attempt would conflict.
TEST(Lock, ParentRelocksAfterForkUnlessThePlantedBugGaveTheChildACopy) {
  const char* program = "P0 open f0 O_RDWR|O_CREAT\nP0 lock 3 posix\nP0 fork -> P1\n"
                        "P0 lock 3 posix\n";
  EXPECT_EQ(allowed_last(program), std::set<std::string>{"ret=0"});
  Profile bug;
  bug.planted_bug = Profile::PlantedBug::RecordLocksInherited;
  EXPECT_EQ(allowed_last(program, bug), kBusy);
}

// A process's own record lock is replaced, never a conflict, even via another open.
TEST(Lock, OwnRecordLockIsReplacedEvenThroughAnotherOpen) {
  ModelRun r = run("P0 open f0 O_RDWR|O_CREAT\nP0 lock 3 posix\nP0 open f0 O_RDWR\n"
                   "P0 lock 4 posix\n");
  EXPECT_EQ(r.obs[3], "ret=0");
}

// fcntl(2): "If a process closes any file descriptor referring to a file, then all of the
// process's locks on that file are released, regardless of the file descriptor(s) on
// which the locks were obtained."
TEST(Lock, ClosingAnyDescriptorOfTheFileReleasesTheRecordLock) {
  EXPECT_EQ(allowed_last("P0 open f0 O_RDWR|O_CREAT\nP0 open f0 O_RDONLY\nP0 lock 3 posix\n"
                         "P0 fork -> P1\nP0 close 4\nP1 lock 3 posix\n"),
            std::set<std::string>{"ret=0"});
}

// dup2 onto a descriptor of the file closes it first: the lock goes too.
TEST(Lock, Dup2OverADescriptorOfTheFileReleasesTheRecordLock) {
  EXPECT_EQ(allowed_last("P0 open f0 O_RDWR|O_CREAT\nP0 open f1 O_RDWR|O_CREAT\n"
                         "P0 lock 3 posix\nP0 fork -> P1\nP0 dup2 4 3\nP1 lock 3 posix\n"),
            std::set<std::string>{"ret=0"});
}

// The parent's exit releases it (the executor waits for the death).
TEST(Lock, ExitReleasesRecordLocks) {
  EXPECT_EQ(allowed_last("P0 fork -> P1\nP1 open f0 O_RDWR|O_CREAT\nP1 lock 3 posix\n"
                         "P0 open f0 O_RDWR\nP1 _exit 0\nP0 lock 3 posix\n"),
            std::set<std::string>{"ret=0"});
}

// fcntl(2): record locks "are preserved across an execve(2)"; close-on-exec closes the
// descriptor, and with it the lock.
TEST(Lock, ExecKeepsRecordLocksButCloexecReleasesThem) {
  EXPECT_EQ(allowed_last("P0 fork -> P1\nP1 open f0 O_RDWR|O_CREAT\nP1 lock 3 posix\n"
                         "P1 exec\nP0 open f0 O_RDWR\nP0 lock 3 posix\n"),
            kBusy);
  EXPECT_EQ(allowed_last("P0 fork -> P1\nP1 open f0 O_RDWR|O_CREAT|O_CLOEXEC\n"
                         "P1 lock 3 posix\nP1 exec\nP0 open f0 O_RDWR\nP0 lock 3 posix\n"),
            std::set<std::string>{"ret=0"});
}

// fcntl(2) EBADF: "the file descriptor open mode doesn't match with the type of lock
// requested"; flock asks nothing of the mode.
TEST(Lock, WriteLockNeedsAWritableDescriptor) {
  EXPECT_EQ(allowed_last("P0 open f0 O_RDONLY|O_CREAT\nP0 lock 3 posix\n"),
            std::set<std::string>{"ret=-1 errno=EBADF"});
  EXPECT_EQ(allowed_last("P0 open f0 O_RDONLY|O_CREAT\nP0 lock 3 ofd\n"),
            std::set<std::string>{"ret=-1 errno=EBADF"});
  EXPECT_EQ(allowed_last("P0 open f0 O_RDONLY|O_CREAT\nP0 lock 3 flock\n"),
            std::set<std::string>{"ret=0"});
  EXPECT_EQ(allowed_last("P0 lock 9 flock\n"), std::set<std::string>{"ret=-1 errno=EBADF"});
}

TEST(Lock, LocksOnPipesAndDevNullAreNotModelled) {
  EXPECT_EQ(special_of_last("P0 lock 0 flock\n"), "NotModeled");
  EXPECT_EQ(special_of_last("P0 pipe\nP0 lock 4 posix\n"), "NotModeled");
}

// ---- OFD and flock locks ------------------------------------------------------------------

// fcntl(2): OFD locks "are inherited across fork(2)": the child, through the same open
// file description, is compatible with the lock; a new open of the file is not.
TEST(Lock, OfdLockIsSharedWithTheChildThroughTheDescription) {
  ModelRun r = run("P0 open f0 O_RDWR|O_CREAT\nP0 lock 3 ofd\nP0 fork -> P1\n"
                   "P1 lock 3 ofd\n");
  EXPECT_EQ(r.obs[3], "ret=0");
  EXPECT_EQ(allowed_last("P0 open f0 O_RDWR|O_CREAT\nP0 lock 3 ofd\nP0 fork -> P1\n"
                         "P1 open f0 O_RDWR\nP1 lock 4 ofd\n"),
            kBusy);
}

// fcntl(2): an OFD lock and a record lock conflict "even when they are acquired by the
// same process on the same file descriptor".
TEST(Lock, OfdAndRecordLocksConflictInOneProcess) {
  EXPECT_EQ(allowed_last("P0 open f0 O_RDWR|O_CREAT\nP0 lock 3 posix\nP0 lock 3 ofd\n"), kBusy);
  EXPECT_EQ(allowed_last("P0 open f0 O_RDWR|O_CREAT\nP0 lock 3 ofd\nP0 lock 3 posix\n"), kBusy);
}

// fcntl(2): OFD locks are "only automatically released on the last close of the open
// file description".
TEST(Lock, OfdLockGoesWithTheLastDescriptor) {
  const char* prefix = "P0 open f0 O_RDWR|O_CREAT\nP0 lock 3 ofd\nP0 fork -> P1\nP0 close 3\n"
                       "P0 open f1 O_RDWR|O_CREAT\nP0 open f0 O_RDWR\n";
  // P1 still holds the description: P0's new open conflicts.
  EXPECT_EQ(allowed_last(std::string(prefix) + "P0 lock 4 ofd\n"), kBusy);
  EXPECT_EQ(allowed_last(std::string(prefix) + "P1 close 3\nP0 lock 4 ofd\n"),
            std::set<std::string>{"ret=0"});
}

// flock(2): the lock is the description's; a child can release it for both.
TEST(Lock, FlockIsSharedAndReleasedThroughAnyDuplicate) {
  EXPECT_EQ(allowed_last("P0 open f0 O_RDONLY|O_CREAT\nP0 lock 3 flock\nP0 fork -> P1\n"
                         "P1 lock 3 flock\n"),
            std::set<std::string>{"ret=0"});
  EXPECT_EQ(allowed_last("P0 open f0 O_RDONLY|O_CREAT\nP0 lock 3 flock\nP0 fork -> P1\n"
                         "P1 open f0 O_RDONLY\nP1 lock 4 flock\n"),
            std::set<std::string>{"ret=-1 errno=EAGAIN"});
  EXPECT_EQ(allowed_last("P0 open f0 O_RDONLY|O_CREAT\nP0 lock 3 flock\nP0 fork -> P1\n"
                         "P1 lock 3 flock_un\nP0 open f0 O_RDONLY\nP0 lock 4 flock\n"),
            std::set<std::string>{"ret=0"});
}

// flock(2): another open of the same file by the same process is denied.
TEST(Lock, FlockThroughAnotherOpenIsDeniedEvenInTheSameProcess) {
  EXPECT_EQ(allowed_last("P0 open f0 O_RDWR|O_CREAT\nP0 lock 3 flock\nP0 open f0 O_RDWR\n"
                         "P0 lock 4 flock\n"),
            std::set<std::string>{"ret=-1 errno=EAGAIN"});
}

// flock(2) on Linux: "there is no interaction between the types of lock placed by
// flock() and fcntl(2)".
TEST(Lock, FlockAndFcntlLocksDoNotInteract) {
  EXPECT_EQ(allowed_last("P0 open f0 O_RDWR|O_CREAT\nP0 lock 3 posix\nP0 fork -> P1\n"
                         "P1 lock 3 flock\n"),
            std::set<std::string>{"ret=0"});
}

// ---- MADV_WIPEONFORK -------------------------------------------------------------------------

// madvise(2): "Present the child process with zero-filled memory in this range after a
// fork(2)"; the parent keeps its values, the setting stays in the child (grandchild wiped).
TEST(Madvise, WipeOnForkZeroesTheChildsCopyOnly) {
  ModelRun r = run("P0 mmap private -> M0\nP0 store M0 1 7\nP0 madvise M0 MADV_WIPEONFORK\n"
                   "P0 fork -> P1\nP1 load M0 1\nP0 load M0 1\nP1 store M0 2 5\n"
                   "P1 fork -> P2\nP2 load M0 2\nP1 load M0 2\n");
  EXPECT_EQ(r.obs[4], "ret=0");
  EXPECT_EQ(r.obs[5], "ret=7");
  EXPECT_EQ(r.obs[8], "ret=0");
  EXPECT_EQ(r.obs[9], "ret=5");
}

TEST(Madvise, PlantedWipeOnForkKeepsValuesCopiesThem) {
  Profile bug;
  bug.planted_bug = Profile::PlantedBug::WipeOnForkKeepsValues;
  EXPECT_EQ(allowed_last("P0 mmap private -> M0\nP0 store M0 1 7\n"
                         "P0 madvise M0 MADV_WIPEONFORK\nP0 fork -> P1\nP1 load M0 1\n",
                         bug),
            std::set<std::string>{"ret=7"});
}

// madvise(2): MADV_KEEPONFORK "Undo the effect of an earlier MADV_WIPEONFORK."
TEST(Madvise, KeepOnForkUndoesWipeOnFork) {
  EXPECT_EQ(allowed_last("P0 mmap private -> M0\nP0 store M0 1 7\n"
                         "P0 madvise M0 MADV_WIPEONFORK\nP0 madvise M0 MADV_KEEPONFORK\n"
                         "P0 fork -> P1\nP1 load M0 1\n"),
            std::set<std::string>{"ret=7"});
}

// madvise(2) EINVAL: MADV_WIPEONFORK on "MAP_SHARED" ranges; KEEPONFORK is accepted.
TEST(Madvise, WipeOnForkOnASharedRegionIsEinval) {
  EXPECT_EQ(allowed_last("P0 mmap shared -> M0\nP0 madvise M0 MADV_WIPEONFORK\n"),
            std::set<std::string>{"ret=-1 errno=EINVAL"});
  EXPECT_EQ(allowed_last("P0 mmap shared -> M0\nP0 madvise M0 MADV_KEEPONFORK\n"),
            std::set<std::string>{"ret=0"});
}

// ---- interval timers --------------------------------------------------------------------------

// getitimer(2): "A child created via fork(2) does not inherit its parent's interval
// timers. Interval timers are preserved across an execve(2)."
TEST(Itimer, NotInheritedByForkKeptByExec) {
  ModelRun r = run("P0 itimer virtual_arm\nP0 itimer virtual_get\nP0 fork -> P1\n"
                   "P1 itimer virtual_get\nP0 exec\nP0 itimer virtual_get\nP0 itimer prof_get\n"
                   "P0 itimer virtual_disarm\nP0 itimer virtual_get\n");
  EXPECT_EQ(r.obs[0], "ret=0");
  EXPECT_EQ(r.obs[1], "ret=1");
  EXPECT_EQ(r.obs[3], "ret=0");
  EXPECT_EQ(r.obs[5], "ret=1");
  EXPECT_EQ(r.obs[6], "ret=0");
  EXPECT_EQ(r.obs[7], "ret=1");
  EXPECT_EQ(r.obs[8], "ret=0");
  EXPECT_TRUE(r.cites(2, "posix:fork:ITIMERS:1"));
}

// ---- sigaltstack ----------------------------------------------------------------------------------

// sigaltstack(2): "A child created via fork(2) inherits a copy of its parent's alternate
// signal stack settings"; execve(2): "Any alternate signal stack is not preserved".
TEST(Sigaltstack, InheritedByForkClearedByExec) {
  ModelRun r = run("P0 sigaltstack query\nP0 sigaltstack large\nP0 fork -> P1\n"
                   "P1 sigaltstack small\nP1 sigaltstack query\nP0 sigaltstack query\n"
                   "P1 exec\nP1 sigaltstack query\nP0 sigaltstack disable\nP0 sigaltstack query\n");
  EXPECT_EQ(r.obs[0], "ret=0");
  EXPECT_EQ(r.obs[3], "ret=2");  // the child had the parent's 128 KiB stack
  EXPECT_EQ(r.obs[4], "ret=1");
  EXPECT_EQ(r.obs[5], "ret=2");
  EXPECT_EQ(r.obs[7], "ret=0");
  EXPECT_EQ(r.obs[8], "ret=2");
  EXPECT_EQ(r.obs[9], "ret=0");
}

// ---- the children's usage ------------------------------------------------------------------------------

// getrusage(2) RUSAGE_CHILDREN: "children ... that have terminated and been waited for";
// fork(2): "resource utilizations ... are reset to zero". Before a wait: zero; after:
// either; a fresh child: zero again; exec keeps the counters.
TEST(ChildTimes, ZeroUntilAWaitResetInTheChildKeptByExec) {
  EXPECT_EQ(allowed_last("P0 childtimes\n"), std::set<std::string>{"ret=0"});
  EXPECT_EQ(allowed_last("P0 fork -> P1\nP1 _exit 0\nP0 wait\nP0 childtimes\n"),
            (std::set<std::string>{"ret=0", "ret=1"}));
  EXPECT_EQ(allowed_last("P0 fork -> P1\nP1 _exit 0\nP0 wait\nP0 exec\nP0 childtimes\n"),
            (std::set<std::string>{"ret=0", "ret=1"}));
  EXPECT_EQ(allowed_last("P0 fork -> P1\nP1 _exit 0\nP0 wait\nP0 fork -> P2\nP2 childtimes\n"),
            std::set<std::string>{"ret=0"});
  // WNOWAIT leaves the child unreaped: nothing is counted yet.
  EXPECT_EQ(allowed_last("P0 fork -> P1\nP1 _exit 0\nP0 waitid P_ALL any WEXITED|WNOWAIT\n"
                         "P0 childtimes\n"),
            std::set<std::string>{"ret=0"});
}

// ---- scheduling policy and CPU affinity -------------------------------------------------------

// sched(7): the policy is inherited; the reset-on-fork flag "is disabled in child processes
// created by fork(2)" and resets only privileged policies, so SCHED_BATCH stays.
TEST(Sched, PolicyInheritedResetOnForkFlagNot) {
  ModelRun r = run("P0 getsched\nP0 setsched 3\nP0 getsched\nP0 fork -> P1\nP1 getsched\n"
                   "P1 exec\nP1 getsched\nP0 exec\nP0 getsched\n");
  EXPECT_EQ(r.obs[0], "ret=0");
  EXPECT_EQ(r.obs[2], "ret=3");
  EXPECT_EQ(r.obs[4], "ret=1");
  EXPECT_EQ(r.obs[6], "ret=1");
  EXPECT_EQ(r.obs[8], "ret=3");
}

// sched(7): "After the reset-on-fork flag has been enabled, it can be reset only if the
// thread has the CAP_SYS_NICE capability": the model allows both answers; setting it
// again, or never having it, is always allowed.
TEST(Sched, ClearingResetOnForkDependsOnCapSysNice) {
  EXPECT_EQ(allowed_last("P0 setsched 2\nP0 setsched 1\n"),
            (std::set<std::string>{"ret=0", "ret=-1 errno=EPERM"}));
  EXPECT_EQ(allowed_last("P0 setsched 2\nP0 setsched 3\n"), std::set<std::string>{"ret=0"});
  EXPECT_EQ(allowed_last("P0 setsched 1\nP0 setsched 0\n"), std::set<std::string>{"ret=0"});
  EXPECT_EQ(special_of_last("P0 setsched 5\n"), "Invalid");
}

// sched_setaffinity(2): "A child created via fork(2) inherits its parent's CPU affinity
// mask. The affinity mask is preserved across an execve(2)." How many CPUs "every CPU"
// is depends on the host.
TEST(Affinity, InheritedByForkKeptByExec) {
  EXPECT_EQ(allowed_last("P0 getaffinity\n"), (std::set<std::string>{"ret=1", "ret=2"}));
  EXPECT_EQ(allowed_last("P0 setaffinity 1\nP0 fork -> P1\nP1 exec\nP1 getaffinity\n"),
            std::set<std::string>{"ret=1"});
  EXPECT_EQ(allowed_last("P0 setaffinity 1\nP0 fork -> P1\nP1 setaffinity 0\n"
                         "P1 getaffinity\n"),
            (std::set<std::string>{"ret=1", "ret=2"}));
}

}  // namespace
}  // namespace fc::oracle::testing
