// Helpers for the model's tests: programs are written in .fcp text and run
// through the model, one step at a time.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness/ir/fcp.h"
#include "oracles/model.h"
#include "oracles/state.h"

namespace fc::oracle::testing {

// Parses .fcp text; a parse error fails the test and yields an empty program.
Program parse(std::string_view fcp);

// A program run through the model taking the only outcome of each step.
struct ModelRun {
  std::vector<std::string> obs;       // final observation text per step
  std::vector<int> completed_by;      // step whose outcome completed it, or -1
  std::vector<std::vector<std::string>> rules;  // rules per step (its own outcome)
  StatePtr state;                     // after the last step
  bool ok = false;                    // every step had exactly one outcome
  // Whether any rule of step i is `rule`.
  bool cites(std::size_t i, std::string_view rule) const;
};

// Runs `fcp`; a step with no outcome or several fails the test.
ModelRun run(std::string_view fcp, const Profile& profile = {});
ModelRun run(const Program& program, const Profile& profile = {});

// Runs every step but the last (each must have one outcome) and returns the
// model's full answer for the last one.
StepResult last_step(const Program& program, const Profile& profile = {});
StepResult last_step(std::string_view fcp, const Profile& profile = {});

// The observation texts the last step may have.
std::set<std::string> allowed_last(std::string_view fcp, const Profile& profile = {});

// The special the last step gets, or "" when it has outcomes.
std::string special_of_last(std::string_view fcp, const Profile& profile = {});
std::string special_of_last(const Program& program, const Profile& profile = {});

std::string kind_name(Special::Kind kind);

}  // namespace fc::oracle::testing
