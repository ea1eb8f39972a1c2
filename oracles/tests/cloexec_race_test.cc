// The close-on-exec race model (issue 5): allowed numbers of held descriptors
// per path, built by hand from the quoted rules.
#include "oracles/cloexec_race.h"

#include <gtest/gtest.h>

namespace fc::oracle::race {
namespace {

// open(2): "...avoid race conditions where one thread opens a file descriptor
// and attempts to set its close-on-exec flag using fcntl(2) at the same time
// as another thread does a fork(2) plus execve(2)": both outcomes allowed.
TEST(CloexecRace, OpenThenFcntlMayOrMayNotLeak) {
  Allowed a = allowed(*find_path("open_fcntl"), 2, Profile{});
  EXPECT_TRUE(a.allows(0));
  EXPECT_TRUE(a.allows(1));
  EXPECT_TRUE(a.allows(2));
  EXPECT_FALSE(a.allows(3));
  EXPECT_EQ(a.text(), "0..2");
}

// An atomic creation flag leaves no window: a leak is a divergence.
TEST(CloexecRace, EveryAtomicPathNeverLeaks) {
  int atomic = 0;
  for (const PathInfo& p : paths()) {
    if (p.kind != Kind::Atomic) continue;
    ++atomic;
    Allowed a = allowed(p, 2, Profile{});
    EXPECT_TRUE(a.allows(0)) << p.name;
    EXPECT_FALSE(a.allows(1)) << p.name;
    EXPECT_FALSE(a.rules.empty()) << p.name;
  }
  EXPECT_GE(atomic, 14);  // the 14 creation flags + addclose + atfork O_CLOEXEC
}

// posix_spawn_file_actions_adddup2(fd, fd) clears FD_CLOEXEC: the image holds it.
TEST(CloexecRace, Adddup2SameFdIsHeldAndOnlyWithSpawn) {
  const PathInfo& p = *find_path("fa_adddup2");
  EXPECT_EQ(p.spawners, std::vector<std::string>{"spawn"});
  Allowed a = allowed(p, 2, Profile{});
  EXPECT_FALSE(a.allows(0));
  EXPECT_TRUE(a.allows(2));
}

// A child fork handler's plain open() is the child's own descriptor, kept by exec.
TEST(CloexecRace, AtforkChildHandlerPlainOpenIsHeld) {
  EXPECT_TRUE(allowed(*find_path("atfork_plain"), 1, Profile{}).allows(1));
  EXPECT_FALSE(allowed(*find_path("atfork_plain"), 1, Profile{}).allows(0));
  EXPECT_FALSE(allowed(*find_path("atfork_cloexec"), 2, Profile{}).allows(1));
}

TEST(CloexecRace, PlantedBugChangesOnlyPipe2) {
  Profile bug;
  bug.planted_bug = Profile::PlantedBug::Pipe2KeepsFds;
  EXPECT_FALSE(allowed(*find_path("pipe2"), 2, bug).allows(0));
  EXPECT_TRUE(allowed(*find_path("memfd"), 1, bug).allows(0));
  EXPECT_EQ(find_path("nope"), nullptr);
}

}  // namespace
}  // namespace fc::oracle::race
