// The exec area of the model: which descriptors survive, what they report.
#include <gtest/gtest.h>

#include "oracles/tests/oracle_test_util.h"

namespace fc::oracle::testing {
namespace {

// The initial descriptors: one /dev/null description, O_RDWR, offset 0.
TEST(Exec, ReportsTheInitialNullDescriptors) {
  ModelRun r = run("P0 exec\n");
  EXPECT_EQ(r.obs[0], "fds=0:null:rw:0,1:null:rw:0,2:null:rw:0");
}

// "File descriptors open in the calling process image shall remain open in
// the new process image, except for those whose close-on-exec flag
// FD_CLOEXEC is set." - POSIX exec
TEST(Exec, ClosesDescriptorsWithFdCloexec) {
  ModelRun r = run("P0 pipe2 O_CLOEXEC\nP0 dup 3\nP0 exec\nP0 getfd 3\n");
  EXPECT_EQ(r.obs[2], "fds=0:null:rw:0,1:null:rw:0,2:null:rw:0,5:pipe@0:r:-");
  EXPECT_EQ(r.obs[3], "ret=-1 errno=EBADF");
}

// Survivors keep their description: offset and status flags carry over.
TEST(Exec, KeepsOffsetsAndStatusFlagsOfSurvivors) {
  ModelRun r = run(
      "P0 close 0\nP0 close 1\nP0 close 2\n"
      "P0 open f1 O_RDWR|O_CREAT|O_APPEND\nP0 write 0 \"abc\"\n"
      "P0 pipe2 O_NONBLOCK\nP0 exec\n");
  EXPECT_EQ(r.obs[6], "fds=0:f1:rw+append:3,1:pipe@5:r+nonblock:-,2:pipe@5:w+nonblock:-");
}

// With every descriptor closed, the table is empty.
TEST(Exec, ReportsNoneWhenNothingIsOpen) {
  ModelRun r = run("P0 close 0\nP0 close 1\nP0 close 2\nP0 exec\n");
  EXPECT_EQ(r.obs[3], "fds=none");
}

// The new image inherits the process ID and parent process ID. - POSIX exec
TEST(Exec, KeepsThePidAndTheParent) {
  ModelRun r = run("P0 fork -> P1\nP1 exec\nP1 getpid\nP1 getppid\nP1 _exit 2\nP0 wait\n");
  EXPECT_EQ(r.obs[2], "ret=P1");
  EXPECT_EQ(r.obs[3], "ret=P0");
  EXPECT_EQ(r.obs[5], "ret=P1 status=exited(2)");
}

// The flag is per descriptor: exec in the child leaves the parent's copy open.
TEST(Exec, InTheChildDoesNotCloseTheParentsDescriptors) {
  ModelRun r = run("P0 open f0 O_RDWR|O_CREAT|O_CLOEXEC\nP0 fork -> P1\nP1 exec\nP0 getfd 3\n");
  EXPECT_EQ(r.obs[2], "fds=0:null:rw:0,1:null:rw:0,2:null:rw:0");
  EXPECT_EQ(r.obs[3], "ret=1");
}

// The execed view flag is set for the actor that called exec.
TEST(Exec, MarksTheActorAsExeced) {
  ModelRun r = run("P0 fork -> P1\nP1 exec\n");
  std::vector<ActorView> views = actor_views(*r.state);
  ASSERT_EQ(views.size(), 2u);
  EXPECT_FALSE(views[0].execed);
  EXPECT_TRUE(views[1].execed);
}

}  // namespace
}  // namespace fc::oracle::testing
