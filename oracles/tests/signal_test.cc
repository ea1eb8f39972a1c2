// The signal area of the model (issue 4): kill, sigaction, the recording
// handler, death by signal, stop and continue as wait reports, SIGCHLD and
// auto-reaping, signals across fork and exec. Each test states one behaviour
// and quotes the sentence it checks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "oracles/tests/oracle_test_util.h"

namespace fc::oracle::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

// "WIFSIGNALED(stat_val) Evaluates to a non-zero value if status was returned for a child
// process that terminated due to the receipt of a signal that was not caught" - POSIX wait;
// core(5): no core file when the process is not dumpable.
TEST(Kill, DefaultActionTerminatesAndWaitReportsTheSignalWithoutCore) {
  ModelRun r = run("P0 fork -> P1\nP0 kill P1 SIGQUIT\nP0 waitpid P1 0\n");
  EXPECT_EQ(r.obs[1], "ret=0");
  EXPECT_EQ(r.obs[2], "ret=P1 status=signaled(3)");
  EXPECT_TRUE(r.cites(2, "man:core:NODUMP:1"));
}

// "CLD_KILLED Child has terminated abnormally and did not create a core file." - <signal.h>
TEST(Kill, WaitidReportsCldKilledWithTheSignal) {
  ModelRun r = run("P0 fork -> P1\nP0 kill P1 SIGKILL\nP0 waitid P_PID P1 WEXITED\n");
  EXPECT_EQ(r.obs[2], "ret=0 si_pid=P1 si_code=CLD_KILLED si_status=9");
}

// "[ESRCH] No process or process group can be found corresponding to that specified by
// pid." - POSIX kill; a zombie still exists (RATIONALE).
TEST(Kill, ZombieIsFoundReapedIsNot) {
  ModelRun r = run("P0 fork -> P1\nP1 _exit 0\nP0 kill P1 SIGTERM\nP0 wait\nP0 kill P1 0\n");
  EXPECT_EQ(r.obs[2], "ret=0");
  EXPECT_EQ(r.obs[4], "ret=-1 errno=ESRCH");
}

// The run's reaper collects its children asynchronously: a kill may still find one.
TEST(Kill, ChildOfTheReaperMayStillBeAZombie) {
  EXPECT_EQ(allowed_last("P0 fork -> P1\nP0 _exit 0\nP1 kill P0 SIGUSR1\n"),
            (std::set<std::string>{"ret=0", "ret=-1 errno=ESRCH"}));
}

// "If the value of pid causes sig to be generated for the sending process, and if sig is
// not blocked ... at least one pending unblocked signal shall be delivered to the sending
// thread before kill() returns." - POSIX kill
TEST(Kill, SignalToSelfIsHandledBeforeKillReturns) {
  ModelRun r = run("P0 sigaction SIGUSR1 handler 0\nP0 kill P0 SIGUSR1\nP0 caught\n");
  EXPECT_EQ(r.obs[2], "ret=0 caught=SIGUSR1");
  EXPECT_TRUE(r.cites(1, "posix:kill:SELF:1"));
}

// "SIG_IGN ... Delivery of the signal shall have no effect on the process." - POSIX 2.4.3
TEST(Kill, IgnoredSignalHasNoEffect) {
  ModelRun r = run("P0 fork -> P1\nP1 sigaction SIGTERM SIG_IGN 0\nP0 kill P1 SIGTERM\n"
                   "P1 getpid\n");
  EXPECT_EQ(r.obs[3], "ret=P1");
}

// "WUNTRACED The status of any child processes specified by pid that are stopped, and
// whose status has not yet been reported since they stopped, shall also be reported" and
// WCONTINUED likewise - POSIX waitpid. Reported once; WNOWAIT keeps it.
TEST(Kill, StopAndContinueAreReportedOnce) {
  ModelRun r = run(
      "P0 fork -> P1\nP0 kill P1 SIGSTOP\nP0 waitid P_PID P1 WSTOPPED|WNOWAIT\n"
      "P0 waitpid P1 WUNTRACED\nP0 waitpid P1 WUNTRACED|WNOHANG\nP0 kill P1 SIGCONT\n"
      "P0 waitpid P1 WCONTINUED\nP0 waitid P_ALL any WCONTINUED|WNOHANG\n");
  EXPECT_EQ(r.obs[2], "ret=0 si_pid=P1 si_code=CLD_STOPPED si_status=19");
  EXPECT_EQ(r.obs[3], "ret=P1 status=stopped(19)");
  EXPECT_EQ(r.obs[4], "ret=0");
  EXPECT_EQ(r.obs[6], "ret=P1 status=continued");
  EXPECT_EQ(r.obs[7], "ret=0 si_pid=0");
}

