// The .fcp text format: one step per line, in the enforced order.
//
//   # forkconf program            <- comments start with '#'
//   P0 mmap shared -> M0          <- actor, op, arguments, "-> name" for creations
//   P0 fork -> P1
//   P1 store M0 2 77
//   P1 _exit 300
//   P0 waitpid P1 0               # => ret=P1 status=exited(44)
//
// A `pidns` line before the first step is a directive (issue 4, pidns): P0 is
// the init of a pid namespace of its own (Program::pidns).
//
// Arguments by kind: fds and integers in decimal; pid selectors P<n>, any,
// pgrp; regions M<n>; files f<n>; flags as NAME|NAME (or 0, or 0x<hex> for
// bits with no name); whence SEEK_*; mapping kind private|shared; data as a
// double-quoted string with C escapes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/ir/program.h"

namespace fc {

struct ParseError {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string message;
  std::string text() const;  // "line 3, column 9: unknown op 'frok'"
};

std::variant<Program, ParseError> parse_fcp(std::string_view text);

struct PrintOptions {
  // Optional trailing comment per step (e.g. "=> ret=P1"); empty = none.
  std::vector<std::string> comments;
  std::vector<std::string> header;  // lines printed as "# ..." first
};

std::string print_fcp(const Program& program, const PrintOptions& options = {});
std::string print_step(const Step& step);
// One argument in text form, by kind.
std::string format_arg(int kind, std::int64_t value, const Step& step);

}  // namespace fc
