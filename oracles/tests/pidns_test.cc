// P0 as the init of a pid namespace (issue 4, pidns): getpid/getppid, orphans
// reparented to P0, signals from inside the namespace, the death of the init.
// Each test builds its program by hand and quotes the sentence it checks.
#include <gtest/gtest.h>

#include "oracles/tests/oracle_test_util.h"

namespace fc::oracle::testing {
namespace {

// getpid(2) NOTES: "If the caller's parent is in a different PID namespace (see
// pid_namespaces(7)), getppid() returns 0."; the init's children see it as their parent.
TEST(Pidns, InitsParentIsOutsideChildrensParentIsTheInit) {
  ModelRun r = run("pidns\nP0 getpid\nP0 getppid\nP0 fork -> P1\nP1 getppid\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[0], "ret=P0");
  EXPECT_TRUE(r.cites(0, "man:pid_namespaces:PID1:1"));
  EXPECT_EQ(r.obs[1], "ret=0");
  EXPECT_TRUE(r.cites(1, "man:getppid:NS:1"));
  EXPECT_EQ(r.obs[3], "ret=P0");
  // Without the directive P0's parent is the run's reaper.
  EXPECT_EQ(run("P0 getppid\n").obs[0], "ret=REAPER");
}

// pid_namespaces(7): "A child process that is orphaned within the namespace will be
// reparented to this process rather than init(1)"; the init reaps nothing by itself.
TEST(Pidns, OrphansGoToTheInitAndStayZombiesUntilItWaits) {
  const char* text =
      "pidns\nP0 fork -> P1\nP1 fork -> P2\nP1 _exit 1\nP0 waitpid P1 0\nP2 getppid\n"
      "P2 _exit 7\nP0 kill P2 0\nP0 waitpid P2 0\nP0 waitpid any WNOHANG\n";
  ModelRun r = run(text);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[4], "ret=P0");
  EXPECT_TRUE(r.cites(2, "man:pid_namespaces:ORPHANS:1"));
  EXPECT_EQ(r.obs[6], "ret=0");
  EXPECT_EQ(r.obs[7], "ret=P2 status=exited(7)");
  EXPECT_EQ(r.obs[8], "ret=-1 errno=ECHILD");
  // Outside a namespace the orphan is the reaper's, and P0 cannot wait for it.
  Program plain = parse(text);
  plain.pidns = false;
  plain.steps.resize(5);
  EXPECT_EQ(run(plain).obs[4], "ret=REAPER");
}

// The planted bug hands the orphans to the reaper outside: their parent is then outside
// the namespace, so getppid would be 0 (and P0 could not wait for them).
TEST(Pidns, PlantedBugSendsOrphansToTheReaper) {
  Profile bug;
  bug.planted_bug = Profile::PlantedBug::PidnsOrphansToReaper;
  ModelRun r = run("pidns\nP0 fork -> P1\nP1 fork -> P2\nP1 _exit 1\nP2 getppid\n", bug);
  EXPECT_EQ(r.obs[3], "ret=0");
  EXPECT_EQ(r.state->proc(2).parent, kReaper);
  EXPECT_EQ(run("pidns\nP0 fork -> P1\nP1 fork -> P2\nP1 _exit 1\nP2 getppid\n").obs[3],
            "ret=P0");
}

// pid_namespaces(7): orphans go to the init "(unless one of the ancestors of the child in
// the same PID namespace employed the prctl(2) PR_SET_CHILD_SUBREAPER command ...)".
TEST(Pidns, NearerSubreaperWins) {
  ModelRun r = run(
      "pidns\nP0 fork -> P1\nP1 subreaper 1\nP1 fork -> P2\nP2 fork -> P3\nP2 _exit 0\n"
      "P3 getppid\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[5], "ret=P1");
}

// pid_namespaces(7): "Only signals for which the "init" process has established a signal
// handler can be sent to the "init" process by other members of the PID namespace."
TEST(Pidns, InitIgnoresUnhandledSignalsFromInside) {
  ModelRun r = run(
      "pidns\nP0 fork -> P1\nP1 kill P0 SIGTERM\nP1 kill P0 SIGKILL\nP1 kill P0 SIGSTOP\n"
      "P0 getpid\nP0 sigaction SIGUSR1 handler 0\nP1 kill P0 SIGUSR1\nP0 caught\n");
  ASSERT_TRUE(r.ok);
  for (int i : {1, 2, 3}) {
    EXPECT_EQ(r.obs[i], "ret=0");
    EXPECT_TRUE(r.cites(i, "man:pid_namespaces:SIGNALS:1")) << i;
  }
  EXPECT_EQ(r.obs[4], "ret=P0");
  EXPECT_EQ(r.obs[7], "ret=0 caught=SIGUSR1");
  EXPECT_EQ(r.state->proc(0).life, Life::Alive);
  // Without the directive SIGTERM kills P0.
  ModelRun plain = run("P0 fork -> P1\nP1 kill P0 SIGTERM\n");
  EXPECT_NE(plain.state->proc(0).life, Life::Alive);
}

// A blocked signal is kept pending by the init and dropped only when dequeued: refused.
TEST(Pidns, BlockedSignalToTheInitIsNotModelled) {
  EXPECT_EQ(special_of_last("pidns\nP0 sigprocmask SIG_BLOCK SIGUSR1\nP0 fork -> P1\n"
                            "P1 kill P0 SIGUSR1\n"),
            "NotModeled");
}

// pid_namespaces(7): "If the "init" process of a PID namespace terminates, the kernel
// terminates all of the processes in the namespace via a SIGKILL signal."; the dying init
// reaps them (zap_pid_ns_processes), so every actor is gone and none can run a step.
TEST(Pidns, InitsDeathKillsTheNamespace) {
  ModelRun r = run("pidns\nP0 fork -> P1\nP1 fork -> P2\nP2 _exit 3\nP0 _exit 0\n");
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.cites(3, "man:pid_namespaces:INITDIES:1"));
  EXPECT_EQ(r.state->proc(1).life, Life::Reaped);
  EXPECT_EQ(r.state->proc(1).term_sig, FC_SIGKILL);
  EXPECT_EQ(r.state->proc(2).life, Life::Reaped);  // P1's zombie child, reaped by the init
  EXPECT_EQ(special_of_last("pidns\nP0 fork -> P1\nP1 fork -> P2\nP0 _exit 0\nP1 getpid\n"),
            "Invalid");
  // Outside a namespace P1 outlives P0.
  ModelRun plain = run("P0 fork -> P1\nP0 _exit 0\nP1 getppid\n");
  EXPECT_EQ(plain.obs[2], "ret=REAPER");
}

// do_exit() closes the init's descriptors before it kills the namespace: a reader blocked
// on a pipe whose only writer is the init may see EOF before its SIGKILL, or not. Refused.
TEST(Pidns, InitsDeathWithABlockedStepIsNotModelled) {
  EXPECT_EQ(special_of_last("pidns\nP0 pipe\nP0 fork -> P1\nP1 close 4\nP1 read 3 4\n"
                            "P0 _exit 0\n"),
            "NotModeled");
}

}  // namespace
}  // namespace fc::oracle::testing
