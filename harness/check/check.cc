#include "harness/check/check.h"

#include <algorithm>
#include <set>

#include "harness/ir/fcp.h"

namespace fc {
namespace {

// The checker follows at most this many model states at once. Programs
// generated here allow few (wait(-1) with several zombies); a larger set is
// cut, keeping the first ones, and the cut is stated in the verdict.
constexpr std::size_t kMaxStates = 32;

bool is_blocked(const Observation& obs) { return obs == Observation::blocked(); }

std::string special_kind(oracle::Special::Kind kind) {
  switch (kind) {
    case oracle::Special::Kind::Invalid: return "invalid";
    case oracle::Special::Kind::NotModeled: return "not modeled";
    case oracle::Special::Kind::Undefined: return "undefined";
  }
  return "?";
}

}  // namespace

std::string PlanRefusal::text() const {
  return "step " + std::to_string(step) + " is " + special_kind(special.kind) + ": " +
         special.message;
}

PlanResult plan(const Program& program, const oracle::Profile& profile) {
  PlanResult result;
  Plan plan;
  plan.unblock_by.assign(program.steps.size(), -1);
  plan.expected.resize(program.steps.size());
  plan.rules.resize(program.steps.size());
  plan.sync.assign(program.steps.size(), FC_SYNC_NONE);  // issue 4
  plan.sync_deaths.assign(program.steps.size(), {});    // issue 4 (groups)
  oracle::StatePtr state = oracle::initial_state(profile);
  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    oracle::StepResult step = oracle::apply(*state, program, i);
    if (step.outcomes.empty()) {
      result.refusal = PlanRefusal{
          i, step.special.value_or(oracle::Special{oracle::Special::Kind::Invalid, "no outcome"})};
      return result;
    }
    const oracle::Outcome& first = step.outcomes.front();
    plan.expected[i] = first.obs;
    plan.rules[i] = first.rules;
    plan.sync[i] = first.sync;  // issue 4
    plan.sync_deaths[i] = first.sync_deaths;  // issue 4 (groups)
    if (is_blocked(first.obs)) plan.unblock_by[i] = FC_BLOCKS_FOREVER;
    for (const oracle::Completion& done : first.completed) {
      plan.unblock_by[done.step] = static_cast<int>(i);
      plan.expected[done.step] = done.obs;
    }
    state = first.next;
  }
  result.plan = std::move(plan);
  return result;
}

std::string_view kind_name(Divergence::Kind kind) {
  switch (kind) {
    case Divergence::Kind::Mismatch: return "mismatch";
    case Divergence::Kind::ReturnedEarly: return "returned-early";
    case Divergence::Kind::NotBlocked: return "not-blocked";
    case Divergence::Kind::Blocked: return "blocked";
    case Divergence::Kind::Timeout: return "timeout";
  }
  return "?";
}

std::string Divergence::explain() const {
  std::string text = "step " + std::to_string(step) + " `" + step_text + "`: ";
  switch (kind) {
    case Kind::Mismatch: text += "observed " + observed; break;
    case Kind::ReturnedEarly:
      text += "returned (" + observed + ") before the step that should unblock it had started";
      break;
    case Kind::NotBlocked:
      text += "returned (" + observed + ") but the model says it blocks until the program ends";
      break;
    case Kind::Blocked: text += "blocked and never returned"; break;
    case Kind::Timeout: text += "the program stopped here: " + observed; break;
  }
  if (!allowed.empty()) {
    text += " / allowed are only: ";
    for (std::size_t i = 0; i < allowed.size(); ++i) {
      if (i) text += " | ";
      text += allowed[i];
    }
  }
  if (!rules.empty()) {
    text += " [";
    for (std::size_t i = 0; i < rules.size(); ++i) text += (i ? ", " : "") + rules[i];
    text += "]";
  }
  return text;
}

std::string Divergence::signature(const Program& program) const {
  std::string text = std::string(kind_name(kind)) + ":" +
                     std::string(info(program.steps.at(step).op).name);
  if (!fields.empty()) {
    text += "[";
    for (std::size_t i = 0; i < fields.size(); ++i) text += (i ? "," : "") + fields[i];
    text += "]";
  }
  return text;
}

