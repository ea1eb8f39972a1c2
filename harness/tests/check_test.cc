// The checker against hand-made traces: it accepts what the model allows,
// names the first step that differs with the allowed set, follows every
// allowed choice of a nondeterministic step, and checks blocking.
#include <gtest/gtest.h>

#include "harness/check/check.h"
#include "harness/ir/fcp.h"

namespace fc {
namespace {

Program parse(const char* text) {
  auto parsed = parse_fcp(text);
  if (auto* error = std::get_if<ParseError>(&parsed)) {
    ADD_FAILURE() << error->text();
    return {};
  }
  return std::get<Program>(parsed);
}

// A trace in which every step did exactly what the model's first path says,
// returning at the step that unblocks it.
Trace model_trace(const Program& program) {
  PlanResult planned = plan(program, oracle::Profile{});
  EXPECT_TRUE(planned.plan) << planned.refusal->text();
  Trace trace;
  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    StepTrace step;
    int unblock = planned.plan->unblock_by[i];
    if (unblock == FC_BLOCKS_FOREVER) {
      step.state = StepTrace::State::Blocked;
    } else {
      step.state = StepTrace::State::Done;
      step.obs = planned.plan->expected[i];
      step.progress = unblock >= 0 ? unblock : static_cast<int>(i);
    }
    trace.steps.push_back(step);
  }
  return trace;
}

TEST(Check, TheModelsOwnTraceConforms) {
  Program program = parse(
      "P0 mmap private -> M0\nP0 fork -> P1\nP1 store M0 0 5\nP0 load M0 0\n"
      "P1 _exit 3\nP0 waitpid P1 0\n");
  Verdict verdict = check(program, model_trace(program), oracle::Profile{});
  EXPECT_TRUE(verdict.conforms()) << (verdict.divergences.empty() ? *verdict.inconclusive
                                                                  : verdict.divergences[0].explain());
}

TEST(Check, AWrongValueIsAMismatchThatNamesStepAndAllowedSet) {
  Program program = parse("P0 mmap private -> M0\nP0 fork -> P1\nP1 store M0 0 5\nP0 load M0 0\n");
  Trace trace = model_trace(program);
  trace.steps[3].obs = Observation::returned(5);  // the child's private store leaked
  Verdict verdict = check(program, trace, oracle::Profile{});
  ASSERT_EQ(verdict.divergences.size(), 1u);
  const Divergence& d = verdict.divergences[0];
  EXPECT_EQ(d.kind, Divergence::Kind::Mismatch);
  EXPECT_EQ(d.step, 3u);
  EXPECT_EQ(d.observed, "ret=5");
  ASSERT_EQ(d.allowed.size(), 1u);
  EXPECT_EQ(d.allowed[0], "ret=0");
  EXPECT_NE(d.explain().find("allowed are only"), std::string::npos);
}

TEST(Check, CheckingContinuesAfterADivergence) {
  Program program = parse("P0 getpid\nP0 getppid\nP0 getpid\n");
  Trace trace = model_trace(program);
  trace.steps[0].obs = Observation::returned_pid("P7");
  trace.steps[2].obs = Observation::returned_pid("P9");
  Verdict verdict = check(program, trace, oracle::Profile{});
  ASSERT_EQ(verdict.divergences.size(), 2u);
  EXPECT_EQ(verdict.divergences[0].step, 0u);
  EXPECT_EQ(verdict.divergences[1].step, 2u);
}

TEST(Check, EitherZombieMayBeReapedFirstByWaitAny) {
  Program program = parse(
      "P0 fork -> P1\nP0 fork -> P2\nP1 _exit 1\nP2 _exit 2\nP0 wait\nP0 wait\n");
  Trace trace = model_trace(program);
  // Swap the two reaps: still allowed ("which child is reaped is unspecified").
  std::swap(trace.steps[4].obs, trace.steps[5].obs);
  Verdict verdict = check(program, trace, oracle::Profile{});
  EXPECT_TRUE(verdict.conforms()) << verdict.divergences.at(0).explain();
}

TEST(Check, ReapingTheSameChildTwiceIsNotAllowed) {
  Program program = parse(
      "P0 fork -> P1\nP0 fork -> P2\nP1 _exit 1\nP2 _exit 2\nP0 wait\nP0 wait\n");
  Trace trace = model_trace(program);
  trace.steps[5].obs = trace.steps[4].obs;
  Verdict verdict = check(program, trace, oracle::Profile{});
  ASSERT_FALSE(verdict.divergences.empty());
  EXPECT_EQ(verdict.divergences[0].step, 5u);
}

TEST(Check, ABlockingWaitThatReturnsBeforeTheChildExitsIsCaught) {
  Program program = parse("P0 fork -> P1\nP0 waitpid P1 0\nP1 getpid\nP1 _exit 0\n");
  Trace trace = model_trace(program);
  ASSERT_EQ(trace.steps[1].progress, 3) << "the model should unblock the wait at the exit";
  trace.steps[1].progress = 1;  // returned before anything else started
  Verdict verdict = check(program, trace, oracle::Profile{});
  ASSERT_FALSE(verdict.divergences.empty());
  EXPECT_EQ(verdict.divergences[0].kind, Divergence::Kind::ReturnedEarly);
  EXPECT_EQ(verdict.divergences[0].step, 1u);
}

TEST(Check, AStepThatNeverReturnsIsReportedAsBlockedThenTimeout) {
  Program program = parse("P0 getpid\nP0 getppid\n");
  Trace trace = model_trace(program);
  trace.steps[0].state = StepTrace::State::Blocked;
  trace.steps[1].state = StepTrace::State::NotStarted;
  trace.end = Trace::End::Timeout;
  Verdict verdict = check(program, trace, oracle::Profile{});
  ASSERT_EQ(verdict.divergences.size(), 2u);
  EXPECT_EQ(verdict.divergences[0].kind, Divergence::Kind::Blocked);
  EXPECT_EQ(verdict.divergences[1].kind, Divergence::Kind::Timeout);
}

TEST(Check, AnExecutorErrorIsInconclusiveNeverAPass) {
  Program program = parse("P0 getpid\n");
  Trace trace = model_trace(program);
  trace.end = Trace::End::Error;
  trace.message = "boom";
  Verdict verdict = check(program, trace, oracle::Profile{});
  EXPECT_FALSE(verdict.conforms());
  ASSERT_TRUE(verdict.inconclusive);
  EXPECT_NE(verdict.inconclusive->find("boom"), std::string::npos);
}

TEST(Check, PlanMarksAWaitOnALiveChildAsUnblockedByItsExit) {
  Program program = parse("P0 fork -> P1\nP0 wait\nP1 _exit 0\n");
  PlanResult planned = plan(program, oracle::Profile{});
  ASSERT_TRUE(planned.plan);
  EXPECT_EQ(planned.plan->unblock_by[1], 2);
  EXPECT_EQ(planned.plan->unblock_by[2], -1);
}

}  // namespace
}  // namespace fc
