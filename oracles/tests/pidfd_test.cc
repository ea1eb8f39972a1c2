// The pidfd area of the model and the parent-death signal (issue 4, pidfd): each test
// builds a program by hand and states one rule, quoting the sentence it checks.
#include <gtest/gtest.h>

#include "oracles/tests/oracle_test_util.h"

namespace fc::oracle::testing {
namespace {

// "The file descriptor is returned as the function result; the close-on-exec flag is set
// on the file descriptor." - pidfd_open(2); "PIDFD_NONBLOCK ... Return a nonblocking file
// descriptor."
TEST(PidfdOpen, LowestDescriptorCloseOnExecNonblockOnRequest) {
  ModelRun r = run("P0 fork -> P1\nP0 pidfd_open P1 0\nP0 getfd 3\nP0 pidfd_open P1 O_NONBLOCK\n"
                   "P0 getfl 4\nP0 getfl 3\n");
  EXPECT_EQ(r.obs[1], "ret=3");
  EXPECT_EQ(r.obs[2], "ret=1");
  EXPECT_EQ(r.obs[3], "ret=4");
  EXPECT_EQ(r.obs[4], "ret=rw+nonblock");
  EXPECT_EQ(r.obs[5], "ret=rw");
}

// "EINVAL flags is not valid." "EINVAL pid is not valid." - pidfd_open(2)
TEST(PidfdOpen, BadFlagsAndBadPidsAreEinval) {
  EXPECT_EQ(allowed_last("P0 fork -> P1\nP0 pidfd_open P1 O_CLOEXEC\n"),
            (std::set<std::string>{"ret=-1 errno=EINVAL"}));
  EXPECT_EQ(allowed_last("P0 pidfd_open any 0\n"), (std::set<std::string>{"ret=-1 errno=EINVAL"}));
  EXPECT_EQ(allowed_last("P0 pidfd_open pgrp 0\n"), (std::set<std::string>{"ret=-1 errno=EINVAL"}));
}

// "Even if the child has already terminated by the time of the pidfd_open() call ... the
// returned file descriptor will refer to the resulting zombie process." "ESRCH The
// process specified by pid does not exist." - pidfd_open(2)
TEST(PidfdOpen, ZombieYesReapedNo) {
  ModelRun r = run("P0 fork -> P1\nP1 _exit 0\nP0 pidfd_open P1 0\nP0 wait\nP0 pidfd_open P1 0\n");
  EXPECT_EQ(r.obs[2], "ret=3");
  EXPECT_TRUE(r.cites(2, "man:pidfd_open:ZOMBIE:1"));
  EXPECT_EQ(r.obs[4], "ret=-1 errno=ESRCH");
}

// The run's reaper collects its children asynchronously: one may still be a zombie.
TEST(PidfdOpen, ChildOfTheReaperMayStillBeAZombie) {
  EXPECT_EQ(allowed_last("P0 fork -> P1\nP0 _exit 0\nP1 pidfd_open P0 0\n"),
            (std::set<std::string>{"ret=3", "ret=-1 errno=ESRCH"}));
}

// "When the process that it refers to terminates, these interfaces indicate the file
// descriptor as readable." - pidfd_open(2); POLLNVAL for a descriptor that is not open.
TEST(PidfdPoll, ReadableOnceExitedAndAfterReap) {
  ModelRun r = run("P0 fork -> P1\nP0 pidfd_open P1 0\nP0 pidfd_poll 3\nP1 _exit 0\n"
                   "P0 pidfd_poll 3\nP0 wait\nP0 pidfd_poll 3\nP0 pidfd_poll 9\n");
  EXPECT_EQ(r.obs[2], "ret=0 revents=0");
  EXPECT_EQ(r.obs[4], "ret=1 revents=IN");
  EXPECT_EQ(r.obs[6], "ret=1 revents=IN");
  EXPECT_EQ(r.obs[7], "ret=1 revents=NVAL");
}

// Other descriptors: "Regular files shall always poll TRUE for reading" (POSIX poll),
// /dev/null too (no poll operation: DEFAULT_POLLMASK); a pipe's read end is readable with
// data, and counted (POLLHUP) once no writer is left; a write end without readers is
// counted (POLLERR). POLLHUP and POLLERR are not observed.
TEST(PidfdPoll, OtherDescriptors) {
  ModelRun r = run("P0 pidfd_poll 0\nP0 open f0 O_RDWR|O_CREAT\nP0 pidfd_poll 3\nP0 pipe\n"
                   "P0 pidfd_poll 4\nP0 pidfd_poll 5\nP0 write 5 \"a\"\nP0 pidfd_poll 4\n"
                   "P0 close 5\nP0 read 4 1\nP0 pidfd_poll 4\nP0 pipe\nP0 close 5\nP0 pidfd_poll 6\n");
  EXPECT_EQ(r.obs[0], "ret=1 revents=IN");
  EXPECT_EQ(r.obs[2], "ret=1 revents=IN");
  EXPECT_EQ(r.obs[4], "ret=0 revents=0");
  EXPECT_EQ(r.obs[5], "ret=0 revents=0");
  EXPECT_EQ(r.obs[7], "ret=1 revents=IN");
  EXPECT_EQ(r.obs[10], "ret=1 revents=0");
  EXPECT_EQ(r.obs[13], "ret=1 revents=0");
}

TEST(PidfdPoll, PlantedBugNeverReadable) {
  Profile bug;
  bug.planted_bug = Profile::PlantedBug::PidfdNotReadable;
  ModelRun r = run("P0 fork -> P1\nP0 pidfd_open P1 0\nP1 _exit 0\nP0 pidfd_poll 3\n", bug);
  EXPECT_EQ(r.obs[3], "ret=0 revents=0");
}

// A pidfd is inherited by fork like any descriptor: the child polls the same process.
TEST(PidfdPoll, InheritedByForkRefersToTheSameProcess) {
  ModelRun r = run("P0 fork -> P1\nP0 pidfd_open P1 0\nP0 fork -> P2\nP1 _exit 0\n"
                   "P2 pidfd_poll 3\n");
  EXPECT_EQ(r.obs[4], "ret=1 revents=IN");
}

// "ESRCH The target process does not exist (i.e., it has terminated and been waited on)."
// - pidfd_send_signal(2): a zombie still takes signals (nothing happens); "EBADF pidfd is
// not a valid PID file descriptor."
TEST(PidfdSendSignal, ZombieSucceedsReapedIsEsrchNonPidfdIsEbadf) {
  ModelRun r = run("P0 fork -> P1\nP0 pidfd_open P1 0\nP1 _exit 3\nP0 pidfd_send_signal 3 SIGKILL\n"
                   "P0 waitpid P1 0\nP0 pidfd_send_signal 3 0\nP0 pidfd_send_signal 0 0\n");
  EXPECT_EQ(r.obs[3], "ret=0");
  EXPECT_EQ(r.obs[4], "ret=P1 status=exited(3)");
  EXPECT_EQ(r.obs[5], "ret=-1 errno=ESRCH");
  EXPECT_EQ(r.obs[6], "ret=-1 errno=EBADF");
}

// With info NULL the signal is as one sent by kill(2): a caught one is logged, a fatal
// one kills (and the executor waits for the death).
TEST(PidfdSendSignal, DeliversLikeKill) {
  ModelRun r = run("P0 fork -> P1\nP1 sigaction SIGUSR1 handler 0\nP0 pidfd_open P1 0\n"
                   "P0 pidfd_send_signal 3 SIGUSR1\nP1 caught\nP0 pidfd_send_signal 3 SIGTERM\n"
                   "P0 waitpid P1 0\n");
  EXPECT_EQ(r.obs[4], "ret=0 caught=SIGUSR1");
  EXPECT_EQ(r.obs[6], "ret=P1 status=signaled(15)");
  StepResult kill = last_step("P0 fork -> P1\nP0 pidfd_open P1 0\nP0 pidfd_send_signal 3 SIGKILL\n");
  ASSERT_EQ(kill.outcomes.size(), 1u);
  EXPECT_EQ(kill.outcomes[0].sync, FC_SYNC_DEATH);
}

// "P_PIDFD ... Wait for the child referred to by the PID file descriptor specified in id."
// - wait(2); a process that is not its parent gets ECHILD; a descriptor that is not a
// pidfd EBADF (kernel/pid.c pidfd_get_pid); a negative one EINVAL.
TEST(WaitIdPidfd, WaitsForThatChildOnly) {
  ModelRun r = run("P0 fork -> P1\nP0 fork -> P2\nP0 pidfd_open P1 0\nP2 _exit 5\n"
                   "P0 waitid_pidfd 3 WEXITED|WNOHANG\nP1 _exit 6\nP0 waitid_pidfd 3 WEXITED\n"
                   "P0 waitid_pidfd 3 WEXITED\n");
  EXPECT_EQ(r.obs[4], "ret=0 si_pid=0");
  EXPECT_EQ(r.obs[6], "ret=0 si_pid=P1 si_code=CLD_EXITED si_status=6");
  EXPECT_EQ(r.obs[7], "ret=-1 errno=ECHILD");
  EXPECT_EQ(allowed_last("P0 fork -> P1\nP1 pidfd_open P0 0\nP1 waitid_pidfd 3 WEXITED\n"),
            (std::set<std::string>{"ret=-1 errno=ECHILD"}));
  EXPECT_EQ(allowed_last("P0 waitid_pidfd 1 WEXITED\n"), (std::set<std::string>{"ret=-1 errno=EBADF"}));
  EXPECT_EQ(allowed_last("P0 waitid_pidfd -1 WEXITED\n"),
            (std::set<std::string>{"ret=-1 errno=EINVAL"}));
}

// A blocking waitid(P_PIDFD) returns when that child exits.
TEST(WaitIdPidfd, BlocksUntilTheChildExits) {
  ModelRun r = run("P0 fork -> P1\nP0 pidfd_open P1 0\nP0 waitid_pidfd 3 WEXITED\nP1 _exit 2\n");
  EXPECT_EQ(r.completed_by[2], 3);
  EXPECT_EQ(r.obs[2], "ret=0 si_pid=P1 si_code=CLD_EXITED si_status=2");
}

// "If the process referred to by the file descriptor has not yet terminated, then an
// attempt to wait on the file descriptor using waitid(2) will immediately return the
// error EAGAIN rather than blocking." - pidfd_open(2) PIDFD_NONBLOCK
TEST(WaitIdPidfd, NonblockingPidfdIsEagainNotBlocked) {
  ModelRun r = run("P0 fork -> P1\nP0 pidfd_open P1 O_NONBLOCK\nP0 waitid_pidfd 3 WEXITED\n"
                   "P0 waitid_pidfd 3 WEXITED|WNOHANG\nP1 _exit 1\nP0 waitid_pidfd 3 WEXITED\n");
  EXPECT_EQ(r.obs[2], "ret=-1 errno=EAGAIN");
  EXPECT_EQ(r.obs[3], "ret=0 si_pid=0");
  EXPECT_EQ(r.obs[5], "ret=0 si_pid=P1 si_code=CLD_EXITED si_status=1");
}

// A pidfd has no read, write or llseek: read(2)/write(2) "EINVAL fd is attached to an
// object which is unsuitable for ..."; lseek ESPIPE. Exec closes it (close-on-exec) unless
// FD_CLOEXEC was cleared; then the new image reports it.
TEST(Pidfd, OtherDescriptorOpsAndExec) {
  ModelRun r = run("P0 fork -> P1\nP0 pidfd_open P1 0\nP0 read 3 0\nP0 write 3 \"x\"\n"
                   "P0 lseek 3 0 SEEK_SET\nP0 dup 3\nP0 exec\n");
  EXPECT_EQ(r.obs[2], "ret=-1 errno=EINVAL");
  EXPECT_EQ(r.obs[3], "ret=-1 errno=EINVAL");
  EXPECT_EQ(r.obs[4], "ret=-1 errno=ESPIPE");
  EXPECT_EQ(r.obs[6], "fds=0:null:rw:0,1:null:rw:0,2:null:rw:0,4:pidfd:P1:rw:-");
}

// PR_SET_PDEATHSIG(2const): "The parent-death signal setting is cleared for the child of
// a fork(2)"; "otherwise, this value is preserved across execve(2)".
TEST(Pdeathsig, ClearedByForkKeptByExec) {
  ModelRun r = run("P0 set_pdeathsig SIGUSR1\nP0 get_pdeathsig\nP0 fork -> P1\nP1 get_pdeathsig\n"
                   "P0 exec\nP0 get_pdeathsig\n");
  EXPECT_EQ(r.obs[1], "ret=0 sig=SIGUSR1");
  EXPECT_EQ(r.obs[3], "ret=0 sig=0");
  EXPECT_EQ(r.obs[5], "ret=0 sig=SIGUSR1");
  Profile bug;
  bug.planted_bug = Profile::PlantedBug::PdeathsigInherited;
  EXPECT_EQ(run("P0 set_pdeathsig SIGUSR1\nP0 fork -> P1\nP1 get_pdeathsig\n", bug).obs[2],
            "ret=0 sig=SIGUSR1");
}

// "This is the signal that the calling process will get when its parent dies." The child
// is reparented first (kernel/exit.c forget_original_parent): its getppid names the new
// parent. A fatal one kills it; the step lists the death for the executor to wait for.
TEST(Pdeathsig, SentWhenTheParentDiesAfterReparenting) {
  ModelRun r = run("P0 fork -> P1\nP1 fork -> P2\nP1 fork -> P3\nP2 sigaction SIGUSR1 handler 0\n"
                   "P2 set_pdeathsig SIGUSR1\nP3 set_pdeathsig SIGKILL\nP0 pidfd_open P3 0\n"
                   "P1 _exit 0\nP2 getppid\nP2 caught\nP0 pidfd_poll 3\n");
  EXPECT_EQ(r.obs[8], "ret=REAPER");
  EXPECT_EQ(r.obs[9], "ret=0 caught=SIGUSR1");
  EXPECT_EQ(r.obs[10], "ret=1 revents=IN");
  StepResult exit = last_step("P0 fork -> P1\nP1 fork -> P2\nP2 set_pdeathsig SIGKILL\nP1 _exit 0\n");
  ASSERT_EQ(exit.outcomes.size(), 1u);
  EXPECT_EQ(exit.outcomes[0].deaths, (std::vector<int>{2}));
  EXPECT_EQ(exit.outcomes[0].sync, FC_SYNC_NONE);
}

// "... and also upon termination of each subreaper process ... to which the caller is
// subsequently reparented." Killed orphans are collected by their new parent.
TEST(Pdeathsig, SentAgainWhenTheAdoptiveSubreaperDies) {
  ModelRun r = run("P0 fork -> P1\nP1 subreaper 1\nP1 fork -> P2\nP2 fork -> P3\nP2 fork -> P4\n"
                   "P3 sigaction SIGHUP handler 0\nP3 sigaction SIGUSR2 handler 0\n"
                   "P3 set_pdeathsig SIGHUP\nP4 set_pdeathsig SIGTERM\nP2 _exit 0\nP3 caught\n"
                   "P3 set_pdeathsig SIGUSR2\nP1 waitpid P4 0\nP1 _exit 0\nP3 caught\n");
  EXPECT_EQ(r.obs[10], "ret=0 caught=SIGHUP");
  EXPECT_EQ(r.obs[12], "ret=P4 status=signaled(15)");
  EXPECT_EQ(r.obs[14], "ret=0 caught=SIGHUP,SIGUSR2");
}

// An ignored parent-death signal (or one whose default is to ignore) does nothing.
TEST(Pdeathsig, IgnoredDoesNothing) {
  ModelRun r = run("P0 fork -> P1\nP1 fork -> P2\nP2 set_pdeathsig SIGCHLD\nP1 fork -> P3\n"
                   "P3 sigaction SIGTERM SIG_IGN 0\nP3 set_pdeathsig SIGTERM\nP1 _exit 0\n"
                   "P2 getpid\nP3 getpid\n");
  EXPECT_EQ(r.obs[7], "ret=P2");
  EXPECT_EQ(r.obs[8], "ret=P3");
}

}  // namespace
}  // namespace fc::oracle::testing
