// Suite wait_options (issue 4): see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(WaitOptions, "wait_options")

// posix:waitpid WUNTRACED "The status of any child processes specified by pid that are
// stopped, and whose status has not yet been reported since they stopped, shall also be
// reported": a model that never reports stops is caught at the wait that sees one.
TEST(WaitOptions, CatchesPlantedStopNotReported) {
  testing::expect_caught("wait_options", oracle::Profile::PlantedBug::StopNotReported, "waitpid|wait4|waitid", 6);
}

}  // namespace
}  // namespace fc
