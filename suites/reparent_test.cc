// Suite reparent (issue 4): see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(Reparent, "reparent")

// prctl(2): "that process will be reparented to the nearest still living ancestor
// subreaper": a model that always hands orphans to the run's reaper is caught.
TEST(Reparent, CatchesPlantedSubreaperIgnored) {
  testing::expect_caught("reparent", oracle::Profile::PlantedBug::SubreaperIgnored,
                         "getppid|wait|waitpid|caught|_exit|exit", 6);
}

}  // namespace
}  // namespace fc
