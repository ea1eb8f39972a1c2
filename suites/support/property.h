// RapidCheck glue shared by every suite's tests.
//
//   rc::Gen<Program> program_gen(suite, model)
//       model-guided generation (harness/gen) as a RapidCheck generator whose
//       shrink tree is harness/shrink's candidates, so RapidCheck's shrinking
//       and the CLI's agree.
//   void check_on_host(program, model)
//       runs the program on the host executor and RC_ASSERTs that every
//       observation is one the model allows (failing with the explanation and
//       the annotated program).
//   PlantedBugResult hunt(suite, bug, cases)
//       runs a suite against a model with one planted wrong rule, the way
//       `forkconf run` would, and returns what it found and shrank.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <optional>
#include <ostream>
#include <string>

#include "harness/campaign.h"
#include "harness/ir/fcp.h"
#include "suites/registry.h"

namespace fc {
// RapidCheck prints counterexamples with showValue (found by ADL).
inline void showValue(const Program& program, std::ostream& os) {
  os << "\n" << print_fcp(program);
}
}  // namespace fc

namespace fc::testing {

rc::Gen<Program> program_gen(const SuiteDef& suite, const oracle::Profile& model);

// The host target shared by the tests of one binary (one executor server).
Target& host_target();

void check_on_host(const Program& program, const oracle::Profile& model);

struct HuntResult {
  CampaignResult campaign;
  std::optional<Failure> first;  // first shrunk divergence, if any
};

// Runs `suite` (at most `cases` programs) with the model's `bug` planted.
HuntResult hunt(const std::string& suite, oracle::Profile::PlantedBug bug, int cases,
                std::uint64_t seed = 7);

}  // namespace fc::testing

namespace fc::testing {

// Asserts that `suite` finds the planted `bug` within `cases` programs, that
// the divergence shrinks to at most `max_steps` steps, and that the first
// divergence is at an op named `op` (the op whose rule was broken, or the
// one that observes it).
void expect_caught(const std::string& suite, oracle::Profile::PlantedBug bug,
                   const std::string& op, std::size_t max_steps, int cases = 400);

}  // namespace fc::testing

// The suite's claim as a RapidCheck property over generated programs run on
// the host: every observation is one the model allows.
#define FORKCONF_SUITE_PROPERTY(TestCase, suite_name)                               \
  RC_GTEST_PROP(TestCase, HostObservationsAreAllowedByTheModel, ()) {               \
    static const ::fc::SuiteDef suite = *::fc::suites::find(suite_name);            \
    ::fc::oracle::Profile model;                                                    \
    const ::fc::Program program = *::fc::testing::program_gen(suite, model);       \
    RC_TAG(program.actors().size() > 2 ? "3+ actors" : "1-2 actors");               \
    ::fc::testing::check_on_host(program, model);                                   \
  }
