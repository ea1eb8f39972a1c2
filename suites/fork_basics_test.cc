// Suite fork_basics: see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(ForkBasics, "fork_basics")

// A model that records the reaper, not the caller, as a fork child's parent is caught:
// posix:fork "The child process shall have a unique process ID ... The parent process ID of
// the child process shall be the process ID of the calling process."
TEST(ForkBasics, CatchesPlantedChildParentIsReaper) {
  testing::expect_caught("fork_basics", oracle::Profile::PlantedBug::ChildParentIsReaper, "getppid", 5);
}

}  // namespace
}  // namespace fc
