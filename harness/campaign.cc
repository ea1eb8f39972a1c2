#include "harness/campaign.h"

#include <algorithm>
#include <barrier>
#include <chrono>
#include <mutex>
#include <thread>

#include "harness/ir/fcp.h"

namespace fc {

std::string CaseOutcome::summary() const {
  if (refusal) return "model refused the program: " + refusal->text();
  if (error) return error->text();
  if (race_divergence) return *race_divergence;
  if (verdict.inconclusive) return "inconclusive: " + *verdict.inconclusive;
  if (verdict.divergences.empty()) return "conforms";
  return verdict.divergences.front().explain();
}

CaseOutcome run_case(Target& target, const Program& program, const oracle::Profile& model,
                     std::uint64_t id, int timeout_ms) {
  CaseOutcome outcome;
  PlanResult planned = plan(program, model);
  if (!planned.plan) {
    outcome.refusal = planned.refusal;
    return outcome;
  }
  auto raw = target.run(program, *planned.plan, id, timeout_ms);
  if (auto* error = std::get_if<TargetError>(&raw)) {
    outcome.error = *error;
    return outcome;
  }
  outcome.trace = normalize(program, std::get<RawResult>(raw));
  outcome.verdict = check(program, outcome.trace, model);
  return outcome;
}

std::string divergence_signature(const Program& program, const Verdict& verdict) {
  if (verdict.divergences.empty()) return "";
  return verdict.divergences.front().signature(program);
}

int CampaignResult::total_cases() const {
  int n = 0;
  for (const SuiteSummary& s : suites) n += s.cases;
  return n;
}
int CampaignResult::total_divergent() const {
  int n = 0;
  for (const SuiteSummary& s : suites) n += s.divergent;
  return n;
}
int CampaignResult::total_errors() const {
  int n = 0;
  for (const SuiteSummary& s : suites) n += s.target_errors + s.inconclusive;
  return n;
}

Program case_program(const SuiteDef& suite, const oracle::Profile& model, std::uint64_t seed,
                     std::uint64_t index, int max_size, int* size_out) {
  // Sizes sweep from small to max_size, like RapidCheck's, so early cases are
  // short and later ones long.
  int size = static_cast<int>((index * 7) % static_cast<std::uint64_t>(max_size + 1));
  if (size_out) *size_out = size;
  return generate(suite.gen, model, case_seed(seed, suite.name, index), size);
}

namespace {

using Clock = std::chrono::steady_clock;

// Failures kept per suite for the report (all are counted).
constexpr std::size_t kMaxFailuresKept = 20;

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

CampaignResult run_campaign(const CampaignOptions& options) {
  CampaignResult result;
  result.target = options.target.name;
  result.seed = options.seed;
  result.jobs = std::max(1, options.jobs);
  const auto campaign_start = Clock::now();

  // One target (executor server) per worker, kept for the whole campaign.
  std::vector<std::unique_ptr<Target>> targets;
  for (int j = 0; j < result.jobs; ++j) {
    auto made = make_target(options.target);
    if (auto* error = std::get_if<std::string>(&made)) {
      result.setup_error = *error;
      return result;
    }
    targets.push_back(std::move(std::get<std::unique_ptr<Target>>(made)));
  }

  const int all_total = options.cases * static_cast<int>(options.suites.size());
  std::atomic<int> all_done{0};
  std::atomic<std::uint64_t> next_id{1};
  std::mutex lock;  // guards the current summary and progress reporting

  // Per-suite shared state, reset by worker 0 between barriers.
  SuiteSummary summary;
  Clock::time_point suite_start;
  std::atomic<int> next_case{0};
  std::vector<Failure*> to_shrink;
  std::atomic<std::size_t> next_shrink{0};

  /* ---- close-on-exec races (issue 5) ---- */
  // Workers take whole (path, spawner) pairs: one `fcp-exec race` batch runs
  // every case of the pair (case i is trial i / npairs of pair i % npairs).
  auto run_race_cases = [&](const SuiteDef& suite) {
    const auto pairs = race_pairs();
    const int np = static_cast<int>(pairs.size());
    for (;;) {
      if (options.cancel && options.cancel->load()) return;
      if (options.stop_after_divergences > 0) {
        std::lock_guard guard(lock);
        if (summary.divergent >= options.stop_after_divergences) return;
      }
      int p = next_case.fetch_add(1);
      if (p >= np || p >= options.cases) return;
      const oracle::race::PathInfo& path = *pairs[p].first;
      const std::string& spawner = pairs[p].second;
      const int n = (options.cases - p + np - 1) / np;
      const int timeout = options.timeout_ms + n * 50;
      RaceBatch batch = run_race(options.target, path.name, spawner, n, suite.race_threads, timeout);
      RaceStat stat{path.name, spawner, race_kind_name(path.kind)};
      std::vector<Failure> found;
      for (int t = 0; t < static_cast<int>(batch.trials.size()); ++t) {
        const RaceTrial& trial = batch.trials[t];
        ++stat.trials;
        stat.created += trial.created;
        stat.held += trial.held;
        if (trial.held > 0) ++stat.leaks;
        auto divergence = check_race_trial(path, spawner, t, trial, options.model);
        if (!divergence) continue;
        ++stat.divergent;
        Failure failure;
        failure.suite = suite.name;
        failure.index = static_cast<std::uint64_t>(p + t * np);
        failure.seed = case_seed(options.seed, suite.name, failure.index);
        failure.outcome.race_divergence = *divergence;
        failure.race_signature = "race:" + path.name + ":" + spawner;
        failure.race_repro = race_repro(options.target, path.name, spawner, suite.race_threads, n);
        found.push_back(std::move(failure));
      }
      // The reproducer, made smaller: one creator thread and a few trials.
      if (!found.empty() && options.shrink) {
        RaceBatch again = run_race(options.target, path.name, spawner, std::min(n, 20), 1, timeout);
        for (int t = 0; t < static_cast<int>(again.trials.size()); ++t) {
          if (!check_race_trial(path, spawner, t, again.trials[t], options.model)) continue;
          found.front().race_repro = race_repro(options.target, path.name, spawner, 1, t + 1);
          found.front().shrunk = true;
          break;
        }
      }
      if (batch.error) {
        Failure failure;
        failure.suite = suite.name;
        failure.index = static_cast<std::uint64_t>(p + static_cast<int>(batch.trials.size()) * np);
        failure.seed = case_seed(options.seed, suite.name, failure.index);
        failure.outcome.error = batch.error;
        failure.race_signature = "race:" + path.name + ":" + spawner;
        failure.race_repro = race_repro(options.target, path.name, spawner, suite.race_threads, n);
        found.push_back(std::move(failure));
      }
      std::lock_guard guard(lock);
      summary.cases += n;
      summary.divergent += stat.divergent;
      summary.conforming += stat.trials - stat.divergent;
      summary.target_errors += n - stat.trials;
      summary.steps += static_cast<long>(stat.trials);
      summary.race.push_back(stat);
      for (Failure& f : found) summary.failures.push_back(std::move(f));
      int done_all = (all_done += n);
      if (options.on_progress) {
        options.on_progress(Progress{suite.name, summary.cases, options.cases, summary.divergent,
                                     done_all, all_total, since(campaign_start)});
      }
    }
  };

  auto run_cases = [&](const SuiteDef& suite, Target& target) {
    if (suite.race) {
      // One batch at a time (worker 0): batches running on the other cores
      // would compete with the creator and spawner threads for the CPUs and
      // close the very window the racy paths measure.
      if (&target == targets[0].get()) run_race_cases(suite);
      return;
    }
    for (;;) {
      if (options.cancel && options.cancel->load()) return;
      if (options.stop_after_divergences > 0) {
        std::lock_guard guard(lock);
        if (summary.divergent >= options.stop_after_divergences) return;
      }
      int index = next_case.fetch_add(1);
      if (index >= options.cases) return;
      int size = 0;
      Program program = case_program(suite, options.model, options.seed,
                                      static_cast<std::uint64_t>(index), options.max_size, &size);
      CaseOutcome outcome =
          run_case(target, program, options.model, next_id.fetch_add(1), options.timeout_ms);

      bool failed = outcome.diverges() || outcome.error.has_value();
      Failure failure;
      if (failed) {
        failure.suite = suite.name;
        failure.index = static_cast<std::uint64_t>(index);
        failure.seed = case_seed(options.seed, suite.name, failure.index);
        failure.size = size;
        failure.original = program;
        failure.minimal = program;
        failure.outcome = outcome;
      }

      std::lock_guard guard(lock);
      ++summary.cases;
      summary.steps += static_cast<long>(program.steps.size());
      if (outcome.refusal) {
        ++summary.inconclusive;
        if (summary.notes.size() < 5) summary.notes.push_back(outcome.summary());
      } else if (outcome.error) {
        ++summary.target_errors;
      } else if (outcome.verdict.inconclusive && outcome.verdict.divergences.empty()) {
        ++summary.inconclusive;
        if (summary.notes.size() < 5) summary.notes.push_back(outcome.summary());
      } else if (outcome.diverges()) {
        ++summary.divergent;
      } else {
        ++summary.conforming;
      }
      if (failed) summary.failures.push_back(std::move(failure));
      int done_all = ++all_done;
      if (options.on_progress) {
        options.on_progress(Progress{suite.name, summary.cases, options.cases, summary.divergent,
                                     done_all, all_total, since(campaign_start)});
      }
    }
  };

  // Failures in case order, whatever worker found them; the first few
  // divergences are shrunk, so the same seed always shrinks the same ones.
  auto choose_failures_to_shrink = [&] {
    std::sort(summary.failures.begin(), summary.failures.end(),
              [](const Failure& a, const Failure& b) { return a.index < b.index; });
    if (summary.failures.size() > kMaxFailuresKept) summary.failures.resize(kMaxFailuresKept);
    to_shrink.clear();
    next_shrink = 0;
    for (Failure& failure : summary.failures) {
      if (options.shrink && failure.outcome.diverges() && !failure.outcome.race_divergence &&
          static_cast<int>(to_shrink.size()) < options.max_shrunk_per_suite) {
        to_shrink.push_back(&failure);
      }
    }
  };

  auto shrink_failures = [&](Target& target) {
    for (std::size_t k; (k = next_shrink.fetch_add(1)) < to_shrink.size();) {
      Failure& failure = *to_shrink[k];
      const std::string signature =
          divergence_signature(failure.original, failure.outcome.verdict);
      const CaseOutcome failure_original_outcome = failure.outcome;
      // issue 6: the last divergent run of each program, kept for a
      // divergence that does not reproduce on every run (some targets).
      std::string last_text = print_fcp(failure.original);
      CaseOutcome last_outcome = failure.outcome;
      auto still_fails = [&](const Program& candidate) {
        CaseOutcome again = run_case(target, candidate, options.model, next_id.fetch_add(1),
                                     options.timeout_ms);
        bool same = again.diverges() && divergence_signature(candidate, again.verdict) == signature;
        if (same) {
          last_text = print_fcp(candidate);
          last_outcome = again;
        }
        return same;
      };
      failure.minimal =
          shrink(failure.original, options.model, still_fails, options.shrink_budget,
                 &failure.shrink);
      failure.shrunk = true;
      failure.outcome = run_case(target, failure.minimal, options.model, next_id.fetch_add(1),
                                 options.timeout_ms);
      /* ---- nondeterministic divergences (issue 6) ---- */
      // A final run that conforms does not make the divergence go away: the
      // report keeps the divergent run of the minimal program (or of the
      // original when the minimal one never diverged again).
      if (!failure.outcome.diverges()) {
        if (last_text != print_fcp(failure.minimal)) {
          failure.minimal = failure.original;
          last_outcome = failure_original_outcome;
        }
        failure.outcome = last_outcome;
        failure.flaky = true;
      }
    }
  };

  // Workers live for the whole campaign and each starts and stops its own
  // executor server: the server dies with the thread that started it
  // (PR_SET_PDEATHSIG is per thread), which must therefore outlive its use.
  std::barrier sync(result.jobs);
  auto worker = [&](int j) {
    Target& target = *targets[j];
    for (const SuiteDef& suite : options.suites) {
      if (j == 0) {
        summary = SuiteSummary{};
        summary.name = suite.name;
        summary.claim = suite.claim;
        suite_start = Clock::now();
        next_case = 0;
      }
      sync.arrive_and_wait();
      run_cases(suite, target);
      sync.arrive_and_wait();
      if (j == 0) choose_failures_to_shrink();
      sync.arrive_and_wait();
      shrink_failures(target);
      sync.arrive_and_wait();
      if (j == 0) {
        summary.seconds = since(suite_start);
        // issue 5: race stats in the model's pair order, whatever worker ran them.
        std::stable_sort(summary.race.begin(), summary.race.end(),
                         [order = race_pairs()](const RaceStat& a, const RaceStat& b) {
                           auto rank = [&](const RaceStat& s) {
                             for (std::size_t i = 0; i < order.size(); ++i)
                               if (order[i].first->name == s.path && order[i].second == s.spawner)
                                 return i;
                             return order.size();
                           };
                           return rank(a) < rank(b);
                         });
        result.suites.push_back(std::move(summary));
      }
    }
    targets[j].reset();  // stop the server from the thread that started it
  };
  std::vector<std::thread> threads;
  for (int j = 1; j < result.jobs; ++j) threads.emplace_back(worker, j);
  worker(0);
  for (std::thread& t : threads) t.join();
  result.seconds = since(campaign_start);
  return result;
}

}  // namespace fc
