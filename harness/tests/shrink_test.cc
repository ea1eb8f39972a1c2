// Shrinking: candidates are always programs the model accepts, and greedy
// shrinking reaches a minimal program for a predicate.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "harness/gen/generator.h"
#include "harness/ir/fcp.h"
#include "harness/check/check.h"
#include "harness/shrink/shrink.h"
#include "suites/registry.h"

namespace fc {
namespace {

void showValue(const Program& program, std::ostream& os) { os << "\n" << print_fcp(program); }

Program any_program(int size) {
  const auto& all = suites::all();
  const SuiteDef& suite = all[*rc::gen::inRange<std::size_t>(0, all.size())];
  return generate(suite.gen, oracle::Profile{}, *rc::gen::arbitrary<std::uint64_t>(), size);
}

RC_GTEST_PROP(Shrink, EveryCandidateIsPlannableAndNoLarger, ()) {
  Program program = any_program(*rc::gen::inRange(0, 60));
  for (const Program& candidate : shrink_candidates(program, oracle::Profile{})) {
    RC_ASSERT(plannable(candidate, oracle::Profile{}));
    RC_ASSERT(candidate.steps.size() <= program.steps.size());
    RC_ASSERT(candidate != program);
  }
}

// "Contains an exec by a forked child" shrinks to exactly fork + exec.
RC_GTEST_PROP(Shrink, ReachesTheMinimalProgramForAPredicate, ()) {
  Program program = generate(suites::find("exec_cloexec")->gen, oracle::Profile{},
                             *rc::gen::arbitrary<std::uint64_t>(), 100);
  auto child_execs = [](const Program& p) {
    for (const Step& step : p.steps) {
      if (step.op == Op::Exec && step.actor != 0) return true;
    }
    return false;
  };
  RC_PRE(child_execs(program));
  Program minimal = shrink(program, oracle::Profile{}, child_execs, 10000);
  RC_ASSERT(child_execs(minimal));
  RC_ASSERT(minimal.steps.size() == 2u);
}

TEST(Shrink, DroppingAnActorDropsItsDescendants) {
  auto parsed = parse_fcp("P0 fork -> P1\nP1 fork -> P2\nP2 getpid\nP0 getpid\n");
  ASSERT_TRUE(std::holds_alternative<Program>(parsed));
  const Program& program = std::get<Program>(parsed);
  std::vector<Program> candidates = shrink_candidates(program, oracle::Profile{});
  ASSERT_FALSE(candidates.empty());
  bool found_only_p0 = false;
  for (const Program& candidate : candidates) {
    if (candidate.steps.size() == 1 && candidate.steps[0].actor == 0) found_only_p0 = true;
  }
  EXPECT_TRUE(found_only_p0);
}

}  // namespace
}  // namespace fc

namespace fc {
namespace {

// Renaming is only a renaming: the plan (blocking and expected observations,
// whose pid symbols follow the names) is the same up to those names.
RC_GTEST_PROP(Shrink, CanonicalNamesKeepThePlanShape, ()) {
  Program program = any_program(*rc::gen::inRange(0, 100));
  Program renamed = canonical_names(program);
  RC_ASSERT(!structural_error(renamed));
  PlanResult before = plan(program, oracle::Profile{});
  PlanResult after = plan(renamed, oracle::Profile{});
  RC_ASSERT(before.plan.has_value() && after.plan.has_value());
  RC_ASSERT(before.plan->unblock_by == after.plan->unblock_by);
  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    RC_ASSERT(before.plan->expected[i].fields().size() == after.plan->expected[i].fields().size());
  }
  RC_ASSERT(canonical_names(renamed) == renamed);
}

}  // namespace
}  // namespace fc
