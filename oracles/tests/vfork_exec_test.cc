// vfork and exec (issue 3): vfork/clone_vfork blocking and memory sharing,
// what a vfork child may do, and the signal mask and pending set across
// fork and exec. Each test states one behaviour and quotes the sentence it
// checks.
#include <gtest/gtest.h>

#include "oracles/tests/oracle_test_util.h"

namespace fc::oracle::testing {
namespace {

// "the calling thread is suspended until the child terminates (either normally, by calling
// _exit(2), or abnormally, after delivery of a fatal signal), or it makes a call to
// execve(2)" - vfork(2)
TEST(Vfork, CallerBlocksUntilTheChildExits) {
  ModelRun r = run("P0 vfork -> P1\nP1 getpid\nP1 _exit 4\nP0 waitpid P1 0\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.completed_by[0], 2);
  EXPECT_EQ(r.obs[0], "ret=P1 child=0 stack=P1");
  EXPECT_EQ(r.obs[3], "ret=P1 status=exited(4)");
}

TEST(Vfork, CallerBlocksUntilTheChildExecs) {
  ModelRun r = run("P0 clone_vfork -> P1\nP1 exec\nP1 getppid\nP0 getpid\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.completed_by[0], 1);
  EXPECT_EQ(r.obs[2], "ret=P0");
  EXPECT_TRUE(r.cites(0, "man:clone:VFORK:1"));
}

// The caller runs nothing while suspended.
TEST(Vfork, CallerRunsNoStepWhileSuspended) {
  EXPECT_EQ(special_of_last("P0 vfork -> P1\nP0 getpid\n"), "Invalid");
}

// "Until that point, the child shares all memory with its parent, including the stack." -
// vfork(2); unlike fork's copy of a MAP_PRIVATE region.
TEST(Vfork, ChildStoreToPrivateRegionIsSeenByTheCaller) {
  ModelRun r = run("P0 mmap private -> M0\nP0 vfork -> P1\nP1 store M0 2 9\nP1 _exit 0\n"
                   "P0 load M0 2\n");
  EXPECT_EQ(r.obs[4], "ret=9");
  ModelRun f = run("P0 mmap private -> M0\nP0 fork -> P1\nP1 store M0 2 9\nP1 _exit 0\n"
                   "P0 load M0 2\n");
  EXPECT_EQ(f.obs[4], "ret=0");
}

// After execve the child has an image of its own: its regions are gone, the caller keeps
// its own.
TEST(Vfork, AfterExecTheChildNoLongerMapsTheRegion) {
  EXPECT_EQ(special_of_last("P0 mmap private -> M0\nP0 vfork -> P1\nP1 exec\nP1 load M0 0\n"),
            "Invalid");
}

// "The child must not return from the current function or call exit(3)" - vfork(2);
// POSIX: undefined if the child "calls any other function before successfully calling
// _exit() or one of the exec family of functions".
TEST(Vfork, ChildMayNotCallExitForkOrBlock) {
  EXPECT_EQ(special_of_last("P0 vfork -> P1\nP1 exit 0\n"), "Undefined");
  EXPECT_EQ(special_of_last("P0 vfork -> P1\nP1 fork -> P2\n"), "Undefined");
  EXPECT_EQ(special_of_last("P0 pipe\nP0 vfork -> P1\nP1 read 3 1\n"), "Undefined");
  EXPECT_EQ(special_of_last("P0 vfork -> P1\nP1 mmap private -> M0\n"), "Undefined");
  EXPECT_EQ(special_of_last("P0 vfork -> P1\nP1 exec\nP1 exit 0\n"), "");
}

// "the child process created by vfork() inherits copies of various of the caller's process
// attributes (e.g., file descriptors, signal dispositions ...)" - vfork(2)
TEST(Vfork, ChildInheritsDescriptorsAndTheCallerGetsSigchld) {
  ModelRun r = run("P0 sigaction SIGCHLD handler 0\nP0 pipe\nP0 vfork -> P1\n"
                   "P1 write 4 \"x\"\nP1 _exit 0\nP0 read 3 1\nP0 caught\n");
  EXPECT_EQ(r.obs[5], "ret=1 data=\"x\"");
  EXPECT_EQ(r.obs[6], "ret=0 caught=SIGCHLD");
}

// A signal to a vfork child would be handled in its parent's memory: not modelled.
TEST(Vfork, SignalToASharedChildIsNotModelled) {
  EXPECT_EQ(special_of_last("P0 fork -> P2\nP0 vfork -> P1\nP2 kill P1 SIGUSR1\n"),
            "NotModeled");
}

// "the calling thread is suspended until the child terminates (either normally ... or
// abnormally, after delivery of a fatal signal)" - vfork(2): SIGKILL from a third process.
TEST(Vfork, CallerResumesWhenTheChildIsKilled) {
  ModelRun r = run("P0 fork -> P2\nP0 vfork -> P1\nP1 getpid\nP2 kill P1 SIGKILL\n"
                   "P0 waitpid P1 0\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.completed_by[1], 3);
  EXPECT_EQ(r.obs[4], "ret=P1 status=signaled(9)");
}

// PLANTED BUG VforkCopiesMemory: the child's store is lost to the caller.
TEST(Vfork, PlantedVforkCopiesMemoryChangesTheLoad) {
  Profile bug;
  bug.planted_bug = Profile::PlantedBug::VforkCopiesMemory;
  ModelRun r = run("P0 mmap private -> M0\nP0 vfork -> P1\nP1 store M0 2 9\nP1 _exit 0\n"
                   "P0 load M0 2\n", bug);
  EXPECT_EQ(r.obs[4], "ret=0");
}

// "SIG_BLOCK The resulting set shall be the union ... SIG_UNBLOCK ... the intersection of the
// current set and the complement ... SIG_SETMASK The resulting set shall be the signal set" -
// POSIX sigprocmask; "[EINVAL] The value of the how argument is not equal to one of the
// defined values."
TEST(Sigprocmask, HowCombinesTheSetsAndOldIsReported) {
  ModelRun r = run("P0 sigprocmask SIG_BLOCK SIGUSR1\nP0 sigprocmask SIG_BLOCK SIGTERM\n"
                   "P0 sigprocmask SIG_UNBLOCK SIGUSR1\nP0 sigprocmask SIG_SETMASK SIGHUP\n"
                   "P0 sigprocmask SIG_HOW_BAD SIGINT\nP0 sigprocmask SIG_BLOCK 0\n");
  EXPECT_EQ(r.obs[1], "ret=0 old=SIGUSR1");
  EXPECT_EQ(r.obs[2], "ret=0 old=SIGUSR1,SIGTERM");
  EXPECT_EQ(r.obs[3], "ret=0 old=SIGTERM");
  EXPECT_EQ(r.obs[4], "ret=-1 errno=EINVAL");
  EXPECT_EQ(r.obs[5], "ret=0 old=SIGHUP");
}

// "the signal shall remain pending until it is unblocked" - POSIX 2.4.1; sigpending "shall
// store ... the set of signals that are blocked from delivery ... and are pending".
TEST(Sigprocmask, BlockedSignalStaysPendingThenIsDeliveredWhenUnblocked) {
  ModelRun r = run("P0 sigaction SIGUSR1 handler 0\nP0 sigprocmask SIG_BLOCK SIGUSR1\n"
                   "P0 kill P0 SIGUSR1\nP0 sigpending\nP0 caught\n"
                   "P0 sigprocmask SIG_UNBLOCK SIGUSR1\nP0 caught\nP0 sigpending\n");
  EXPECT_EQ(r.obs[3], "ret=0 pending=SIGUSR1");
  EXPECT_EQ(r.obs[4], "ret=0 caught=-");
  EXPECT_TRUE(r.cites(5, "posix:sigprocmask:DELIVER:1"));
  EXPECT_EQ(r.obs[6], "ret=0 caught=SIGUSR1");
  EXPECT_EQ(r.obs[7], "ret=0 pending=-");
}

// Unblocking a pending signal whose default action terminates kills the caller inside the
// call: the step never returns and the parent sees the signal.
TEST(Sigprocmask, UnblockingAFatalPendingSignalKillsTheCaller) {
  ModelRun r = run("P0 fork -> P1\nP1 sigprocmask SIG_BLOCK SIGTERM\nP0 kill P1 SIGTERM\n"
                   "P1 sigprocmask SIG_UNBLOCK SIGTERM\nP0 waitpid P1 0\n");
  EXPECT_EQ(r.obs[3], "state=blocked");
  EXPECT_EQ(r.obs[4], "ret=P1 status=signaled(15)");
}

// "If the action associated with a blocked signal is to ignore the signal ... it is
// unspecified whether the signal is discarded immediately upon generation or remains
// pending." - POSIX 2.4.1: both are allowed.
TEST(Sigprocmask, BlockedIgnoredSignalMayStayPendingOrBeDiscarded) {
  StepResult r = last_step("P0 sigaction SIGUSR2 SIG_IGN 0\nP0 sigprocmask SIG_BLOCK SIGUSR2\n"
                           "P0 kill P0 SIGUSR2\n");
  ASSERT_EQ(r.outcomes.size(), 2u);
  std::set<std::uint32_t> pending;
  for (const Outcome& o : r.outcomes) {
    EXPECT_EQ(o.obs.text(), "ret=0");
    pending.insert(o.next->proc(0).pending);
  }
  EXPECT_EQ(pending, (std::set<std::uint32_t>{0u, 1u << FC_SIGUSR2}));
}

// "Setting a signal action to SIG_IGN for a signal that is pending shall cause the pending
// signal to be discarded, whether or not it is blocked." - POSIX 2.4.3
TEST(Sigprocmask, IgnoringAPendingSignalDiscardsIt) {
  ModelRun r = run("P0 sigprocmask SIG_BLOCK SIGTERM\nP0 kill P0 SIGTERM\n"
                   "P0 sigaction SIGTERM SIG_IGN 0\nP0 sigpending\n");
  EXPECT_EQ(r.obs[3], "ret=0 pending=-");
}

// "A child created via fork(2) inherits a copy of its parent's signal mask; the signal mask
// is preserved across execve(2)." "A child created via fork(2) initially has an empty
// pending signal set; the pending signal set is preserved across an execve(2)." - signal(7)
TEST(Sigprocmask, ForkCopiesTheMaskNotThePendingSetExecKeepsBoth) {
  ModelRun r = run("P0 sigprocmask SIG_BLOCK SIGUSR1\nP0 kill P0 SIGUSR1\nP0 fork -> P1\n"
                   "P1 sigpending\nP1 sigprocmask SIG_BLOCK 0\nP0 exec\nP0 sigpending\n"
                   "P0 sigprocmask SIG_BLOCK 0\nP0 getpid\n");
  EXPECT_EQ(r.obs[3], "ret=0 pending=-");
  EXPECT_EQ(r.obs[4], "ret=0 old=SIGUSR1");
  EXPECT_EQ(r.obs[6], "ret=0 pending=SIGUSR1");
  EXPECT_EQ(r.obs[7], "ret=0 old=SIGUSR1");
  EXPECT_EQ(r.obs[8], "ret=P0");
  EXPECT_TRUE(r.cites(2, "posix:fork:PENDING:1"));
  EXPECT_TRUE(r.cites(5, "man:signal:PENDING_EXEC:1"));
}

// The planted bugs change exactly those observations.
TEST(Sigprocmask, PlantedBugsChangeTheObservations) {
  Profile keep;
  keep.planted_bug = Profile::PlantedBug::ForkKeepsPending;
  ModelRun k = run("P0 sigprocmask SIG_BLOCK SIGUSR1\nP0 kill P0 SIGUSR1\nP0 fork -> P1\n"
                   "P1 sigpending\n", keep);
  EXPECT_EQ(k.obs[3], "ret=0 pending=SIGUSR1");
  Profile clear;
  clear.planted_bug = Profile::PlantedBug::ExecClearsMask;
  ModelRun c = run("P0 sigprocmask SIG_BLOCK SIGUSR1\nP0 exec\nP0 sigprocmask SIG_BLOCK 0\n", clear);
  EXPECT_EQ(c.obs[2], "ret=0 old=-");
}

// man:setpgid:FORK:1 "A child created via fork(2) inherits its parent's
// process group ID"; vfork(2) creates its child "just like fork(2)". The
// vfork child of a process that moved to a group of its own is in that group
// (seen after its exec, since getpgid is not a step a vfork child may make).
TEST(Vfork, ChildInheritsTheCallersProcessGroup) {
  const std::set<std::string> allowed = allowed_last(
      "P0 fork -> P1\nP1 setpgid self same\nP1 vfork -> P2\nP2 exec\nP2 getpgid self\n");
  ASSERT_EQ(allowed.size(), 1u);
  EXPECT_EQ(*allowed.begin(), "ret=P1");
}

}  // namespace
}  // namespace fc::oracle::testing
