// Suite inheritance (issue 3): see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(Inheritance, "inheritance")

// posix:fork "File locks set by the parent process shall not be inherited by the child
// process"; fcntl(2) "Record locks are not inherited by a child created via fork(2)": a
// model whose child keeps its parent's record locks is caught at a lock step.
TEST(Inheritance, CatchesPlantedRecordLocksInherited) {
  testing::expect_caught("inheritance", oracle::Profile::PlantedBug::RecordLocksInherited,
                         "lock", 6);
}

// madvise(2) MADV_WIPEONFORK "Present the child process with zero-filled memory in this
// range after a fork(2)": a model that copies the values is caught at a load.
TEST(Inheritance, CatchesPlantedWipeOnForkKeepsValues) {
  testing::expect_caught("inheritance", oracle::Profile::PlantedBug::WipeOnForkKeepsValues,
                         "load", 6, 800);
}

}  // namespace
}  // namespace fc
