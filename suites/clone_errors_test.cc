// Suite clone_errors (issue 3): see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(CloneErrors, "clone_errors")

// A model that lets clone create a child sharing signal handlers but not memory is caught:
// clone(2) "EINVAL CLONE_SIGHAND was specified in the flags mask, but CLONE_VM was not."
TEST(CloneErrors, CatchesPlantedSighandWithoutVm) {
  testing::expect_caught("clone_errors", oracle::Profile::PlantedBug::CloneSighandWithoutVm,
                         "clone|clone3", 3);
}

}  // namespace
}  // namespace fc
