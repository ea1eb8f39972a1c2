// Suite clone_flags (issue 3): see suites/registry.cc for the claim and the clauses it covers.
#include <set>
#include <string>

#include "harness/gen/generator.h"
#include "oracles/model.h"
#include "oracles/state.h"
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(CloneFlags, "clone_flags")

// clone(2) CLONE_FILES: "if one of the processes closes a file descriptor, or changes its
// associated flags (using the fcntl(2) F_SETFD operation), the other process is also
// affected": a model that copies the table for CLONE_FILES is caught at a later step of the
// caller on that descriptor.
TEST(CloneFlags, CatchesPlantedCloneFilesCopiesTable) {
  testing::expect_caught("clone_flags", oracle::Profile::PlantedBug::CloneFilesCopiesTable,
                         "getfd|close|dup|lseek|read|write|clone_probe", 4);
}

// Within a few hundred generated programs every probe meets both answers of its flag
// (shared and not shared), the always-shared offset, the failing probes and the EINVAL.
TEST(CloneFlags, GeneratorReachesEverySharingRule) {
  const std::optional<SuiteDef> suite = suites::find("clone_flags");
  ASSERT_TRUE(suite.has_value());
  const oracle::Profile model;
  std::set<std::string> cited;
  for (std::uint64_t k = 0; k < 300; ++k) {
    const Program program = generate(suite->gen, model, case_seed(13, "clone_flags", k), 100);
    oracle::StatePtr state = oracle::initial_state(model);
    for (std::size_t i = 0; i < program.steps.size(); ++i) {
      oracle::StepResult r = oracle::apply(*state, program, i);
      ASSERT_FALSE(r.outcomes.empty()) << "generated step refused: " << print_fcp(program);
      if (program.steps[i].op == Op::CloneProbe) {
        for (const oracle::Outcome& o : r.outcomes) cited.insert(o.rules.begin(), o.rules.end());
      }
      state = r.outcomes.front().next;
    }
  }
  for (const char* rule :
       {"man:clone:VM:1", "man:clone:VM:2", "man:clone:FILES:1", "man:clone:FILES:2",
        "man:clone:FILES:3", "man:clone:FN_RET:1", "man:clone:EINVAL_SIGHAND_VM:1",
        "posix:mmap:SHARED:1", "posix:close:EBADF:1", "posix:lseek:ESPIPE:1"}) {
    EXPECT_TRUE(cited.count(rule)) << rule << " is never reached by the generator";
  }
}

}  // namespace
}  // namespace fc
