// Process groups and sessions (issue 4, groups): setpgid, setsid, getpgid, getsid,
// getpgrp, group-selected waits, and SIGHUP + SIGCONT to a newly orphaned process group
// with a stopped member. Each test states one behaviour and quotes the sentence it checks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "oracles/tests/oracle_test_util.h"

namespace fc::oracle::testing {
namespace {

// Harness (supervisor.cc RunReaper): the reaper calls setsid() and P0 setpgid(0, 0).
// setpgid(2): "A child created via fork(2) inherits its parent's process group ID";
// setsid(2): "... inherits its parent's session ID".
TEST(Pgrp, P0LeadsAGroupInTheReapersSessionAndForkInherits) {
  ModelRun r = run("P0 getpgrp\nP0 getsid self\nP0 fork -> P1\nP1 getpgid self\n"
                   "P1 getsid self\nP0 getpgid P1\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[0], "ret=P0");
  EXPECT_EQ(r.obs[1], "ret=REAPER");
  EXPECT_EQ(r.obs[3], "ret=P0");
  EXPECT_EQ(r.obs[4], "ret=REAPER");
  EXPECT_EQ(r.obs[5], "ret=P0");
}

// setsid: "[EPERM] The calling process is already a process group leader"; otherwise
// "shall return the value of the new process group ID of the calling process".
TEST(Setsid, GroupLeaderFailsOthersLeadANewSessionAndGroup) {
  ModelRun r = run("P0 setsid\nP0 fork -> P1\nP1 setsid\nP1 getpgrp\nP1 getsid self\n"
                   "P1 setsid\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[0], "ret=-1 errno=EPERM");
  EXPECT_EQ(r.obs[2], "ret=P1");
  EXPECT_EQ(r.obs[3], "ret=P1");
  EXPECT_EQ(r.obs[4], "ret=P1");
  EXPECT_EQ(r.obs[5], "ret=-1 errno=EPERM");
}

// setsid: "... or the process group ID of a process other than the calling process
// matches the process ID of the calling process": a former leader whose group lives on.
TEST(Setsid, FailsWhileAnotherProcessIsInTheCallersGroup) {
  ModelRun r = run("P0 fork -> P1\nP1 setpgid self same\nP1 fork -> P2\n"
                   "P1 setpgid self P0\nP1 setsid\nP2 _exit 0\nP1 wait\nP1 setsid\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[3], "ret=0");
  EXPECT_EQ(r.obs[4], "ret=-1 errno=EPERM");
  EXPECT_EQ(r.obs[7], "ret=P1");
}

// setpgid: "either join an existing process group or create a new process group within
// the session of the calling process"; pid 0 is the caller, pgid 0 the target's pid.
TEST(Setpgid, CreatesAndJoinsGroups) {
  ModelRun r = run("P0 fork -> P1\nP0 setpgid P1 same\nP1 getpgrp\nP0 fork -> P2\n"
                   "P0 setpgid P2 P1\nP2 getpgrp\nP2 setpgid self P0\nP2 getpgrp\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[1], "ret=0");
  EXPECT_EQ(r.obs[2], "ret=P1");
  EXPECT_EQ(r.obs[4], "ret=0");
  EXPECT_EQ(r.obs[5], "ret=P1");
  EXPECT_EQ(r.obs[7], "ret=P0");
}

// setpgid: "[EACCES] ... a child process of the calling process and the child process has
// successfully executed one of the exec functions."
TEST(Setpgid, ChildThatExecedIsEacces) {
  ModelRun r = run("P0 fork -> P1\nP1 exec\nP0 setpgid P1 same\nP1 setpgid self same\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[2], "ret=-1 errno=EACCES");
  EXPECT_EQ(r.obs[3], "ret=0");  // the process itself may
}

// setpgid: "[ESRCH] The value of the pid argument does not match the process ID of the
// calling process or of a child process of the calling process."
TEST(Setpgid, GrandchildAndParentAreEsrch) {
  ModelRun r = run("P0 fork -> P1\nP1 fork -> P2\nP0 setpgid P2 same\nP1 setpgid P0 same\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[2], "ret=-1 errno=ESRCH");
  EXPECT_EQ(r.obs[3], "ret=-1 errno=ESRCH");
}

// setpgid: "[EPERM] The process indicated by the pid argument is a session leader" and
// "... the child process is not in the same session as the calling process": both apply,
// either errno may be returned (XSH 2.3).
TEST(Setpgid, SessionLeaderAndOtherSessionAreEperm) {
  EXPECT_EQ(allowed_last("P0 fork -> P1\nP1 setsid\nP0 setpgid P1 same\n"),
            (std::set<std::string>{"ret=-1 errno=EPERM"}));
  EXPECT_EQ(allowed_last("P0 fork -> P1\nP1 setsid\nP1 setpgid self same\n"),
            (std::set<std::string>{"ret=-1 errno=EPERM"}));
}

// setpgid: "[EPERM] ... there is no process with a process group ID that matches the
// value of the pgid argument in the same session as the calling process."
TEST(Setpgid, GroupThatDoesNotExistIsEperm) {
  ModelRun r = run("P0 fork -> P1\nP0 fork -> P2\nP0 setpgid P2 P1\nP1 setsid\n"
                   "P0 setpgid P2 P1\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[2], "ret=-1 errno=EPERM");  // P1 leads no group
  EXPECT_EQ(r.obs[4], "ret=-1 errno=EPERM");  // group P1 is in another session
}

// setpgid: "[EINVAL] The value of the pgid argument is less than 0".
TEST(Setpgid, NegativePgidIsEinval) {
  EXPECT_EQ(allowed_last("P0 setpgid self neg\n"),
            (std::set<std::string>{"ret=-1 errno=EINVAL"}));
}

// getsid(2): "Linux does not return EPERM"; POSIX lets an implementation refuse a
// process of another session (Profile::getsid_other_session_may_eperm).
TEST(Getsid, OtherSessionLinuxAnswersPosixMayRefuse) {
  const char* program = "P0 fork -> P1\nP1 setsid\nP0 getsid P1\n";
  EXPECT_EQ(allowed_last(program), (std::set<std::string>{"ret=P1"}));
  Profile posix;
  posix.getsid_other_session_may_eperm = true;
  EXPECT_EQ(allowed_last(program, posix),
            (std::set<std::string>{"ret=P1", "ret=-1 errno=EPERM"}));
}

// getpgid: "[ESRCH] There is no process with a process ID equal to pid"; a zombie is one.
TEST(Getpgid, ZombieAnswersReapedIsEsrch) {
  ModelRun r = run("P0 fork -> P1\nP0 setpgid P1 same\nP1 _exit 0\nP0 getpgid P1\n"
                   "P0 wait\nP0 getpgid P1\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[3], "ret=P1");
  EXPECT_EQ(r.obs[5], "ret=-1 errno=ESRCH");
}

// waitpid: "If pid is 0, status is requested for any child process whose process group ID
// is equal to that of the calling process"; waitid P_PGID: "any child with a process
// group ID equal to (pid_t)id".
TEST(GroupWaits, SelectChildrenByTheirCurrentGroup) {
  ModelRun r = run("P0 fork -> P1\nP0 setpgid P1 same\nP1 _exit 3\n"
                   "P0 waitpid pgrp WNOHANG\nP0 waitid P_PGID P1 WEXITED\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[3], "ret=-1 errno=ECHILD");
  EXPECT_EQ(r.obs[4], "ret=0 si_pid=P1 si_code=CLD_EXITED si_status=3");
}

// waitpid: "If pid is less than (pid_t)-1, status is requested for any child process
// whose process group ID is equal to the absolute value of pid."; ECHILD when "the process
// group specified by pid does not exist or does not have any member process that is a
// child of the calling process".
TEST(GroupWaits, NegativePidSelectsThatGroup) {
  ModelRun r = run("P0 fork -> P1\nP0 setpgid P1 same\nP0 fork -> P2\nP0 setpgid P2 P1\n"
                   "P2 _exit 5\nP0 waitpid -P0 WNOHANG\nP0 wait4 -P1 0\n"
                   "P0 waitpid -P1 WNOHANG\nP1 _exit 6\nP0 waitpid -P1 0\n"
                   "P0 waitpid -P1 WNOHANG\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[5], "ret=-1 errno=ECHILD");  // no child left in P0's group
  EXPECT_EQ(r.obs[6], "ret=P2 status=exited(5)");
  EXPECT_EQ(r.obs[7], "ret=0");  // P1 is in group P1, alive
  EXPECT_EQ(r.obs[9], "ret=P1 status=exited(6)");
  EXPECT_EQ(r.obs[10], "ret=-1 errno=ECHILD");
  // "If status information is available for two or more child processes, the order in
  // which their status is reported is unspecified."
  EXPECT_THAT(allowed_last("P0 fork -> P1\nP0 setpgid P1 same\nP0 fork -> P2\n"
                           "P0 setpgid P2 P1\nP2 _exit 5\nP1 _exit 6\nP0 wait4 -P1 0\n"),
              ::testing::UnorderedElementsAre("ret=P1 status=exited(6)",
                                              "ret=P2 status=exited(5)"));
}

// waitid takes a process group through P_PGID, never as a negative pid.
TEST(GroupWaits, WaitidRefusesTheNegativePidSelector) {
  EXPECT_EQ(special_of_last("P0 fork -> P1\nP0 waitid P_PID -P0 WEXITED\n"), "Invalid");
}

// The orphaned-group scenario: P1 leads a session, its child P2 leads a group of its
// own there and is stopped; when P1 exits, P2 goes to the subreaper P0 in another
// session, so group P2 is orphaned with a stopped member.
constexpr const char* kOrphanPrefix =
    "P0 subreaper 1\nP0 fork -> P1\nP1 setsid\nP1 fork -> P2\nP2 setpgid self same\n";

// _exit: "If the exit of the process causes a process group to become orphaned, and if
// any member of the newly-orphaned process group is stopped, then a SIGHUP signal
// followed by a SIGCONT signal shall be sent to each process in the newly-orphaned
// process group." SIGHUP's default action terminates.
TEST(OrphanedGroup, StoppedMemberWithDefaultSighupDies) {
  ModelRun r = run(std::string(kOrphanPrefix) + "P1 kill P2 SIGSTOP\nP1 _exit 0\n"
                   "P0 waitpid P2 0\n");
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.cites(6, "posix:_exit:ORPHAN_PGRP:1"));
  EXPECT_EQ(r.obs[7], "ret=P2 status=signaled(1)");
  Program program = parse(std::string(kOrphanPrefix) + "P1 kill P2 SIGSTOP\nP1 _exit 0\n");
  StepResult exit = last_step(program);
  ASSERT_EQ(exit.outcomes.size(), 1u);
  EXPECT_EQ(exit.outcomes[0].deaths, std::vector<int>{2});  // the executor waits
}

// A member with handlers records SIGHUP and SIGCONT and is continued (its new parent's
// WCONTINUED wait sees it); one that ignores SIGHUP is continued.
TEST(OrphanedGroup, HandlerRecordsBothAndIgnoredIsContinued) {
  ModelRun r = run(std::string(kOrphanPrefix) +
                   "P2 sigaction SIGHUP handler 0\nP2 sigaction SIGCONT handler 0\n"
                   "P2 fork -> P3\nP1 kill P2 SIGSTOP\nP3 sigaction SIGHUP SIG_IGN 0\n"
                   "P1 _exit 0\nP2 caught\nP0 waitpid P2 WCONTINUED|WNOHANG\nP3 getpid\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[11], "ret=0 caught=SIGHUP,SIGCONT");
  EXPECT_EQ(r.obs[12], "ret=P2 status=continued");
  EXPECT_EQ(r.obs[13], "ret=P3");
}

// No stopped member, no signal: the group is orphaned but nothing is sent.
TEST(OrphanedGroup, WithoutAStoppedMemberNothingIsSent) {
  ModelRun r = run(std::string(kOrphanPrefix) + "P1 _exit 0\nP2 getpid\n");
  ASSERT_TRUE(r.ok);
  EXPECT_FALSE(r.cites(5, "posix:_exit:ORPHAN_PGRP:1"));
  EXPECT_EQ(r.obs[6], "ret=P2");
}

// XBD 3.254: a group stays connected while a member's parent is in another group of the
// same session: here the subreaper P1 adopts P3, so group P2 is not orphaned when P2 exits.
TEST(OrphanedGroup, AdoptedByASubreaperInTheSameSessionStaysStopped) {
  ModelRun r = run("P0 fork -> P1\nP1 setsid\nP1 subreaper 1\nP1 fork -> P2\n"
                   "P2 setpgid self same\nP2 fork -> P3\nP2 kill P3 SIGSTOP\nP2 _exit 0\n"
                   "P1 waitpid P3 WNOHANG\nP1 waitpid P2 0\n");
  ASSERT_TRUE(r.ok);
  EXPECT_FALSE(r.cites(7, "posix:_exit:ORPHAN_PGRP:1"));
  EXPECT_EQ(r.obs[8], "ret=0");
  EXPECT_EQ(r.obs[9], "ret=P2 status=exited(0)");
}

// The exiting process's own group: P2 was group P2's only connection (its parent P1 is in
// group P1 of the same session); P3 goes to the reaper, in another session.
TEST(OrphanedGroup, ExitOfTheLastConnectionOrphansItsOwnGroup) {
  ModelRun r = run("P0 fork -> P1\nP1 setsid\nP1 fork -> P2\nP2 setpgid self same\n"
                   "P2 fork -> P3\nP2 kill P3 SIGSTOP\nP2 _exit 0\n");
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.cites(6, "posix:_exit:ORPHAN_PGRP:1"));
}

// Found by pgrp_orphans on 6.18 (the model first compared orphaned groups before and after
// the exit): P2's exit leaves group P2 with no live connection (its zombie does not count,
// kernel/exit.c will_become_orphaned_pgrp), but P1's exit, reparenting the zombie P2 that
// was the group's tie to P1, is what orphans it for kill_orphaned_pgrp (and for POSIX, a
// zombie being a member): the stopped P4 and P3 get SIGHUP.
TEST(OrphanedGroup, ReparentedZombieChildOrphansItsGroup) {
  Program program = parse("P0 fork -> P1\nP1 setsid\nP1 fork -> P2\nP1 setpgid P2 same\n"
                          "P2 fork -> P3\nP2 _exit 0\nP3 fork -> P4\nP3 kill P4 SIGSTOP\n"
                          "P1 _exit 0\n");
  ModelRun r = run(program);
  ASSERT_TRUE(r.ok);
  EXPECT_FALSE(r.cites(5, "posix:_exit:ORPHAN_PGRP:1"));  // nothing stopped yet
  EXPECT_TRUE(r.cites(8, "posix:_exit:ORPHAN_PGRP:1"));
  StepResult exit = last_step(program);
  ASSERT_EQ(exit.outcomes.size(), 1u);
  EXPECT_EQ(exit.outcomes[0].deaths, (std::vector<int>{3, 4}));
}

}  // namespace
}  // namespace fc::oracle::testing
