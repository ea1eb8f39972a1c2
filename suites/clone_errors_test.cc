// Suite clone_errors (issue 3): see suites/registry.cc for the claim and the clauses it covers.
#include <set>
#include <string>

#include "harness/gen/generator.h"
#include "oracles/model.h"
#include "oracles/state.h"
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

// "Every invalid combination and its errno, generated on purpose": within a few
// hundred generated programs the suite reaches every error rule of clone(2) and
// of kernel/fork.c's clone3 checks that the Linux profile can raise, and both
// calls succeed too. (The model is followed along its first outcome per step.)
TEST(CloneErrors, GeneratorReachesEveryErrorRule) {
  const std::optional<SuiteDef> suite = suites::find("clone_errors");
  ASSERT_TRUE(suite.has_value());
  const oracle::Profile model;
  std::set<std::string> cited;
  int successes = 0;
  for (std::uint64_t k = 0; k < 400; ++k) {
    const Program program = generate(suite->gen, model, case_seed(11, "clone_errors", k), 100);
    oracle::StatePtr state = oracle::initial_state(model);
    for (std::size_t i = 0; i < program.steps.size(); ++i) {
      oracle::StepResult r = oracle::apply(*state, program, i);
      ASSERT_FALSE(r.outcomes.empty()) << "generated step refused: " << print_fcp(program);
      const Op op = program.steps[i].op;
      if (op == Op::Clone || op == Op::Clone3) {
        for (const oracle::Outcome& o : r.outcomes) {
          cited.insert(o.rules.begin(), o.rules.end());
          if (o.obs.get("ret") == "new") ++successes;
        }
      }
      state = r.outcomes.front().next;
    }
  }
  for (const char* rule :
       {"man:clone:EINVAL_SIGHAND_VM:1", "man:clone:EINVAL_THREAD_SIGHAND:1",
        "man:clone:EINVAL_FS_NEWNS:1", "man:clone:EINVAL_NEWUSER_FS:1",
        "man:clone:EINVAL_NEWIPC_SYSVSEM:1", "man:clone:EINVAL_NEWPID_THREAD:1",
        "man:clone:EINVAL_PIDFD_DETACHED:1", "man:clone:EINVAL_CLEAR_SIGHAND:1",
        "man:clone:EBADF_CGROUP:1", "linux:clone:PIDFD_PARENT_TID:1", "linux:clone3:SIZE:1",
        "linux:clone3:SIZE:2", "linux:clone3:SIZE:3", "linux:clone3:SET_TID:1",
        "linux:clone3:EXIT_SIGNAL:1", "linux:clone3:EXIT_SIGNAL:2", "linux:clone3:FLAGS:1",
        "linux:clone3:FLAGS:2", "linux:clone3:STACK:1", "linux:clone3:CGROUP:1",
        "man:clone:PIDFD:1", "man:clone:PARENT_SETTID:1", "man:clone:CHILD_SETTID:1",
        "man:clone:CHILD_CLEARTID:1"}) {
    EXPECT_TRUE(cited.count(rule)) << rule << " is never reached by the generator";
  }
  EXPECT_GT(successes, 100);
}

}  // namespace
}  // namespace fc
