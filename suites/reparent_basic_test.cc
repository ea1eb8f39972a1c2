// Suite reparent_basic: see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(ReparentBasic, "reparent_basic")

// A model that never reparents orphans is caught: man:getppid(2) "If the caller's parent
// is in a different PID namespace ... " / posix:_exit "the parent process ID of all of the
// existing child processes ... shall be set to the process ID of an implementation-defined
// system process".
TEST(ReparentBasic, CatchesPlantedOrphansKeepParent) {
  testing::expect_caught("reparent_basic", oracle::Profile::PlantedBug::OrphansKeepParent, "getppid", 6);
}

}  // namespace
}  // namespace fc
