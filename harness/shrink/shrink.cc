#include "harness/shrink/shrink.h"

#include <map>
#include <optional>
#include <set>

#include "harness/check/check.h"

namespace fc {

bool plannable(const Program& program, const oracle::Profile& profile) {
  if (structural_error(program)) return false;
  PlanResult result = plan(program, profile);
  return result.plan.has_value();
}

namespace {

// Actor `root` and every actor it (transitively) forks.
std::set<ActorId> subtree(const Program& program, ActorId root) {
  std::set<ActorId> members{root};
  for (const Step& step : program.steps) {
    if ((info(step.op).flags & FC_OPF_CREATES_ACTOR) && members.count(step.actor)) {
      members.insert(step.out);
    }
  }
  return members;
}

Program without_actor(const Program& program, ActorId actor) {
  std::set<ActorId> gone = subtree(program, actor);
  Program result;
  result.pidns = program.pidns;  // issue 4, pidns
  for (const Step& step : program.steps) {
    bool creates_gone = (info(step.op).flags & FC_OPF_CREATES_ACTOR) && gone.count(step.out);
    if (gone.count(step.actor) || creates_gone) continue;
    result.steps.push_back(step);
  }
  return result;
}

// The fork that created `actor`, made by its creator's creator instead (one
// generation up), when that is an actor: shortens fork chains.
std::optional<Program> hoisted_fork(const Program& program, std::size_t index) {
  const Step& fork = program.steps[index];
  if (!(info(fork.op).flags & FC_OPF_CREATES_ACTOR) || fork.actor == 0) return std::nullopt;
  for (const Step& step : program.steps) {
    if ((info(step.op).flags & FC_OPF_CREATES_ACTOR) && step.out == fork.actor) {
      Program result = program;
      result.steps[index].actor = step.actor;
      return result;
    }
  }
  return std::nullopt;
}

Program without_range(const Program& program, std::size_t begin, std::size_t end) {
  Program result;
  result.pidns = program.pidns;  // issue 4, pidns
  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    if (i < begin || i >= end) result.steps.push_back(program.steps[i]);
  }
  return result;
}

// Simpler values for one argument, simplest first.
std::vector<std::int64_t> simpler_values(int kind, std::int64_t value) {
  std::vector<std::int64_t> values;
  switch (kind) {
    case FC_ARG_INT:
    case FC_ARG_VALUE:
    case FC_ARG_SLOT:
    case FC_ARG_FILE:
    case FC_ARG_COUNT:
      if (value != 0) values.push_back(0);
      if (value > 1) values.push_back(1);
      if (value > 2 || value < -2) values.push_back(value / 2);
      if (value < 0) values.push_back(-value);
      break;
    case FC_ARG_OFLAGS:
    case FC_ARG_PIPEFLAGS:
    case FC_ARG_DUPFLAGS:
    case FC_ARG_WAITOPTS:
    case FC_ARG_FDFLAGS:
      // Clear one bit at a time (keeping the access mode bits for last).
      for (std::int64_t bit = 0x80; bit >= 1; bit >>= 1) {
        if (value & bit) values.push_back(value & ~bit);
      }
      break;
    case FC_ARG_FD:
      if (value > 0) values.push_back(value - 1);
      break;
    case FC_ARG_WHENCE:
    case FC_ARG_IDTYPE:
    case FC_ARG_MAPKIND:
    case FC_ARG_EXITSIG:      // issue 3
    case FC_ARG_CLONE3ARGS:   // issue 3
      if (value != 0) values.push_back(0);
      break;
    case FC_ARG_CLONEFLAGS:  // issue 3: clear one flag at a time
      for (std::int64_t bit = FC_CLONE_CSIGNAL; bit >= 1; bit >>= 1) {
        if (value & bit) values.push_back(value & ~bit);
      }
      break;
    default: break;
  }
  return values;
}

}  // namespace

