// Suite memory_cow: see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(MemoryCow, "memory_cow")

// A model that lets a child's MAP_PRIVATE store reach its parent is caught:
// man:mmap(2) MAP_PRIVATE "Create a private copy-on-write mapping. Updates to the mapping
// are not visible to other processes mapping the same file".
TEST(MemoryCow, CatchesPlantedPrivateWritesShared) {
  testing::expect_caught("memory_cow", oracle::Profile::PlantedBug::PrivateWritesShared, "load", 6);
}

}  // namespace
}  // namespace fc
