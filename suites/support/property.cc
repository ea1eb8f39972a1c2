#include "suites/support/property.h"

#include <atomic>
#include <iostream>
#include <memory>

#include <gtest/gtest.h>

#include "reports/report.h"

namespace fc::testing {

rc::Gen<Program> program_gen(const SuiteDef& suite, const oracle::Profile& model) {
  GenProfile gen = suite.gen;
  return rc::Gen<Program>([gen, model](const rc::Random& random, int size) {
    rc::Random source = random;
    Program program = generate(gen, model, source.next(), size);
    return rc::shrinkable::shrinkRecur(std::move(program), [model](const Program& p) {
      return rc::seq::fromContainer(shrink_candidates(p, model));
    });
  });
}

Target& host_target() {
  // One executor server per test binary, started on first use and stopped
  // (stdin closed) when the binary exits.
  static std::unique_ptr<Target> target = [] {
    auto made = make_target(TargetSpec{"host", default_executor_path()});
    if (auto* error = std::get_if<std::string>(&made)) {
      throw std::runtime_error(*error);
    }
    return std::move(std::get<std::unique_ptr<Target>>(made));
  }();
  return *target;
}

void check_on_host(const Program& program, const oracle::Profile& model) {
  static std::atomic<std::uint64_t> next_id{1};
  CaseOutcome outcome = run_case(host_target(), program, model, next_id++, 3000);
  if (outcome.refusal) RC_DISCARD(outcome.refusal->text());
  if (outcome.error) RC_FAIL(outcome.error->text());
  if (!outcome.conforms()) {
    RC_FAIL(outcome.summary() + "\n" + reports::annotated_program(program, outcome, {}));
  }
}

HuntResult hunt(const std::string& suite_name, oracle::Profile::PlantedBug bug, int cases,
                std::uint64_t seed) {
  HuntResult result;
  auto suite = suites::find(suite_name);
  if (!suite) throw std::runtime_error("no suite " + suite_name);
  CampaignOptions options;
  options.seed = seed;
  options.cases = cases;
  options.suites = {*suite};
  options.target = TargetSpec{"host", default_executor_path()};
  options.jobs = 1;
  options.max_shrunk_per_suite = 1;
  options.stop_after_divergences = 1;
  // A planted rule can predict a return where the kernel blocks: each such
  // program then waits for the watchdog, so keep it short (programs take ~1 ms).
  options.timeout_ms = 300;
  options.model.planted_bug = bug;
  result.campaign = run_campaign(options);
  for (const SuiteSummary& s : result.campaign.suites) {
    for (const Failure& failure : s.failures) {
      if (failure.shrunk) {
        result.first = failure;
        return result;
      }
    }
  }
  return result;
}

}  // namespace fc::testing

namespace fc::testing {

void expect_caught(const std::string& suite, oracle::Profile::PlantedBug bug,
                   const std::string& op, std::size_t max_steps, int cases) {
  HuntResult found = hunt(suite, bug, cases);
  ASSERT_FALSE(found.campaign.setup_error) << *found.campaign.setup_error;
  ASSERT_GT(found.campaign.total_divergent(), 0)
      << suite << " ran " << found.campaign.total_cases()
      << " programs against the planted bug and found no divergence";
  ASSERT_TRUE(found.first.has_value()) << "no divergence was shrunk";
  const Failure& failure = *found.first;
  std::string shown = print_fcp(failure.minimal) + failure.outcome.summary();
  EXPECT_TRUE(failure.outcome.diverges()) << "the minimal program no longer diverges:\n" << shown;
  EXPECT_LE(failure.minimal.steps.size(), max_steps)
      << "shrunk from " << failure.original.steps.size() << " steps only to:\n" << shown;
  std::string signature = divergence_signature(failure.minimal, failure.outcome.verdict);
  std::cout << suite << " caught the planted bug as " << signature << " after "
            << found.campaign.total_cases() << " programs; shrunk from "
            << failure.original.steps.size() << " to " << failure.minimal.steps.size()
            << " steps:\n" << print_fcp(failure.minimal) << failure.outcome.summary() << "\n";
  std::string failing_op = signature.substr(signature.find(':') + 1);
  failing_op = failing_op.substr(0, failing_op.find('['));
  std::string alternatives = "|" + op + "|";
  EXPECT_NE(alternatives.find("|" + failing_op + "|"), std::string::npos)
      << "first divergence is " << signature << ", expected one at " << op << ":\n" << shown;
}

}  // namespace fc::testing
