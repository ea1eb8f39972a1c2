// The process area of the model: fork, exit/_exit, getpid/getppid, the wait
// family and reparenting. Each test states one behaviour and quotes the
// sentence it checks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "oracles/tests/oracle_test_util.h"

namespace fc::oracle::testing {
namespace {

using ::testing::ElementsAre;

// ---- fork -------------------------------------------------------------------------

// "fork() shall return 0 to the child process and shall return the process ID
// of the child process to the parent process." - POSIX fork
TEST(Fork, ReturnsChildPidToParentAndZeroToChild) {
  ModelRun r = run("P0 fork -> P1\n");
  EXPECT_EQ(r.obs[0], "ret=P1 child=0");
}

// "The child process shall have a unique process ID." - POSIX fork
TEST(Fork, ChildGetpidIsItsOwnSymbol) {
  ModelRun r = run("P0 fork -> P1\nP1 getpid\nP0 getpid\n");
  EXPECT_EQ(r.obs[1], "ret=P1");
  EXPECT_EQ(r.obs[2], "ret=P0");
}

// "The child process shall have a different parent process ID, which shall be
// the process ID of the calling process." - POSIX fork
TEST(Fork, ChildParentIsTheCaller) {
  ModelRun r = run("P0 fork -> P1\nP1 fork -> P2\nP2 getppid\nP1 getppid\n");
  EXPECT_EQ(r.obs[2], "ret=P1");
  EXPECT_EQ(r.obs[3], "ret=P0");
}

// P0 is started by the run's reaper.
TEST(GetPpid, RootActorsParentIsTheReaper) {
  ModelRun r = run("P0 getppid\n");
  EXPECT_EQ(r.obs[0], "ret=REAPER");
}

// "Each of the child's file descriptors shall refer to the same open file
// description with the corresponding file descriptor of the parent." - POSIX fork
TEST(Fork, ChildSharesTheFileOffsetWithParent) {
  ModelRun r = run(
      "P0 open f0 O_RDWR|O_CREAT\n"
      "P0 write 3 \"abcdef\"\n"
      "P0 fork -> P1\n"
      "P1 lseek 3 2 SEEK_SET\n"
      "P0 read 3 2\n");
  EXPECT_EQ(r.obs[4], "ret=2 data=\"cd\"");
}

// File status flags belong to the open file description, so F_SETFL in the
// child is seen by the parent. - POSIX fork, fcntl F_SETFL
TEST(Fork, ChildSharesFileStatusFlagsWithParent) {
  ModelRun r = run(
      "P0 pipe\n"
      "P0 fork -> P1\n"
      "P1 setfl 3 O_NONBLOCK\n"
      "P0 getfl 3\n");
  EXPECT_EQ(r.obs[3], "ret=r+nonblock");
}

// FD_CLOEXEC is a descriptor flag: the child's copy keeps it. - fork(2)
TEST(Fork, ChildInheritsFdCloexecPerDescriptor) {
  ModelRun r = run(
      "P0 pipe2 O_CLOEXEC\n"
      "P0 setfd 4 0\n"
      "P0 fork -> P1\n"
      "P1 getfd 3\n"
      "P1 getfd 4\n");
  EXPECT_EQ(r.obs[3], "ret=1");
  EXPECT_EQ(r.obs[4], "ret=0");
}

// Closing a descriptor in the child leaves the parent's copy open. - POSIX fork
TEST(Fork, ChildHasItsOwnCopyOfTheFdTable) {
  ModelRun r = run("P0 fork -> P1\nP1 close 0\nP0 getfd 0\nP1 getfd 0\n");
  EXPECT_EQ(r.obs[2], "ret=0");
  EXPECT_EQ(r.obs[3], "ret=-1 errno=EBADF");
}

// A fork must name a fresh actor (forkconf IR).
TEST(Fork, NamingAnExistingActorIsInvalid) {
  Program p = parse("P0 fork -> P1\nP0 fork -> P2\n");
  p.steps[1].out = 1;
  EXPECT_EQ(special_of_last(p), "Invalid");
}

// ---- exit, _exit ----------------------------------------------------------------------

// "only the least significant 8 bits (that is, status & 0377) shall be
// available from wait() and waitpid()" - POSIX _exit
TEST(Exit, StatusIsMaskedToTheLowEightBits) {
  ModelRun r = run("P0 fork -> P1\nP1 _exit 300\nP0 wait\n");
  EXPECT_EQ(r.obs[1], "ret=none");
  EXPECT_EQ(r.obs[2], "ret=P1 status=exited(44)");
}

// status & 0377 of -1 is 255.
TEST(Exit, NegativeStatusIsMaskedToo) {
  ModelRun r = run("P0 fork -> P1\nP1 exit -1\nP0 wait\n");
  EXPECT_EQ(r.obs[2], "ret=P1 status=exited(255)");
}

// exit() ends "with the same consequences as described in Consequences of
// Process Termination" - POSIX exit
TEST(Exit, ExitAndUnderscoreExitAreObservedAlike) {
  ModelRun r = run("P0 fork -> P1\nP0 fork -> P2\nP1 exit 3\nP2 _exit 3\n");
  EXPECT_EQ(r.obs[2], "ret=none");
  EXPECT_EQ(r.obs[3], "ret=none");
  EXPECT_TRUE(r.cites(2, "posix:exit:CONSEQ:1"));
}

// "The _exit() and _Exit() functions shall not return" - POSIX _exit
TEST(Exit, StepsOfAnExitedActorAreInvalid) {
  EXPECT_EQ(special_of_last("P0 fork -> P1\nP1 _exit 0\nP1 getpid\n"), "Invalid");
}

// A child of the reaper is reaped at once: nothing is left to wait for.
TEST(Exit, RootActorIsReapedByTheReaperAtOnce) {
  ModelRun r = run("P0 _exit 1\n");
  std::vector<ActorView> views = actor_views(*r.state);
  ASSERT_EQ(views.size(), 1u);
  EXPECT_FALSE(views[0].alive);
  EXPECT_EQ(r.state->proc(0).life, Life::Reaped);
}

// "The parent process ID of all of the existing child processes and zombie
// processes of the calling process shall be set to the process ID of an
// implementation-defined system process." - POSIX _exit
TEST(Exit, LiveOrphanIsReparentedToTheReaper) {
  ModelRun r = run("P0 fork -> P1\nP1 fork -> P2\nP1 _exit 0\nP2 getppid\n");
  EXPECT_EQ(r.obs[3], "ret=REAPER");
}

// The reaper reaps the zombies it adopts: they are no longer anyone's child.
TEST(Exit, AdoptedZombieIsReapedByTheReaper) {
  ModelRun r = run("P0 fork -> P1\nP1 fork -> P2\nP2 _exit 5\nP1 _exit 0\n");
  EXPECT_EQ(r.state->proc(2).life, Life::Reaped);
  EXPECT_EQ(r.state->proc(1).life, Life::Zombie);
}

// An orphan is not a child of its grandparent. - POSIX waitpid ECHILD
TEST(Exit, OrphanIsNotWaitableByItsGrandparent) {
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP1 fork -> P2\nP1 _exit 0\nP0 waitpid P2 0\n"),
              ElementsAre("ret=-1 errno=ECHILD"));
}

// An orphan that exits later is reaped by the reaper at once.
TEST(Exit, OrphanThatExitsLaterIsReapedAtOnce) {
  ModelRun r = run("P0 fork -> P1\nP1 fork -> P2\nP1 _exit 0\nP2 _exit 0\n");
  EXPECT_EQ(r.state->proc(2).life, Life::Reaped);
}

// ---- wait, waitpid, wait4 -------------------------------------------------------------

// wait() reports a terminated child's pid and status. - POSIX wait
TEST(Wait, ReapsAnExitedChild) {
  ModelRun r = run("P0 fork -> P1\nP1 _exit 7\nP0 wait\n");
  EXPECT_EQ(r.obs[2], "ret=P1 status=exited(7)");
  EXPECT_EQ(r.state->proc(1).life, Life::Reaped);
}

// "ECHILD The calling process has no existing unwaited-for child processes."
// - POSIX wait
TEST(Wait, WithoutChildrenFailsWithEchild) {
  EXPECT_THAT(allowed_last("P0 wait\n"), ElementsAre("ret=-1 errno=ECHILD"));
}

// A reaped child is no longer an unwaited-for child. - POSIX wait
TEST(Wait, SecondWaitForTheOnlyChildFailsWithEchild) {
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP1 _exit 0\nP0 wait\nP0 wait\n"),
              ElementsAre("ret=-1 errno=ECHILD"));
}

