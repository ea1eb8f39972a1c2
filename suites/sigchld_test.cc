// Suite sigchld (issue 4): see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(Sigchld, "sigchld")

// posix 2.4.3: "If the action for the SIGCHLD signal is set to SIG_IGN, child processes of
// the calling processes shall not be transformed into zombie processes when they
// terminate": a model that keeps the zombie is caught by the wait that finds none.
TEST(Sigchld, CatchesPlantedIgnoredChldKeepsZombie) {
  testing::expect_caught("sigchld", oracle::Profile::PlantedBug::IgnoredChldKeepsZombie, "wait|waitpid|wait4|waitid", 6);
}

}  // namespace
}  // namespace fc