// A stopped process runs nothing: the model refuses its steps.
TEST(Kill, StoppedActorCannotRunSteps) {
  EXPECT_EQ(special_of_last("P0 fork -> P1\nP0 kill P1 SIGSTOP\nP1 getpid\n"), "Invalid");
}

// Linux: waitid without WEXITED counts no zombie as something to wait for.
TEST(Wait, WaitidStoppedOnlyWithOnlyZombiesFailsOnLinux) {
  const char* fcp = "P0 fork -> P1\nP1 _exit 0\nP0 waitid P_ALL any WSTOPPED|WNOHANG\n";
  EXPECT_EQ(allowed_last(fcp), (std::set<std::string>{"ret=-1 errno=ECHILD"}));
  Profile posix;
  posix.wait_zombies_need_wexited = false;
  EXPECT_EQ(allowed_last(fcp, posix), (std::set<std::string>{"ret=0 si_pid=0"}));
}

// "[EINVAL] ... an attempt is made to catch a signal that cannot be caught or ignore a
// signal that cannot be ignored." - POSIX sigaction
TEST(Sigaction, KillAndStopCannotBeCaughtOrIgnored) {
  EXPECT_EQ(allowed_last("P0 sigaction SIGKILL SIG_IGN 0\n"),
            (std::set<std::string>{"ret=-1 errno=EINVAL"}));
  EXPECT_EQ(allowed_last("P0 sigaction SIGSTOP handler 0\n"),
            (std::set<std::string>{"ret=-1 errno=EINVAL"}));
}

// "If the action for the SIGCHLD signal is set to SIG_IGN, child processes of the calling
// processes shall not be transformed into zombie processes" and wait "shall block until
// all of the children ... terminate, and ... fail and set errno to [ECHILD]".
TEST(Sigchld, IgnoredMeansAutoReapAndWaitFailsWhenAllAreGone) {
  ModelRun r = run("P0 sigaction SIGCHLD SIG_IGN 0\nP0 fork -> P1\nP0 fork -> P2\n"
                   "P1 _exit 1\nP0 wait\nP2 _exit 2\n");
  EXPECT_EQ(r.obs[4], "ret=-1 errno=ECHILD");
  EXPECT_EQ(r.completed_by[4], 5);
}

// Existing zombies stay waitable after SIGCHLD is set to SIG_IGN.
TEST(Sigchld, ZombiesBeforeIgnoringStayWaitable) {
  ModelRun r = run("P0 fork -> P1\nP1 _exit 7\nP0 sigaction SIGCHLD SIG_IGN 0\nP0 wait\n");
  EXPECT_EQ(r.obs[3], "ret=P1 status=exited(7)");
}

// "SA_NOCLDSTOP Do not generate SIGCHLD when children stop or stopped children continue."
TEST(Sigchld, NoCldStopSuppressesStopAndContinueButNotExit) {
  ModelRun r = run("P0 sigaction SIGCHLD handler SA_NOCLDSTOP\nP0 fork -> P1\n"
                   "P0 kill P1 SIGSTOP\nP0 kill P1 SIGCONT\nP0 caught\nP1 _exit 0\nP0 caught\n");
  EXPECT_EQ(r.obs[4], "ret=0 caught=-");
  EXPECT_EQ(r.obs[6], "ret=0 caught=SIGCHLD");
}

// "SA_NOCLDWAIT ... child processes of the calling processes shall not be transformed into
// zombie processes"; the handler still runs (SIGCHLD is not ignored).
TEST(Sigchld, NoCldWaitAutoReapsAndStillSignals) {
  ModelRun r = run("P0 sigaction SIGCHLD handler SA_NOCLDWAIT\nP0 fork -> P1\nP1 _exit 0\n"
                   "P0 caught\nP0 waitpid any WNOHANG\n");
  EXPECT_EQ(r.obs[3], "ret=0 caught=SIGCHLD");
  EXPECT_EQ(r.obs[4], "ret=-1 errno=ECHILD");
}

