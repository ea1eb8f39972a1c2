// Suite exec (issue 3): see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(Exec, "exec")

// signal(7): "the signal mask is preserved across execve(2)": a model whose
// exec empties the mask is caught by the next sigprocmask's old mask (or a
// sigpending that reports the signals still pending).
TEST(Exec, CatchesPlantedExecClearsMask) {
  testing::expect_caught("exec", oracle::Profile::PlantedBug::ExecClearsMask,
                         "sigprocmask|sigpending|caught|waitpid|wait", 6);
}

// fork(2): "The child's set of pending signals is initially empty": a model
// whose fork child keeps its parent's pending signals is caught by the
// child's sigpending (or by what unblocking them does).
TEST(Exec, CatchesPlantedForkKeepsPending) {
  testing::expect_caught("exec", oracle::Profile::PlantedBug::ForkKeepsPending,
                         "sigpending|sigprocmask|caught|waitpid|wait|kill", 7);
}

}  // namespace
}  // namespace fc
