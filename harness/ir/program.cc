#include "harness/ir/program.h"

#include <set>

namespace fc {

const std::vector<OpInfo>& op_table() {
  static const std::vector<OpInfo> table = {
#define FC_OP(Enum, Text, AreaName, A0, A1, A2, Flags) \
  OpInfo{Op::Enum, Text, Area::AreaName, {A0, A1, A2}, Flags},
#include "harness/ir/ops.def"
#undef FC_OP
  };
  return table;
}

const OpInfo& info(Op op) { return op_table().at(static_cast<std::size_t>(op)); }

std::optional<Op> op_by_name(std::string_view name) {
  for (const OpInfo& entry : op_table()) {
    if (entry.name == name) return entry.op;
  }
  return std::nullopt;
}

std::string_view area_name(Area area) {
  switch (area) {
    case Area::Process: return "process";
    case Area::Memory: return "memory";
    case Area::Fds: return "fds";
    case Area::Exec: return "exec";
    case Area::Signal: return "signal";  // issue 4
    case Area::Pidfd: return "pidfd";  // issue 4, pidfd
    case Area::Libc: return "libc";  // issue 3
  }
  return "?";
}

std::vector<ActorId> Program::actors() const {
  std::vector<ActorId> result{0};
  for (const Step& step : steps) {
    if (info(step.op).flags & FC_OPF_CREATES_ACTOR) result.push_back(step.out);
  }
  return result;
}

namespace {

std::optional<std::string> argument_error(const Step& step, int kind, std::int64_t value,
                                          const std::set<RegionId>& regions,
                                          const std::set<ActorId>& actors) {
  auto out_of = [&](std::int64_t lo, std::int64_t hi) -> std::optional<std::string> {
    if (value < lo || value > hi) {
      return "argument " + std::to_string(value) + " out of range [" + std::to_string(lo) +
             ", " + std::to_string(hi) + "]";
    }
    return std::nullopt;
  };
  switch (kind) {
    case FC_ARG_NONE: return out_of(0, 0);
    case FC_ARG_FD: return out_of(-1, FC_MAX_PROGRAM_FD);
    case FC_ARG_INT: return out_of(-(1LL << 40), 1LL << 40);
    case FC_ARG_PIDSEL:
      if (value == FC_PIDSEL_ANY || value == FC_PIDSEL_PGRP) return std::nullopt;
      if (FC_PIDSEL_IS_GROUP(value)) value = FC_PIDSEL_GROUP_ACTOR(value);  // issue 4 (groups)
      if (!actors.count(static_cast<ActorId>(value))) {
        return "pid selector names P" + std::to_string(value) + ", which no earlier step created";
      }
      return std::nullopt;
    case FC_ARG_REGION:
      if (!regions.count(static_cast<RegionId>(value))) {
        return "region M" + std::to_string(value) + " is not created by an earlier step";
      }
      return std::nullopt;
    case FC_ARG_SLOT: return out_of(0, FC_REGION_SLOTS - 1);
    case FC_ARG_VALUE: return std::nullopt;
    case FC_ARG_FILE: return out_of(0, FC_MAX_FILES - 1);
    case FC_ARG_OFLAGS: return out_of(0, 0xff);
    case FC_ARG_PIPEFLAGS: return out_of(0, FC_O_CLOEXEC | FC_O_NONBLOCK | 0xff);
    case FC_ARG_DUPFLAGS: return out_of(0, 0xff);
    case FC_ARG_WAITOPTS: return out_of(0, 0x7 | FC_WUNTRACED | FC_WCONTINUED);  // issue 4
    case FC_ARG_IDTYPE: return out_of(0, 2);
    case FC_ARG_FDFLAGS: return out_of(0, 1);
    case FC_ARG_WHENCE: return out_of(0, 2);
    case FC_ARG_MAPKIND: return out_of(0, 1);
    case FC_ARG_COUNT: return out_of(0, FC_MAX_IO);
    case FC_ARG_CLONEFLAGS: return out_of(0, FC_CLONE_ALL);      // issue 3
    case FC_ARG_EXITSIG: return out_of(0, FC_EXITSIG_WIDE);      // issue 3
    case FC_ARG_CLONE3ARGS: return out_of(0, FC_C3_LAST);        // issue 3
    case FC_ARG_BYTES:
      if (step.data.size() > FC_MAX_IO) return std::string("data longer than FC_MAX_IO bytes");
      return out_of(0, 0);
    /* ---- signals (issue 4) ---- */
    case FC_ARG_SIGNAL: return out_of(0, FC_MAX_SIGNAL);
    case FC_ARG_DISP: return out_of(FC_DISP_DFL, FC_DISP_HANDLER);
    case FC_ARG_SAFLAGS: return out_of(0, FC_SA_NOCLDSTOP | FC_SA_NOCLDWAIT);
    /* ---- process groups and sessions (issue 4, groups) ---- */
    case FC_ARG_PROCSEL:
    case FC_ARG_PGID:
      if (value == FC_PROCSEL_SELF || (kind == FC_ARG_PGID && value == FC_PGID_NEGATIVE)) {
        return std::nullopt;
      }
      if (!actors.count(static_cast<ActorId>(value))) {
        return "argument names P" + std::to_string(value) + ", which no earlier step created";
      }
      return std::nullopt;
    /* ---- vfork and exec (issue 3) ---- */
    case FC_ARG_SIGHOW: return out_of(FC_SIG_BLOCK, FC_SIG_HOW_BAD);
    case FC_ARG_SIGSET:
      if (value < 0 || (value & ~static_cast<std::int64_t>(FC_SIGSET_MASKABLE)) != 0) {
        return "signal set " + std::to_string(value) + " holds signals forkconf does not mask";
      }
      return std::nullopt;
    case FC_ARG_ATFORK: return out_of(0, FC_ATFORK_ALL);  // issue 3 (libc layer)
    case FC_ARG_SPAWNFA: return out_of(0, FC_SPAWN_FA_LAST);  // issue 3
    case FC_ARG_SPAWNATTR: return out_of(0, FC_SPAWN_ALL);  // issue 3
    /* ---- inheritance (issue 3) ---- */
    case FC_ARG_LOCKKIND: return out_of(0, FC_LOCK_LAST);
    case FC_ARG_MADVICE: return out_of(FC_MADV_WIPEONFORK, FC_MADV_KEEPONFORK);
    case FC_ARG_ITIMER: return out_of(0, FC_ITIMER_LAST);
    case FC_ARG_ALTSTACK: return out_of(0, FC_ALTSTACK_LAST);
    case FC_ARG_PROBE: return out_of(0, FC_PROBE_LAST);  // issue 3, clone_flags
  }
  return "unknown argument kind";
}

}  // namespace

std::optional<StructuralError> structural_error(const Program& program) {
  auto at = [](std::size_t index, std::string message) {
    return StructuralError{index, std::move(message)};
  };
  if (program.steps.size() > FC_MAX_STEPS) return at(FC_MAX_STEPS, "more than FC_MAX_STEPS steps");
  std::set<ActorId> actors{0};
  std::set<RegionId> regions;
  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    const Step& step = program.steps[i];
    const OpInfo& op = info(step.op);
    if (!actors.count(step.actor)) {
      return at(i, "actor P" + std::to_string(step.actor) + " is not created by an earlier step");
    }
    for (int a = 0; a < 3; ++a) {
      if (auto error = argument_error(step, op.arg_kinds[a], step.args[a], regions, actors)) {
        return at(i, std::string(op.name) + ": " + *error);
      }
    }
    if (op.flags & FC_OPF_CREATES_ACTOR) {
      if (step.out < 1 || step.out >= FC_MAX_ACTORS || actors.count(step.out)) {
        return at(i, "fork must name a new actor P1..P" + std::to_string(FC_MAX_ACTORS - 1));
      }
      actors.insert(step.out);
    } else if (op.flags & FC_OPF_CREATES_REGION) {
      if (step.out < 0 || step.out >= FC_MAX_REGIONS || regions.count(step.out)) {
        return at(i, "mmap must name a new region M0..M" + std::to_string(FC_MAX_REGIONS - 1));
      }
      regions.insert(step.out);
    } else if (step.out != -1) {
      return at(i, std::string(op.name) + " creates nothing");
    }
  }
  return std::nullopt;
}

}  // namespace fc
