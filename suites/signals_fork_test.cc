// Suite signals_fork (issue 4): see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(SignalsFork, "signals_fork")

// signal(7): "A child created via fork(2) inherits a copy of its parent's signal
// dispositions": a model whose children start with SIG_DFL everywhere is caught.
TEST(SignalsFork, CatchesPlantedForkResetsHandlers) {
  testing::expect_caught("signals_fork", oracle::Profile::PlantedBug::ForkResetsHandlers,
                         "kill|caught|exit|_exit|wait|waitpid|wait4|waitid", 6);
}

// posix:exec "Signals set to be caught by the calling process image shall be set to the
// default action in the new process image": a model that keeps the handler is caught.
TEST(SignalsFork, CatchesPlantedExecKeepsHandlers) {
  testing::expect_caught("signals_fork", oracle::Profile::PlantedBug::ExecKeepsHandlers, "kill|caught", 6);
}

}  // namespace
}  // namespace fc
