// The libc layer of the model (issue 3): pthread_atfork handlers, _Fork,
// vfork, and stdio buffers across fork, exit, _exit and exec.
#include <gtest/gtest.h>

#include "oracles/tests/oracle_test_util.h"

namespace fc::oracle::testing {
namespace {

// "The parent and child fork handlers shall be called in the order in which
// they were established by calls to pthread_atfork(). The prepare fork
// handlers shall be called in the opposite order." - POSIX pthread_atfork
TEST(Atfork, PrepareReversedParentAndChildInRegistrationOrder) {
  ModelRun r = run(
      "P0 atfork 0 prepare|parent|child\nP0 atfork 1 prepare|parent|child\n"
      "P0 fork -> P1\nP0 atfork_log\nP1 atfork_log\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[3], "ret=0 log=prepare1,prepare0,parent0,parent1");
  // The prepare handlers ran before the fork: the child's copy has them.
  EXPECT_EQ(r.obs[4], "ret=0 log=prepare1,prepare0,child0,child1");
  EXPECT_TRUE(r.cites(2, "posix:pthread_atfork:ORDER:1"));
}

// "If no handling is desired at one or more of these three points, the
// corresponding fork handler address(es) may be set to NULL."
TEST(Atfork, NullHandlersAreSkipped) {
  ModelRun r = run(
      "P0 atfork 3 child\nP0 atfork 4 0\nP0 atfork 5 prepare\n"
      "P0 fork -> P1\nP0 atfork_log\nP1 atfork_log\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[0], "ret=0");
  EXPECT_EQ(r.obs[4], "ret=0 log=prepare5");
  EXPECT_EQ(r.obs[5], "ret=0 log=prepare5,child3");
}

// _Fork "shall be equivalent to fork(), except that fork handlers ... shall
// not be called"; vfork(2) NOTES: fork handlers "are not called"; a raw
// clone is no libc fork.
TEST(Atfork, NotRunForUnderscoreForkVforkOrRawClone) {
  ModelRun r = run(
      "P0 atfork 0 prepare|parent|child\nP0 _Fork -> P1\nP0 vfork_exit\nP0 clone 0 SIGCHLD\n"
      "P0 atfork_log\nP1 atfork_log\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[1], "ret=P1 child=0");
  EXPECT_EQ(r.obs[2], "ret=new status=exited(0)");
  EXPECT_EQ(r.obs[4], "ret=0 log=-");
  EXPECT_EQ(r.obs[5], "ret=0 log=-");
  EXPECT_TRUE(r.cites(1, "posix:_Fork:HANDLERS:1"));
}

// The handler table is copied by fork (it runs again for the child's own
// fork); exec replaces the image, handlers and log included.
TEST(Atfork, InheritedByForkGoneAfterExec) {
  ModelRun r = run(
      "P0 atfork 0 prepare|parent|child\nP0 fork -> P1\nP1 fork -> P2\nP1 atfork_log\n"
      "P1 exec\nP1 atfork_log\nP1 fork -> P3\nP1 atfork_log\nP3 atfork_log\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[3], "ret=0 log=prepare0,child0,prepare0,parent0");
  EXPECT_EQ(r.obs[5], "ret=0 log=-");
  EXPECT_EQ(r.obs[7], "ret=0 log=-");
  EXPECT_EQ(r.obs[8], "ret=0 log=-");
}

TEST(Atfork, RefusesIdsOutOfRange) {
  EXPECT_EQ(special_of_last("P0 atfork 8 prepare\n"), "Invalid");
}

// vfork with SIGCHLD caught is outside what the op models (the executor's
// waitpid would meet signal.cc's rules).
TEST(Atfork, VforkWithSigchldCaughtIsNotModelled) {
  EXPECT_EQ(special_of_last("P0 sigaction SIGCHLD handler 0\nP0 vfork_exit\n"), "NotModeled");
}

// fork copies the unflushed buffer; exit "shall then flush all open streams
// with unwritten buffered data": the bytes reach the file twice.
TEST(Stdio, ForkDuplicatesTheBufferExitFlushesIt) {
  ModelRun r = run(
      "P0 fopen f0\nP0 fputs f0 \"ab\"\nP0 fork -> P1\nP1 exit 0\nP0 wait\nP0 fflush f0\n"
      "P0 open f0 O_RDONLY\nP0 read 4 16\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[0], "ret=3");
  EXPECT_EQ(r.obs[1], "ret=ok");
  EXPECT_EQ(r.obs[5], "ret=0");
  EXPECT_EQ(r.obs[7], "ret=4 data=\"abab\"");
  EXPECT_TRUE(r.cites(3, "posix:exit:FLUSH:1"));
}

// _exit: "Open streams shall not be flushed."; exec discards the image's
// buffers but keeps the stream's descriptor (no FD_CLOEXEC).
TEST(Stdio, UnderscoreExitAndExecDiscardTheBuffer) {
  ModelRun r = run(
      "P0 fopen f1\nP0 fputs f1 \"c\"\nP0 fork -> P1\nP1 _exit 0\nP0 fork -> P2\nP2 exec\n"
      "P2 exit 0\nP0 open f1 O_RDONLY\nP0 read 4 16\n");
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.cites(3, "posix:_exit:STREAMS:1"));
  EXPECT_EQ(r.obs[5], "fds=0:null:rw:0,1:null:rw:0,2:null:rw:0,3:f1:w:0");
  EXPECT_EQ(r.obs[8], "ret=0 data=\"\"");
}

// The planted bug: a model whose _exit flushes is wrong exactly here.
TEST(Stdio, PlantedUExitFlushesChangesTheFile) {
  Profile bug;
  bug.planted_bug = Profile::PlantedBug::UExitFlushesStdio;
  const char* fcp =
      "P0 fopen f1\nP0 fputs f1 \"c\"\nP0 fork -> P1\nP1 _exit 0\nP0 open f1 O_RDONLY\n"
      "P0 read 4 16\n";
  EXPECT_EQ(run(fcp).obs[5], "ret=0 data=\"\"");
  EXPECT_EQ(run(fcp, bug).obs[5], "ret=1 data=\"c\"");
}

// fflush writes at the offset of the shared open file description.
TEST(Stdio, FflushWritesAtTheSharedOffset) {
  ModelRun r = run(
      "P0 fopen f2\nP0 fork -> P1\nP0 fputs f2 \"1\"\nP0 fflush f2\nP1 fputs f2 \"22\"\n"
      "P1 fflush f2\nP0 lseek 3 0 SEEK_CUR\nP0 open f2 O_RDONLY\nP0 read 4 16\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[6], "ret=3");
  EXPECT_EQ(r.obs[8], "ret=3 data=\"122\"");
}

TEST(Stdio, StreamsAreNamedByFileAndRefusedWithoutOne) {
  EXPECT_EQ(special_of_last("P0 fputs f0 \"a\"\n"), "Invalid");
  EXPECT_EQ(special_of_last("P0 fopen f0\nP0 fopen f0\n"), "Invalid");
  // exec ends the image's streams: fflush has none to flush.
  EXPECT_EQ(special_of_last("P0 fopen f0\nP0 exec\nP0 fflush f0\n"), "Invalid");
}

// A stream whose descriptor was closed behind its back is not modelled.
TEST(Stdio, FlushThroughAClosedDescriptorIsNotModelled) {
  EXPECT_EQ(special_of_last("P0 fopen f0\nP0 fputs f0 \"a\"\nP0 close 3\nP0 fflush f0\n"),
            "NotModeled");
}

// posix_spawn: the caller's descriptors "as modified by the spawn file
// actions" and then FD_CLOEXEC; adddup2(fd, fd) clears FD_CLOEXEC
// (POSIX.1-2024); SETSIGMASK sets the new image's mask.
TEST(Spawn, FileActionsThenCloseOnExec) {
  ModelRun r = run(
      "P0 open f2 O_RDWR|O_CREAT|O_CLOEXEC\nP0 open f3 O_RDWR|O_CREAT\n"
      "P0 posix_spawn adddup2_self 3 0 -> P1\nP0 posix_spawn addclose 4 0 -> P2\n"
      "P0 posix_spawn adddup2_0 4 SETSIGMASK -> P3\nP0 posix_spawn addopen 7 0 -> P4\n"
      "P1 getppid\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.obs[2], "ret=P1 fds=0:null:rw:0,1:null:rw:0,2:null:rw:0,3:f2:rw:0,4:f3:rw:0 mask=-");
  EXPECT_EQ(r.obs[3], "ret=P2 fds=0:null:rw:0,1:null:rw:0,2:null:rw:0 mask=-");
  EXPECT_EQ(r.obs[4],
            "ret=P3 fds=0:f3:rw:0,1:null:rw:0,2:null:rw:0,4:f3:rw:0 mask=SIGUSR2");
  EXPECT_EQ(r.obs[5], "ret=P4 fds=0:null:rw:0,1:null:rw:0,2:null:rw:0,4:f3:rw:0,7:f1:rw:0 mask=-");
  EXPECT_EQ(r.obs[6], "ret=P0");
  EXPECT_TRUE(r.cites(2, "posix:spawn_adddup2:SAME:1"));
}

TEST(Spawn, PlantedDup2SelfKeepsCloexecLosesTheDescriptor) {
  Profile bug;
  bug.planted_bug = Profile::PlantedBug::SpawnDup2SelfKeepsCloexec;
  ModelRun r = run("P0 open f2 O_RDWR|O_CREAT|O_CLOEXEC\nP0 posix_spawn adddup2_self 3 0 -> P1\n",
                   bug);
  EXPECT_EQ(r.obs[1], "ret=P1 fds=0:null:rw:0,1:null:rw:0,2:null:rw:0 mask=-");
}

// "an error value shall be returned ... (or, if the error occurs after the
// calling process successfully returns, the child process shall exit with
// exit status 127)": both are allowed, ENOENT for a missing binary, EACCES
// for one without execute permission.
TEST(Spawn, BinaryThatCannotRunIsAnErrorOrAChildExiting127) {
  EXPECT_EQ(allowed_last("P0 posix_spawn none 0 bin_f0 -> P1\n"),
            (std::set<std::string>{"ret=-1 errno=ENOENT", "ret=P1 report=none"}));
  EXPECT_EQ(allowed_last("P0 open f0 O_WRONLY|O_CREAT\nP0 posix_spawn none 0 bin_f0 -> P1\n"),
            (std::set<std::string>{"ret=-1 errno=EACCES", "ret=P1 report=none"}));
}

// "It is implementation-defined whether the fork handlers are run when
// posix_spawn() ... is called."
TEST(Spawn, ForkHandlersMayOrMayNotRun) {
  const char* fcp =
      "P0 atfork 0 prepare|parent|child\nP0 posix_spawn none 0 0 -> P1\n";
  StepResult r = last_step(fcp);
  ASSERT_EQ(r.outcomes.size(), 2u);
  EXPECT_EQ(r.outcomes[0].next->proc(0).atfork_log, "");
  EXPECT_EQ(r.outcomes[1].next->proc(0).atfork_log, std::string("\x10\x20", 2));
  EXPECT_TRUE(r.outcomes[1].next->proc(1).atfork.empty());
}

TEST(Spawn, FileActionOnAClosedDescriptorIsNotModelled) {
  EXPECT_EQ(special_of_last("P0 posix_spawn addclose 9 0 -> P1\n"), "NotModeled");
}

// posix:posix_spawn:SETSIGMASK:1 the child starts with the spawn-sigmask
// ({SIGUSR2} here); a signal it blocks stays pending (posix:signal:BLOCKED:1,
// signal.cc) instead of killing it.
TEST(Spawn, SignalBlockedBySpawnSigmaskStaysPending) {
  const std::set<std::string> allowed = allowed_last(
      "P0 posix_spawn none 0 SETSIGMASK -> P1\nP0 kill P1 SIGUSR2\nP1 sigpending\n");
  ASSERT_EQ(allowed.size(), 1u);
  EXPECT_NE(allowed.begin()->find("pending=SIGUSR2"), std::string::npos) << *allowed.begin();
}

}  // namespace
}  // namespace fc::oracle::testing
