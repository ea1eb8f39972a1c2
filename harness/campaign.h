// Campaigns: generated programs run on a target and checked against the model.
//
// generator -> program -> (oracle -> plan, allowed observations)
//                      -> (executor on target -> raw result -> trace)
//                      -> check -> shrink -> report
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/check/check.h"
#include "harness/gen/generator.h"
#include "harness/race.h"
#include "harness/runner/target.h"
#include "harness/shrink/shrink.h"

namespace fc {

// A semantic area's property: what it generates and what it claims.
struct SuiteDef {
  std::string name;
  std::string claim;                  // one sentence: what must hold
  std::vector<std::string> covers;    // spec clauses / man pages it exercises
  GenProfile gen;
  /* ---- close-on-exec races (issue 5) ---- */
  // A race suite runs `fcp-exec race` trials instead of generated programs:
  // case i is one trial of pair i % npairs (race_pairs()), batched per pair.
  bool race = false;
  int race_threads = 2;  // creator threads per trial
};

// One program run and checked.
struct CaseOutcome {
  std::optional<PlanRefusal> refusal;  // the model refused the program
  std::optional<TargetError> error;    // the target failed
  Trace trace;
  Verdict verdict;
  std::optional<std::string> race_divergence;  // issue 5: a race trial the model forbids
  bool conforms() const { return !refusal && !error && verdict.conforms() && !race_divergence; }
  bool diverges() const {
    return !refusal && !error && (!verdict.divergences.empty() || race_divergence.has_value());
  }
  std::string summary() const;  // one line
};

CaseOutcome run_case(Target& target, const Program& program, const oracle::Profile& model,
                     std::uint64_t id, int timeout_ms);

// A stable description of a divergence for "is it still the same bug?"
// while shrinking: kind and op of the first divergence.
std::string divergence_signature(const Program& program, const Verdict& verdict);

struct Failure {
  std::string suite;
  std::uint64_t index = 0;   // case number within the suite
  std::uint64_t seed = 0;    // case seed (replays the exact program)
  int size = 0;
  Program original;
  Program minimal;           // == original when not shrunk
  CaseOutcome outcome;       // of the minimal program
  ShrinkStats shrink;
  bool shrunk = false;
  std::string race_repro;      // issue 5: command lines reproducing a race divergence
  std::string race_signature;  // issue 5: "race:<path>:<spawner>"
  bool flaky = false;        // issue 6: a rerun of the minimal program conformed
};

struct SuiteSummary {
  std::string name;
  std::string claim;
  int cases = 0;
  int conforming = 0;
  int divergent = 0;
  int inconclusive = 0;      // the model had no verdict (not counted as pass)
  int target_errors = 0;
  long steps = 0;
  double seconds = 0;
  std::vector<Failure> failures;          // divergences and target errors
  std::vector<std::string> notes;         // first inconclusive reasons
  std::vector<RaceStat> race;             // issue 5: per path x spawner (race suites)
};

struct Progress {
  std::string suite;
  int done = 0;
  int total = 0;
  int divergences = 0;
  int all_done = 0;      // across suites
  int all_total = 0;
  double elapsed = 0;
};

struct CampaignOptions {
  std::uint64_t seed = 1;
  int cases = 1000;                  // per suite
  std::vector<SuiteDef> suites;
  TargetSpec target;
  int jobs = 2;
  int timeout_ms = 3000;             // per program (executor watchdog)
  int max_size = 100;                // RapidCheck-like size ceiling
  bool shrink = true;
  int shrink_budget = 400;           // executions per failure
  int max_shrunk_per_suite = 3;
  // Stop drawing new cases in a suite once this many diverged (0: never).
  int stop_after_divergences = 0;
  oracle::Profile model;
  std::function<void(const Progress&)> on_progress;
  const std::atomic<bool>* cancel = nullptr;
};

struct CampaignResult {
  std::string target;
  std::uint64_t seed = 0;
  int jobs = 0;
  double seconds = 0;
  std::vector<SuiteSummary> suites;
  std::optional<std::string> setup_error;  // the target could not be used at all
  int total_cases() const;
  int total_divergent() const;
  int total_errors() const;  // target errors + inconclusive
};

CampaignResult run_campaign(const CampaignOptions& options);

// Case index -> program, exactly as a campaign generates it.
Program case_program(const SuiteDef& suite, const oracle::Profile& model, std::uint64_t seed,
                     std::uint64_t index, int max_size, int* size_out = nullptr);

}  // namespace fc
