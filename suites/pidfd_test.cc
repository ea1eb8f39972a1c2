// Suite pidfd (issue 4): see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(Pidfd, "pidfd")

// pidfd_open(2): "When the process that it refers to terminates, these interfaces
// indicate the file descriptor as readable": a model whose pidfds never poll readable
// is caught. (The minimum is 4 steps; the shrinker keeps descriptor numbers, so steps
// that only shift the pidfd's number may stay.)
TEST(Pidfd, CatchesPlantedPidfdNotReadable) {
  testing::expect_caught("pidfd", oracle::Profile::PlantedBug::PidfdNotReadable, "pidfd_poll", 8);
}

}  // namespace
}  // namespace fc