// "If status information is available for two or more child processes, the
// order in which their status is reported is unspecified." - POSIX wait
TEST(Wait, AnyChildWithSeveralZombiesAllowsEveryChoice) {
  const char* fcp =
      "P0 fork -> P1\nP0 fork -> P2\nP0 fork -> P3\n"
      "P1 _exit 1\nP2 _exit 2\nP3 _exit 3\nP0 wait\n";
  EXPECT_THAT(allowed_last(fcp),
              ElementsAre("ret=P1 status=exited(1)", "ret=P2 status=exited(2)",
                          "ret=P3 status=exited(3)"));
  StepResult step = last_step(fcp);
  for (const Outcome& o : step.outcomes) {
    int reaped = 0;
    for (ActorId a : {1, 2, 3}) reaped += o.next->proc(a).life == Life::Reaped;
    EXPECT_EQ(reaped, 1) << o.obs.text();
  }
}

// Live children are not reported by wait(-1): only zombies are.
TEST(Wait, AnyChildIgnoresLiveChildrenWhenOneHasExited) {
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP0 fork -> P2\nP2 _exit 9\nP0 waitpid any 0\n"),
              ElementsAre("ret=P2 status=exited(9)"));
}

// "suspend execution of the calling thread until status information for one
// of the terminated child processes of the calling process is available"
// - POSIX wait
TEST(Wait, BlocksUntilAChildExits) {
  ModelRun r = run("P0 fork -> P1\nP0 wait\nP1 getpid\nP1 _exit 4\n");
  EXPECT_EQ(r.obs[1], "ret=P1 status=exited(4)");
  EXPECT_EQ(r.completed_by[1], 3);
  EXPECT_EQ(r.obs[3], "ret=none");
  EXPECT_EQ(r.state->proc(1).life, Life::Reaped);
  EXPECT_TRUE(r.cites(3, "posix:_exit:NOTIFY:1"));
}

