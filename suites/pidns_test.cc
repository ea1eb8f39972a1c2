// Suite pidns (issue 4, pidns): see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(Pidns, "pidns")

// pid_namespaces(7): "A child process that is orphaned within the namespace will be
// reparented to this process rather than init(1)": a model that hands the namespace's
// orphans to the run's reaper outside is caught (getppid sees P0, and P0 can wait for
// them) and shrunk to a few steps.
TEST(Pidns, CatchesPlantedOrphansToReaper) {
  testing::expect_caught("pidns", oracle::Profile::PlantedBug::PidnsOrphansToReaper,
                         "getppid|wait|waitpid|kill|caught|_exit|exit", 6);
}

}  // namespace
}  // namespace fc
