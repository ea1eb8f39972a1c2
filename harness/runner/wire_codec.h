// The runner's side of harness/ir/wire.h: programs out, result blocks in.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/check/check.h"
#include "harness/ir/program.h"

namespace fc {

std::string encode_program(const Program& program, const Plan& plan, std::uint64_t id,
                           int timeout_ms);

struct RawStep {
  std::size_t step = 0;
  std::string state;  // done | blocked | late
  std::int64_t ret = 0;
  int err = 0;
  std::int64_t aux[4] = {0, 0, 0, 0};
  std::string data;
};

struct RawResult {
  std::uint64_t id = 0;
  std::string mode;  // pidns | subreaper
  std::int64_t reaper_pid = 0;
  std::map<int, std::int64_t> actor_pids;
  std::vector<RawStep> steps;
  std::string end;  // ok | timeout | error
  int turn = 0;
  std::string message;
};

// Incremental parser of the executor's output. Feed lines; a complete block
// yields a RawResult. Garbage, a block for another program, a missing field or
// a step index out of range is an error naming the line: the target is then
// considered broken (never a pass).
class ResultParser {
 public:
  explicit ResultParser(std::uint64_t expected_id, std::size_t nsteps)
      : expected_id_(expected_id), nsteps_(nsteps) {}

  enum class Status { NeedMore, Complete, Error };
  Status feed(const std::string& line);
  RawResult& result() { return result_; }
  const std::string& error() const { return error_; }

 private:
  Status fail(const std::string& line, const std::string& why);
  std::uint64_t expected_id_;
  std::size_t nsteps_;
  bool begun_ = false;
  RawResult result_;
  std::string error_;
};

// Raw numbers to symbols (harness/ir/OBSERVATIONS.md).
Trace normalize(const Program& program, const RawResult& raw);

}  // namespace fc