// A blocked wait that nothing completes stays blocked to the end.
TEST(Wait, StaysBlockedWhenNoChildExits) {
  ModelRun r = run("P0 fork -> P1\nP0 wait\nP1 getpid\n");
  EXPECT_EQ(r.obs[1], "state=blocked");
  EXPECT_EQ(r.completed_by[1], -1);
}

// An actor with a blocked step runs no other step until it returns. - model.h
TEST(Wait, StepsOfABlockedActorAreInvalid) {
  EXPECT_EQ(special_of_last("P0 fork -> P1\nP0 wait\nP0 getpid\n"), "Invalid");
}

// "The process specified by pid does not exist or is not a child of the
// calling process" - POSIX waitpid ECHILD
TEST(WaitPid, SiblingIsNotAChild) {
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP0 fork -> P2\nP2 _exit 0\nP1 waitpid P2 0\n"),
              ElementsAre("ret=-1 errno=ECHILD"));
}

// A wait for one pid is not satisfied by another child's exit. - POSIX waitpid
TEST(WaitPid, BlockedOnOneChildIgnoresAnotherChildsExit) {
  ModelRun r = run("P0 fork -> P1\nP0 fork -> P2\nP0 waitpid P1 0\nP2 _exit 2\nP1 _exit 1\n");
  EXPECT_EQ(r.completed_by[2], 4);
  EXPECT_EQ(r.obs[2], "ret=P1 status=exited(1)");
  EXPECT_EQ(r.state->proc(2).life, Life::Zombie);
}

// "If waitpid() was invoked with WNOHANG set in options, it has at least one
// child process specified by pid for which status is not available, and
// status is not available for any process specified by pid, 0 shall be
// returned." - POSIX waitpid
TEST(WaitPid, WnohangWithOnlyLiveChildrenReturnsZero) {
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP0 waitpid any WNOHANG\n"), ElementsAre("ret=0"));
}

// WNOHANG does not hide an exited child.
TEST(WaitPid, WnohangReapsAnExitedChild) {
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP1 _exit 6\nP0 waitpid P1 WNOHANG\n"),
              ElementsAre("ret=P1 status=exited(6)"));
}

// WNOHANG with no children at all is still ECHILD.
TEST(WaitPid, WnohangWithoutChildrenFailsWithEchild) {
  EXPECT_THAT(allowed_last("P0 waitpid any WNOHANG\n"), ElementsAre("ret=-1 errno=ECHILD"));
}

