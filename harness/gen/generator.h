// Model-guided program generation.
//
// A program is grown one step at a time: pick a runnable actor, an op by the
// suite's weights, and arguments from small generators that look at the
// model's view of that actor (its open fds, regions, children). The model
// then applies the step; a step it refuses (Invalid, NotModeled) or one that
// would block while another actor is already blocked is discarded and
// another is drawn. Every program generated is therefore valid by
// construction, and its blocking is one the executor can enforce.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/ir/program.h"
#include "oracles/model.h"

namespace fc {

// Deterministic, platform-independent random source (splitmix64).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // Uniform in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  std::int64_t range(std::int64_t lo, std::int64_t hi) {  // inclusive
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  bool percent(int p) { return below(100) < static_cast<std::uint64_t>(p); }
  template <typename T>
  const T& pick(const std::vector<T>& items) { return items[below(items.size())]; }

 private:
  std::uint64_t state_;
};

// Mixes a campaign seed, a suite name and a case index into one case seed.
std::uint64_t case_seed(std::uint64_t seed, const std::string& suite, std::uint64_t index);

constexpr std::size_t kOpCount = [] {
  std::size_t n = 0;
#define FC_OP(Enum, Text, Area, A0, A1, A2, Flags) ++n;
#include "harness/ir/ops.def"
#undef FC_OP
  return n;
}();

// What a suite generates.
struct GenProfile {
  std::array<int, kOpCount> weights{};  // relative weight per Op; 0 = never
  int max_actors = 5;                    // P0 included
  int min_steps = 4;
  int max_steps = 40;                    // at full size
  int exit_status_max = 255;             // exit statuses drawn from [0, max]
  int invalid_arg_percent = 8;           // how often arguments aim at errors
  // issue 4 (groups): steer towards job-control shapes (orphaned process
  // groups): P0 never exits, an exit mostly comes from a process with live
  // children, kill mostly stops a child, setpgid mostly names the caller or
  // a child.
  bool job_control_bias = false;
  // issue 3 (libc layer): P0 never exits or execs, so it outlives the other
  // actors and can observe what their exits left behind (files, logs).
  bool keep_root = false;
  /* ---- pid namespaces (issue 4, pidns) ---- */
  // Every generated program is a pidns program (Program::pidns).
  bool pidns = false;

  GenProfile& weight(Op op, int w) {
    weights[static_cast<std::size_t>(op)] = w;
    return *this;
  }
  int weight_of(Op op) const { return weights[static_cast<std::size_t>(op)]; }
};

// size in [0, 100] scales the number of steps (RapidCheck's size).
Program generate(const GenProfile& profile, const oracle::Profile& model, std::uint64_t seed,
                 int size);

}  // namespace fc
