// Suite wait_selectors (issue 4): see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(WaitSelectors, "wait_selectors")

// posix:waitpid "If pid is greater than 0, it specifies the process ID of a single child
// process for which status is requested": a model whose pid selector matches any child is
// caught by the wait that the kernel lets collect only the named one.
TEST(WaitSelectors, CatchesPlantedPidSelectorMatchesAny) {
  testing::expect_caught("wait_selectors", oracle::Profile::PlantedBug::PidSelectorMatchesAny,
                         "wait|waitpid|wait4|waitid|_exit|exit", 6);
}

}  // namespace
}  // namespace fc