// "EINVAL The options argument was invalid." - wait(2); WNOWAIT is a waitid()
// option.
TEST(WaitPid, WnowaitOptionFailsWithEinval) {
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP1 _exit 0\nP0 waitpid P1 WNOWAIT\n"),
              ElementsAre("ret=-1 errno=EINVAL"));
}

// "If more than one error occurs in processing a function call, any one of
// the possible errors may be returned" - POSIX XSH 2.3
TEST(WaitPid, InvalidOptionsWithoutChildrenAllowsEitherErrno) {
  EXPECT_THAT(allowed_last("P0 waitpid any WEXITED\n"),
              ElementsAre("ret=-1 errno=ECHILD", "ret=-1 errno=EINVAL"));
}

// "If pid is 0, status is requested for any child process whose process group
// ID is equal to that of the calling process." Every actor is in P0's group.
TEST(WaitPid, ProcessGroupSelectorMatchesEveryChild) {
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP1 fork -> P2\nP2 _exit 8\nP1 waitpid pgrp 0\n"),
              ElementsAre("ret=P2 status=exited(8)"));
}

// wait4() is waitpid() with a rusage argument. - wait4(2)
TEST(Wait4, BehavesLikeWaitpid) {
  ModelRun r = run("P0 fork -> P1\nP0 wait4 P1 WNOHANG\nP1 _exit 12\nP0 wait4 any 0\nP0 wait4 any 0\n");
  EXPECT_EQ(r.obs[1], "ret=0");
  EXPECT_EQ(r.obs[3], "ret=P1 status=exited(12)");
  EXPECT_EQ(r.obs[4], "ret=-1 errno=ECHILD");
}

// ---- waitid --------------------------------------------------------------------------------

// waitid reports through siginfo: si_pid, si_code CLD_EXITED, si_status.
TEST(WaitId, ReportsTheChildThroughSiginfo) {
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP1 _exit 3\nP0 waitid P_PID P1 WEXITED\n"),
              ElementsAre("ret=0 si_pid=P1 si_code=CLD_EXITED si_status=3"));
}

// "Applications shall specify at least one of the flags WEXITED, WSTOPPED, or
// WCONTINUED" / "EINVAL An invalid value was specified for options" - POSIX waitid
TEST(WaitId, OptionsWithoutWexitedFailWithEinval) {
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP1 _exit 3\nP0 waitid P_ALL any WNOHANG\n"),
              ElementsAre("ret=-1 errno=EINVAL"));
}

// "Keep the process whose status is returned in infop in a waitable state."
// - POSIX waitid WNOWAIT
TEST(WaitId, WnowaitLeavesTheChildWaitable) {
  ModelRun r = run(
      "P0 fork -> P1\nP1 _exit 3\n"
      "P0 waitid P_ALL any WEXITED|WNOWAIT\n"
      "P0 waitpid P1 0\n");
  EXPECT_EQ(r.obs[2], "ret=0 si_pid=P1 si_code=CLD_EXITED si_status=3");
  EXPECT_EQ(r.obs[3], "ret=P1 status=exited(3)");
}

// Linux zeroes si_pid when WNOHANG finds nothing waitable (wait(2) NOTES;
// POSIX.1-2008 TC1).
TEST(WaitId, WnohangWithNothingWaitableZeroesSiPid) {
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP0 waitid P_ALL any WEXITED|WNOHANG\n"),
              ElementsAre("ret=0 si_pid=0"));
}

// Where the profile does not promise zeroed siginfo, its contents are
// undefined: no observation can be enumerated.
TEST(WaitId, WnohangSiginfoIsUndefinedWithoutTheZeroingProfile) {
  Profile posix;
  posix.waitid_wnohang_zeroes_siginfo = false;
  EXPECT_EQ(special_of_last("P0 fork -> P1\nP0 waitid P_ALL any WEXITED|WNOHANG\n", posix),
            "Undefined");
}

// Linux keeps only the low 8 bits of the exit status, for waitid too.
TEST(WaitId, SiStatusIsMaskedOnLinux) {
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP1 _exit 300\nP0 waitid P_ALL any WEXITED\n"),
              ElementsAre("ret=0 si_pid=P1 si_code=CLD_EXITED si_status=44"));
}

