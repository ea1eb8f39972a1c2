// Suite exec_cloexec: see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(ExecCloexec, "exec_cloexec")

// A model whose dup() keeps FD_CLOEXEC is caught: man:dup(2) "The two file descriptors do
// not share file descriptor flags (the close-on-exec flag). The close-on-exec flag
// (FD_CLOEXEC) for the duplicate descriptor is off."
TEST(ExecCloexec, CatchesPlantedDupKeepsCloexec) {
  testing::expect_caught("exec_cloexec", oracle::Profile::PlantedBug::DupKeepsCloexec, "getfd|exec", 6);
}

}  // namespace
}  // namespace fc
