#include "oracles/tests/oracle_test_util.h"

#include <variant>

namespace fc::oracle::testing {

Program parse(std::string_view fcp) {
  auto parsed = parse_fcp(fcp);
  if (auto* error = std::get_if<ParseError>(&parsed)) {
    ADD_FAILURE() << "bad .fcp: " << error->text() << "\n" << fcp;
    return Program{};
  }
  return std::get<Program>(parsed);
}

bool ModelRun::cites(std::size_t i, std::string_view rule) const {
  if (i >= rules.size()) return false;
  for (const std::string& r : rules[i]) {
    if (r == rule) return true;
  }
  return false;
}

ModelRun run(const Program& program, const Profile& profile) {
  ModelRun r;
  r.state = initial_state(profile);
  r.obs.assign(program.steps.size(), "");
  r.completed_by.assign(program.steps.size(), -1);
  r.rules.assign(program.steps.size(), {});
  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    StepResult step = apply(*r.state, program, i);
    if (step.outcomes.size() != 1) {
      std::string why = step.special ? kind_name(step.special->kind) + ": " + step.special->message
                                     : std::to_string(step.outcomes.size()) + " outcomes";
      ADD_FAILURE() << "step " << i << " (" << print_step(program.steps[i]) << "): " << why;
      return r;
    }
    Outcome& o = step.outcomes.front();
    r.obs[i] = o.obs.text();
    r.rules[i] = o.rules;
    for (const Completion& done : o.completed) {
      r.obs[done.step] = done.obs.text();
      r.completed_by[done.step] = static_cast<int>(i);
    }
    r.state = o.next;
  }
  r.ok = true;
  return r;
}

ModelRun run(std::string_view fcp, const Profile& profile) { return run(parse(fcp), profile); }

StepResult last_step(const Program& program, const Profile& profile) {
  if (program.steps.empty()) {
    ADD_FAILURE() << "empty program";
    return {};
  }
  Program prefix = program;
  prefix.steps.pop_back();
  ModelRun r = run(prefix, profile);
  // The prefix's states do not depend on later steps, so the last step is
  // applied to the state the prefix reached, with the whole program.
  return apply(*r.state, program, program.steps.size() - 1);
}

StepResult last_step(std::string_view fcp, const Profile& profile) {
  return last_step(parse(fcp), profile);
}

std::set<std::string> allowed_last(std::string_view fcp, const Profile& profile) {
  std::set<std::string> result;
  for (const Outcome& o : last_step(fcp, profile).outcomes) result.insert(o.obs.text());
  return result;
}

std::string special_of_last(const Program& program, const Profile& profile) {
  StepResult step = last_step(program, profile);
  return step.special ? kind_name(step.special->kind) : "";
}

std::string special_of_last(std::string_view fcp, const Profile& profile) {
  return special_of_last(parse(fcp), profile);
}

std::string kind_name(Special::Kind kind) {
  switch (kind) {
    case Special::Kind::Invalid: return "Invalid";
    case Special::Kind::NotModeled: return "NotModeled";
    case Special::Kind::Undefined: return "Undefined";
  }
  return "?";
}

}  // namespace fc::oracle::testing
