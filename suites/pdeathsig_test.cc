// Suite pdeathsig (issue 4): see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(Pdeathsig, "pdeathsig")

// PR_SET_PDEATHSIG(2const): "The parent-death signal setting is cleared for the child of
// a fork(2)": a model whose fork children inherit it is caught.
TEST(Pdeathsig, CatchesPlantedPdeathsigInherited) {
  testing::expect_caught("pdeathsig", oracle::Profile::PlantedBug::PdeathsigInherited,
                         "get_pdeathsig|getppid|caught|wait|waitpid|_exit|exit|kill|pidfd_poll", 6);
}

}  // namespace
}  // namespace fc