namespace {

// Keys whose values differ between the observed and the allowed observation.
std::vector<std::string> differing_fields(const Observation& observed,
                                          const Observation& allowed) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : allowed.fields()) {
    if (observed.get(key) != value) keys.push_back(key);
  }
  for (const auto& [key, value] : observed.fields()) {
    bool known = false;
    for (const auto& [k, v] : allowed.fields()) known = known || k == key;
    if (!known) keys.push_back(key);
  }
  return keys;
}

// Does outcome `o` of step `index` agree with the trace?
bool agrees(const oracle::Outcome& o, std::size_t index, const Trace& trace) {
  const StepTrace& own = trace.steps[index];
  if (is_blocked(o.obs)) {
    // Predicted to block: it must not have returned before some later step
    // started. Whether it returned at the right step is checked when the
    // model completes it (or at the end of the program).
    if ((own.state == StepTrace::State::Done || own.state == StepTrace::State::Late) &&
        own.progress <= static_cast<int>(index)) {
      return false;
    }
  } else {
    if (own.state != StepTrace::State::Done && own.state != StepTrace::State::Late) return false;
    if (!(own.obs == o.obs)) return false;
  }
  for (const oracle::Completion& done : o.completed) {
    const StepTrace& blocked = trace.steps[done.step];
    if (blocked.state != StepTrace::State::Done && blocked.state != StepTrace::State::Late) {
      return false;
    }
    if (!(blocked.obs == done.obs)) return false;
    if (blocked.progress < static_cast<int>(index)) return false;  // returned too early
  }
  return true;
}

std::string observed_text(const StepTrace& step) {
  switch (step.state) {
    case StepTrace::State::NotStarted: return "not started";
    case StepTrace::State::Blocked: return "state=blocked";
    case StepTrace::State::Late:
    case StepTrace::State::Done: return step.obs.text();
  }
  return "?";
}

std::string outcome_text(const oracle::Outcome& o, std::size_t index) {
  std::string text = o.obs.text();
  for (const oracle::Completion& done : o.completed) {
    text += "; step " + std::to_string(done.step) + " returns " + done.obs.text();
  }
  (void)index;
  return text;
}

}  // namespace