// "the full value shall be available from waitid()" - POSIX _exit
TEST(WaitId, SiStatusIsTheFullValueInAPosixProfile) {
  Profile posix;
  posix.waitid_si_status_masked = false;
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP1 _exit 300\nP0 waitid P_ALL any WEXITED\n", posix),
              ElementsAre("ret=0 si_pid=P1 si_code=CLD_EXITED si_status=300"));
}

// "idtype and id specify an invalid set of processes" - POSIX waitid EINVAL:
// no process has pid 0 (the executor's id for `any` and `pgrp`).
TEST(WaitId, PPidWithoutAPidFailsWithEinval) {
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP0 waitid P_PID any WEXITED\n"),
              ElementsAre("ret=-1 errno=EINVAL"));
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP0 waitid P_PID pgrp WEXITED\n"),
              ElementsAre("ret=-1 errno=EINVAL"));
}

// "ECHILD (for waitpid() or waitid()) The process specified by pid (waitpid())
// or idtype and id (waitid()) does not exist or is not a child of the calling
// process." - wait(2)
TEST(WaitId, PPidOfANonChildFailsWithEchild) {
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP1 fork -> P2\nP2 _exit 0\nP0 waitid P_PID P2 WEXITED\n"),
              ElementsAre("ret=-1 errno=ECHILD"));
}

// "Since Linux 5.4, if id is zero, then wait for any child that is in the
// same process group as the caller's process group" - wait(2)
TEST(WaitId, PPgidZeroWaitsForTheCallersGroup) {
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP1 _exit 2\nP0 waitid P_PGID pgrp WEXITED\n"),
              ElementsAre("ret=0 si_pid=P1 si_code=CLD_EXITED si_status=2"));
}

// POSIX names no process group 0: no child is in it, or the set is invalid.
TEST(WaitId, PPgidZeroInAPosixProfileAllowsEchildOrEinval) {
  Profile posix;
  posix.waitid_pgid_zero_is_own_group = false;
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP1 _exit 2\nP0 waitid P_PGID pgrp WEXITED\n", posix),
              ElementsAre("ret=-1 errno=ECHILD", "ret=-1 errno=EINVAL"));
}

// The executor passes id 0 for the `any` selector too: the caller's group.
TEST(WaitId, PPgidWithTheAnySelectorIsIdZero) {
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP1 _exit 4\nP0 waitid P_PGID any WEXITED\n"),
              ElementsAre("ret=0 si_pid=P1 si_code=CLD_EXITED si_status=4"));
}

// issue 4 (groups): the actor's pid as a process group id: the children in that group
// (oracles/tests/pgrp_test.cc has more).
TEST(WaitId, PPgidOfAnActorSelectsThatGroup) {
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP1 _exit 4\nP0 waitid P_PGID P0 WEXITED\n"),
              ElementsAre("ret=0 si_pid=P1 si_code=CLD_EXITED si_status=4"));
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP1 _exit 4\nP0 waitid P_PGID P1 WEXITED\n"),
              ElementsAre("ret=-1 errno=ECHILD"));
}

// "ECHILD The calling process has no existing unwaited-for child processes."
// - POSIX waitid
TEST(WaitId, WithoutChildrenFailsWithEchild) {
  EXPECT_THAT(allowed_last("P0 waitid P_ALL any WEXITED\n"), ElementsAre("ret=-1 errno=ECHILD"));
}

// A blocked waitid returns when the child exits.
TEST(WaitId, BlocksUntilTheChildExits) {
  ModelRun r = run("P0 fork -> P1\nP0 waitid P_PID P1 WEXITED\nP1 _exit 5\n");
  EXPECT_EQ(r.completed_by[1], 2);
  EXPECT_EQ(r.obs[1], "ret=0 si_pid=P1 si_code=CLD_EXITED si_status=5");
}

// A blocked waitid with WNOWAIT returns but leaves the child a zombie.
TEST(WaitId, BlockedWnowaitLeavesTheChildAZombie) {
  ModelRun r = run("P0 fork -> P1\nP0 waitid P_ALL any WEXITED|WNOWAIT\nP1 _exit 5\n");
  EXPECT_EQ(r.completed_by[1], 2);
  EXPECT_EQ(r.state->proc(1).life, Life::Zombie);
}

}  // namespace
}  // namespace fc::oracle::testing
