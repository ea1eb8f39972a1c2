// Suite exit_wait: see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(ExitWait, "exit_wait")

// A model that keeps the whole exit status is caught: posix:_exit "only the least
// significant 8 bits (that is, status & 0377) shall be available from wait() and waitpid()".
TEST(ExitWait, CatchesPlantedExitStatusUncut) {
  testing::expect_caught("exit_wait", oracle::Profile::PlantedBug::ExitStatusUncut, "wait|waitpid|wait4|waitid|_exit|exit", 6);
}

}  // namespace
}  // namespace fc