Verdict check(const Program& program, const Trace& trace, const oracle::Profile& profile) {
  Verdict verdict;
  if (trace.steps.size() != program.steps.size()) {
    verdict.inconclusive = "trace has " + std::to_string(trace.steps.size()) +
                           " steps, program has " + std::to_string(program.steps.size());
    return verdict;
  }
  if (trace.end == Trace::End::Error) {
    verdict.inconclusive = "executor error: " + trace.message;
    return verdict;
  }

  std::vector<oracle::StatePtr> states{oracle::initial_state(profile)};
  // Steps the followed path predicts are blocked and not yet completed.
  std::set<std::size_t> pending_blocked;

  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    const StepTrace& own = trace.steps[i];
    if (own.state == StepTrace::State::NotStarted) {
      // The executor stopped before this step: a hang or a crash.
      Divergence d;
      d.kind = Divergence::Kind::Timeout;
      d.step = i;
      d.step_text = print_step(program.steps[i]);
      d.observed = trace.end == Trace::End::Timeout
                       ? "watchdog timeout before this step started"
                       : "the executor never started this step";
      // Name the step that did not return, if any.
      auto reported = [&](std::size_t k) {
        for (const Divergence& earlier : verdict.divergences) {
          if (earlier.step == k) return true;
        }
        return false;
      };
      for (std::size_t k = 0; k < i; ++k) {
        if (trace.steps[k].state == StepTrace::State::Blocked && !pending_blocked.count(k) &&
            !reported(k)) {
          Divergence blocked;
          blocked.kind = Divergence::Kind::Blocked;
          blocked.step = k;
          blocked.step_text = print_step(program.steps[k]);
          blocked.observed = "state=blocked";
          verdict.divergences.push_back(blocked);
        }
      }
      verdict.divergences.push_back(d);
      return verdict;
    }

    std::vector<oracle::Outcome> all;
    for (const oracle::StatePtr& state : states) {
      oracle::StepResult result = oracle::apply(*state, program, i);
      if (result.special) {
        const oracle::Special& special = *result.special;
        if (special.kind == oracle::Special::Kind::Undefined) {
          verdict.inconclusive = "step " + std::to_string(i) + " is undefined: " + special.message;
        } else {
          verdict.inconclusive = "step " + std::to_string(i) + " is " +
                                 special_kind(special.kind) + ": " + special.message;
        }
        return verdict;
      }
      for (oracle::Outcome& o : result.outcomes) all.push_back(std::move(o));
    }

    std::vector<oracle::StatePtr> next;
    const oracle::Outcome* followed = nullptr;
    auto follow = [&next](const oracle::StatePtr& state) {
      for (const oracle::StatePtr& known : next) {
        if (oracle::equivalent(*known, *state)) return;
      }
      if (next.size() < kMaxStates) next.push_back(state);
    };
    for (const oracle::Outcome& o : all) {
      if (agrees(o, i, trace)) {
        if (!followed) followed = &o;
        follow(o.next);
      }
    }

    if (!followed) {
      Divergence d;
      d.step = i;
      d.step_text = print_step(program.steps[i]);
      std::set<std::string> allowed;
      for (const oracle::Outcome& o : all) {
        allowed.insert(outcome_text(o, i));
        for (const std::string& rule : o.rules) {
          if (std::find(d.rules.begin(), d.rules.end(), rule) == d.rules.end()) {
            d.rules.push_back(rule);
          }
        }
      }
      d.allowed.assign(allowed.begin(), allowed.end());
      const oracle::Outcome& model = all.front();
      d.observed = observed_text(own);
      if (!is_blocked(model.obs) && own.state == StepTrace::State::Blocked) {
        d.kind = Divergence::Kind::Blocked;
      } else if (is_blocked(model.obs)) {
        d.kind = Divergence::Kind::ReturnedEarly;
      } else {
        d.kind = Divergence::Kind::Mismatch;
        // The fields that differ from the closest allowed outcome.
        for (const oracle::Outcome& o : all) {
          std::vector<std::string> keys = differing_fields(own.obs, o.obs);
          if (d.fields.empty() || keys.size() < d.fields.size()) d.fields = keys;
        }
      }
      // Name completions that disagree, if the step itself agrees.
      if (d.kind == Divergence::Kind::Mismatch && own.obs == model.obs) {
        for (const oracle::Completion& done : model.completed) {
          const StepTrace& blocked = trace.steps[done.step];
          d.observed += "; step " + std::to_string(done.step) + " returned " +
                        observed_text(blocked) +
                        (blocked.progress < static_cast<int>(i) && blocked.progress >= 0
                             ? " (before this step started)"
                             : "");
        }
      }
      verdict.divergences.push_back(std::move(d));
      followed = &model;
      for (const oracle::Outcome& o : all) follow(o.next);
    }

    if (is_blocked(followed->obs)) pending_blocked.insert(i);
    for (const oracle::Completion& done : followed->completed) pending_blocked.erase(done.step);
    states = std::move(next);
  }

  // Steps the model leaves blocked must still be blocked on the target.
  for (std::size_t k : pending_blocked) {
    const StepTrace& step = trace.steps[k];
    if (step.state == StepTrace::State::Done || step.state == StepTrace::State::Late) {
      Divergence d;
      d.kind = Divergence::Kind::NotBlocked;
      d.step = k;
      d.step_text = print_step(program.steps[k]);
      d.observed = step.obs.text();
      d.allowed = {"state=blocked"};
      verdict.divergences.push_back(std::move(d));
    }
  }
  if (trace.end == Trace::End::Timeout && verdict.divergences.empty()) {
    verdict.inconclusive = "watchdog timeout after every step had started (turn " +
                           std::to_string(trace.turn) + ")";
  }
  return verdict;
}

}  // namespace fc
