// forkconf program IR.
//
// A program is a list of steps in the order the executor enforces. Each step
// is executed by one actor (a process; P0 is the root). Steps that create
// things name them: fork creates an actor, mmap creates a region. Names are
// stable labels, so removing a step while shrinking never renames another.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
#include "harness/ir/wire.h"
}

namespace fc {

enum class Area : std::uint8_t {
  Process, Memory, Fds, Exec, Signal /* issue 4 */, Pidfd /* issue 4, pidfd */, Libc /* issue 3 */
};

enum class Op : std::uint8_t {
#define FC_OP(Enum, Text, Area, A0, A1, A2, Flags) Enum,
#include "harness/ir/ops.def"
#undef FC_OP
};

struct OpInfo {
  Op op;
  std::string_view name;  // text-format name
  Area area;
  std::array<int, 3> arg_kinds;  // FC_ARG_*
  unsigned flags;                // FC_OPF_*
};

// Table of every op, indexed by static_cast<size_t>(Op).
const std::vector<OpInfo>& op_table();
const OpInfo& info(Op op);
std::optional<Op> op_by_name(std::string_view name);
std::string_view area_name(Area area);

using ActorId = int;   // P<n>
using RegionId = int;  // M<n>

struct Step {
  ActorId actor = 0;
  Op op = Op::GetPid;
  std::array<std::int64_t, 3> args{};  // meaning per OpInfo::arg_kinds
  std::string data;                     // FC_ARG_BYTES payload
  int out = -1;                         // actor (fork) or region (mmap) created

  bool operator==(const Step&) const = default;
};

struct Program {
  std::vector<Step> steps;
  /* ---- pid namespaces (issue 4, pidns) ---- */
  // P0 is the init (pid 1) of a pid namespace of its own, created for it by
  // the run's reaper, which stays outside (oracles/spec/pidns.md). Text
  // format: a `pidns` directive line before the first step; wire: a 4th
  // PROG field `pidns`.
  bool pidns = false;

  bool operator==(const Program&) const = default;

  // Actors named by the program: P0 and every fork's out.
  std::vector<ActorId> actors() const;
};

// Structural validity, independent of semantics: every step's actor exists
// (is P0 or created by an earlier fork that the actor's creator ran), names
// are created once, regions are created before use, arguments are in range.
// Returns the first offending step and an explanation when invalid.
struct StructuralError {
  std::size_t step = 0;
  std::string message;
  std::string text() const { return "step " + std::to_string(step) + ": " + message; }
};
std::optional<StructuralError> structural_error(const Program& program);

}  // namespace fc