// signal(7): "A child created via fork(2) inherits a copy of its parent's signal
// dispositions".
TEST(Fork, ChildInheritsDispositionsAndHandlerMemory) {
  ModelRun r = run("P0 sigaction SIGUSR1 handler 0\nP0 kill P0 SIGUSR1\nP0 fork -> P1\n"
                   "P1 caught\nP0 kill P1 SIGUSR1\nP1 getpid\n");
  EXPECT_EQ(r.obs[3], "ret=0 caught=SIGUSR1");
  EXPECT_EQ(r.obs[5], "ret=P1");
}

// "Signals set to be caught by the calling process image shall be set to the default
// action in the new process image." / "signals set to be ignored ... shall be set to be
// ignored" - POSIX exec
TEST(Exec, CaughtBecomesDefaultIgnoredStaysIgnored) {
  ModelRun r = run("P0 fork -> P1\nP1 sigaction SIGUSR1 handler 0\nP1 sigaction SIGUSR2 "
                   "SIG_IGN 0\nP1 exec\nP0 kill P1 SIGUSR2\nP1 caught\nP0 kill P1 SIGUSR1\n"
                   "P0 waitpid P1 0\n");
  EXPECT_EQ(r.obs[5], "ret=0 caught=-");
  EXPECT_EQ(r.obs[7], "ret=P1 status=signaled(10)");
}

// "Whether the SIGCHLD signal is set to be ignored or to the default action in the new
// process image is unspecified." - POSIX exec: both states are followed.
TEST(Exec, IgnoredSigchldMayBeResetEitherWay) {
  StepResult r = last_step("P0 sigaction SIGCHLD SIG_IGN 0\nP0 exec\n");
  ASSERT_EQ(r.outcomes.size(), 2u);
  EXPECT_NE(*r.outcomes[0].next, *r.outcomes[1].next);
}

// prctl(2): "that process will be reparented to the nearest still living ancestor
// subreaper. Subsequently, calls to getppid(2) in the orphaned process will now return the
// PID of the subreaper process".
TEST(Subreaper, OrphanGoesToTheNearestLivingSubreaperAncestor) {
  ModelRun r = run("P0 subreaper 1\nP0 fork -> P1\nP1 subreaper 1\nP1 fork -> P2\n"
                   "P2 fork -> P3\nP2 _exit 0\nP3 getppid\nP1 _exit 0\nP3 getppid\n");
  EXPECT_EQ(r.obs[6], "ret=P1");
  EXPECT_EQ(r.obs[8], "ret=P0");
}

// "The setting of the "child subreaper" attribute is not inherited by children created by
// fork(2)".
TEST(Subreaper, NotInheritedByFork) {
  // Were P1 a subreaper by inheritance, P2's orphan would go to P1, not P0.
  ModelRun r = run("P0 subreaper 1\nP0 fork -> P1\nP1 fork -> P2\nP2 fork -> P3\nP2 _exit 0\n"
                   "P3 getppid\nP0 subreaper 0\nP1 fork -> P4\nP4 fork -> P5\nP4 _exit 0\n"
                   "P5 getppid\n");
  EXPECT_EQ(r.obs[5], "ret=P0");
  EXPECT_EQ(r.obs[10], "ret=REAPER");
}

// kernel/exit.c reparent_leader(): an adopted zombie notifies its new parent, which can
// then wait for it; if it ignores SIGCHLD the zombie is reaped at once.
TEST(Subreaper, AdoptedZombieIsWaitableOrAutoReaped) {
  ModelRun r = run("P0 subreaper 1\nP0 fork -> P1\nP1 fork -> P2\nP2 _exit 4\nP1 _exit 0\n"
                   "P0 waitpid P2 0\n");
  EXPECT_EQ(r.obs[5], "ret=P2 status=exited(4)");
  ModelRun ignored = run("P0 subreaper 1\nP0 sigaction SIGCHLD SIG_IGN 0\nP0 fork -> P1\n"
                         "P1 fork -> P2\nP2 _exit 4\nP1 _exit 0\nP0 waitpid any WNOHANG\n");
  EXPECT_EQ(ignored.obs[6], "ret=-1 errno=ECHILD");
}

}  // namespace
}  // namespace fc::oracle::testing
