// The memory area of the model: anonymous mappings across fork and exec.
#include <gtest/gtest.h>

#include "oracles/tests/oracle_test_util.h"

namespace fc::oracle::testing {
namespace {

// "The mapping is not backed by any file; its contents are initialized to
// zero." - mmap(2) MAP_ANONYMOUS
TEST(Mmap, AnonymousMemoryReadsAsZero) {
  ModelRun r = run("P0 mmap private -> M0\nP0 load M0 7\n");
  EXPECT_EQ(r.obs[0], "ret=ok");
  EXPECT_EQ(r.obs[1], "ret=0");
}

// A load returns what the last store wrote.
TEST(Store, LoadReturnsTheStoredValue) {
  ModelRun r = run("P0 mmap shared -> M0\nP0 store M0 2 -77\nP0 load M0 2\nP0 load M0 3\n");
  EXPECT_EQ(r.obs[1], "ret=ok");
  EXPECT_EQ(r.obs[2], "ret=-77");
  EXPECT_EQ(r.obs[3], "ret=0");
}

// "If MAP_PRIVATE is specified, modifications to the mapped data by the
// calling process shall be visible only to the calling process" - POSIX mmap;
// the child starts with a copy of the parent's values.
TEST(Fork, PrivateMappingIsCopiedAndWritesStayPrivate) {
  ModelRun r = run(
      "P0 mmap private -> M0\nP0 store M0 0 5\nP0 fork -> P1\n"
      "P1 load M0 0\nP1 store M0 0 6\nP0 store M0 1 9\nP0 load M0 0\nP1 load M0 1\n");
  EXPECT_EQ(r.obs[3], "ret=5");
  EXPECT_EQ(r.obs[6], "ret=5");
  EXPECT_EQ(r.obs[7], "ret=0");
}

// "If MAP_SHARED is specified, write references shall change the underlying
// object." - POSIX mmap: parent and child see each other's stores.
TEST(Fork, SharedMappingWritesAreSeenByBoth) {
  ModelRun r = run(
      "P0 mmap shared -> M0\nP0 fork -> P1\nP1 store M0 4 44\nP0 load M0 4\n"
      "P0 store M0 5 55\nP1 load M0 5\n");
  EXPECT_EQ(r.obs[3], "ret=44");
  EXPECT_EQ(r.obs[5], "ret=55");
}

// A shared region stays shared through a second generation.
TEST(Fork, SharedMappingIsSharedWithGrandchildren) {
  ModelRun r = run("P0 mmap shared -> M0\nP0 fork -> P1\nP1 fork -> P2\nP2 store M0 0 3\nP0 load M0 0\n");
  EXPECT_EQ(r.obs[4], "ret=3");
}

// A region mapped after fork exists only in the mapping process.
TEST(Load, RegionNotMappedInTheActorIsInvalid) {
  EXPECT_EQ(special_of_last("P0 fork -> P1\nP1 mmap shared -> M0\nP0 load M0 0\n"), "Invalid");
}

// "Memory mappings created in the process are unmapped before the address
// space is rebuilt for the new process image." - POSIX exec
TEST(Exec, RegionsAreGoneAfterExec) {
  EXPECT_EQ(special_of_last("P0 mmap shared -> M0\nP0 exec\nP0 load M0 0\n"), "Invalid");
}

// Exit unmaps too; the other process keeps the shared object.
TEST(Exit, SharedObjectSurvivesTheExitOfOneSharer) {
  ModelRun r = run("P0 mmap shared -> M0\nP0 fork -> P1\nP1 store M0 1 8\nP1 _exit 0\nP0 load M0 1\n");
  EXPECT_EQ(r.obs[4], "ret=8");
}

// A region name is created once (forkconf IR).
TEST(Mmap, ReusingARegionNameIsInvalid) {
  Program p = parse("P0 mmap private -> M0\nP0 mmap private -> M1\n");
  p.steps[1].out = 0;
  EXPECT_EQ(special_of_last(p), "Invalid");
}

}  // namespace
}  // namespace fc::oracle::testing