std::vector<Program> shrink_candidates(const Program& program, const oracle::Profile& profile) {
  std::vector<Program> raw;
  // 1. Whole actors, the latest-created first (usually the smallest subtree).
  std::vector<ActorId> actors = program.actors();
  for (auto it = actors.rbegin(); it != actors.rend(); ++it) {
    if (*it != 0) raw.push_back(without_actor(program, *it));
  }
  // 2. Chunks of steps, from halves down to single steps.
  const std::size_t n = program.steps.size();
  for (std::size_t chunk = n / 2; chunk >= 1; chunk /= 2) {
    for (std::size_t begin = 0; begin + chunk <= n; begin += chunk) {
      raw.push_back(without_range(program, begin, begin + chunk));
    }
    if (chunk == 1) break;
  }
  // 3. Shorter fork chains.
  for (std::size_t i = 0; i < n; ++i) {
    if (auto hoisted = hoisted_fork(program, i)) raw.push_back(std::move(*hoisted));
  }
  // 4. Simpler arguments and data.
  for (std::size_t i = 0; i < n; ++i) {
    const Step& step = program.steps[i];
    const OpInfo& op = info(step.op);
    if (step.data.size() > 1) {
      Program shorter = program;
      shorter.steps[i].data = step.data.substr(0, step.data.size() / 2);
      raw.push_back(std::move(shorter));
    }
    for (int a = 0; a < 3; ++a) {
      for (std::int64_t value : simpler_values(op.arg_kinds[a], step.args[a])) {
        Program simpler = program;
        simpler.steps[i].args[a] = value;
        raw.push_back(std::move(simpler));
      }
    }
  }

  std::vector<Program> candidates;
  for (Program& candidate : raw) {
    if (candidate.steps.size() < program.steps.size() || candidate != program) {
      if (plannable(candidate, profile)) candidates.push_back(std::move(candidate));
    }
  }
  return candidates;
}

Program canonical_names(const Program& program) {
  std::map<int, int> actors{{0, 0}}, regions;
  Program result = program;
  for (Step& step : result.steps) {
    const OpInfo& op = info(step.op);
    if (op.flags & FC_OPF_CREATES_ACTOR) {
      actors.emplace(step.out, static_cast<int>(actors.size()));
    } else if (op.flags & FC_OPF_CREATES_REGION) {
      regions.emplace(step.out, static_cast<int>(regions.size()));
    }
  }
  auto rename = [](const std::map<int, int>& names, std::int64_t id) -> std::int64_t {
    auto it = names.find(static_cast<int>(id));
    return it == names.end() ? id : it->second;
  };
  for (Step& step : result.steps) {
    const OpInfo& op = info(step.op);
    step.actor = static_cast<ActorId>(rename(actors, step.actor));
    if (op.flags & FC_OPF_CREATES_ACTOR) step.out = static_cast<int>(rename(actors, step.out));
    if (op.flags & FC_OPF_CREATES_REGION) step.out = static_cast<int>(rename(regions, step.out));
    for (int a = 0; a < 3; ++a) {
      if (op.arg_kinds[a] == FC_ARG_PIDSEL && step.args[a] >= 0) {
        step.args[a] = rename(actors, step.args[a]);
      } else if ((op.arg_kinds[a] == FC_ARG_PROCSEL || op.arg_kinds[a] == FC_ARG_PGID) &&
                 step.args[a] >= 0) {  // issue 4 (groups): actors named by setpgid & co.
        step.args[a] = rename(actors, step.args[a]);
      } else if (op.arg_kinds[a] == FC_ARG_PIDSEL && FC_PIDSEL_IS_GROUP(step.args[a])) {
        // issue 4 (groups): waitpid(-pgid) names the actor whose pid is the pgid.
        step.args[a] = FC_PIDSEL_GROUP(rename(actors, FC_PIDSEL_GROUP_ACTOR(step.args[a])));
      } else if (op.arg_kinds[a] == FC_ARG_REGION) {
        step.args[a] = rename(regions, step.args[a]);
      }
    }
  }
  return result;
}

Program shrink(Program failing, const oracle::Profile& profile,
               const std::function<bool(const Program&)>& still_fails, int max_attempts,
               ShrinkStats* stats) {
  ShrinkStats local;
  ShrinkStats& s = stats ? *stats : local;
  bool improved = true;
  while (improved && s.attempts < max_attempts) {
    improved = false;
    for (const Program& candidate : shrink_candidates(failing, profile)) {
      if (s.attempts >= max_attempts) break;
      ++s.attempts;
      if (still_fails(candidate)) {
        ++s.accepted;
        failing = candidate;
        improved = true;
        break;
      }
    }
  }
  // Renaming changes no semantics (names are symbols): P1, P2... in creation order.
  return canonical_names(failing);
}

}  // namespace fc
