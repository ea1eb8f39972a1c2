// Suite vfork (issue 3): see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(Vfork, "vfork")

// vfork(2): "Until that point, the child shares all memory with its parent,
// including the stack"; clone(2) CLONE_VM: "memory writes performed by the
// calling process or by the child process are also visible in the other
// process". A model that gives the child copies of its MAP_PRIVATE regions
// (fork's rule) is caught at the parent's load, in a few steps.
TEST(Vfork, CatchesPlantedVforkCopiesMemory) {
  testing::expect_caught("vfork", oracle::Profile::PlantedBug::VforkCopiesMemory, "load", 6);
}

}  // namespace
}  // namespace fc
