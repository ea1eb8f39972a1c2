// Close-on-exec race trials on a target (suite cloexec_race, issue 5).
//
// A batch is one `fcp-exec race PATH SPAWNER TRIALS THREADS TIMEOUT_MS`
// process (behind the target's wrapper for wrap:CMD); each of its trials is
// checked against oracles/cloexec_race.h: an atomic path's leak is a
// divergence, the racy paths' leaks are counted (their rate is evidence that
// the race window is really opened).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/runner/target.h"
#include "oracles/cloexec_race.h"

namespace fc {

struct RaceTrial {
  int created = 0;
  int held = 0;
};

struct RaceBatch {
  std::string path;
  std::string spawner;
  int threads = 0;
  std::string mode;  // containment the executor used: pidns | pgroup
  std::vector<RaceTrial> trials;
  std::optional<TargetError> error;  // crash, garbage, timeout, bad setup
};

// Runs one batch on the target (host or wrap:CMD).
RaceBatch run_race(const TargetSpec& target, const std::string& path, const std::string& spawner,
                   int trials, int threads, int timeout_ms);

// The divergence of one trial, if the model does not allow it.
std::optional<std::string> check_race_trial(const oracle::race::PathInfo& path,
                                            const std::string& spawner, int trial_index,
                                            const RaceTrial& trial, const oracle::Profile& model);

// Command lines that reproduce a divergent pair.
std::string race_repro(const TargetSpec& target, const std::string& path,
                       const std::string& spawner, int threads, int trials);

// Per path x spawner: trials, trials in which the image held any created
// descriptor ("leaks"), divergent trials.
struct RaceStat {
  std::string path;
  std::string spawner;
  std::string kind;  // atomic | racy | kept
  int trials = 0;
  int leaks = 0;
  int divergent = 0;
  long created = 0;
  long held = 0;
  double leak_rate() const { return trials > 0 ? static_cast<double>(leaks) / trials : 0.0; }
};

std::string race_kind_name(oracle::race::Kind kind);

// Every (path, spawner) pair of the model, in a fixed order.
std::vector<std::pair<const oracle::race::PathInfo*, std::string>> race_pairs(
    const std::string& only_path = "", const std::string& only_spawner = "");

}  // namespace fc
