// forkconf: the command line.
//
//   forkconf run [--suite NAME]... [--seed N] [--cases N] [--target T] [--out DIR]
//   forkconf replay FILE.fcp [--target T]
//   forkconf list
//   forkconf check FILE.fcp [--target T]        (git bisect run: 0 good, 1 bad, 125 skip,
//                                                 128 abort: the program itself is bad)
//   forkconf baseline --from report.json --out baseline.json
//   forkconf diff before/report.json after/report.json
//   forkconf report [--html F] [--junit F] [--markdown F] report.json...  (one per target)
//   forkconf repro FILE.fcp [-o out.c]         (standalone C reproducer, libc only)
//   forkconf generate --suite NAME [--seed N] [--cases N]
//   forkconf race [--trials N] [--path P] [--spawner S] [--threads K] [--target T]
//   forkconf targets                            (issue 6: usable targets here)
//   forkconf matrix --targets T,... --libcs L,... [--suite NAME]... [--cases N]
//
// Exit status: 0 the target conforms, 1 a divergence was found, 2 usage or
// setup error, 3 the target failed (crash, hang, garbage), 4 harness bug.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <optional>
#include <set>
#include <iostream>
#include <sstream>

#include "harness/campaign.h"
#include "harness/cli/matrix.h"  // issue 6
#include "harness/ir/fcp.h"
#include "harness/repro/c_emitter.h"
#include "reports/baseline.h"
#include "reports/html.h"
#include "reports/report.h"
#include "suites/registry.h"

namespace {

using namespace fc;

std::string join_args(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
  return line;
}

// A live progress line on a terminal; a plain line per 10% otherwise.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO)) {}
  void operator()(const Progress& p) {
    if (quiet_) return;
    double rate = p.elapsed > 0 ? p.all_done / p.elapsed : 0;
    double left = rate > 0 ? (p.all_total - p.all_done) / rate : 0;
    if (tty_) {
      std::fprintf(stderr, "\r\033[K%-16s %5d/%-5d  all %6d/%-6d  %6.0f prog/s  divergent %d  ~%.0fs left",
                   p.suite.c_str(), p.done, p.total, p.all_done, p.all_total, rate, p.divergences,
                   left);
      if (p.all_done == p.all_total) std::fprintf(stderr, "\n");
    } else {
      // Not a terminal (CI logs): a plain line when a suite starts and at
      // every further 10% of it.
      int decile = p.total ? p.done * 10 / p.total : 10;
      if (p.suite != last_suite_ || decile != last_decile_) {
        last_suite_ = p.suite;
        last_decile_ = decile;
        std::fprintf(stderr,
                     "progress: %s %d/%d cases, all %d/%d, %d divergent, %.0f programs/s, "
                     "~%.0fs left\n",
                     p.suite.c_str(), p.done, p.total, p.all_done, p.all_total, p.divergences,
                     rate, left);
      }
    }
  }

 private:
  bool quiet_;
  bool tty_;
  std::string last_suite_;
  int last_decile_ = -1;
};

int exit_status(const CampaignResult& result) {
  if (result.setup_error) return FC_EXIT_USAGE;
  if (result.total_divergent() > 0) return FC_EXIT_DIVERGENCE;
  int target_errors = 0, inconclusive = 0;
  for (const SuiteSummary& suite : result.suites) {
    target_errors += suite.target_errors;
    inconclusive += suite.inconclusive;
  }
  if (target_errors > 0) return FC_EXIT_TARGET;
  if (inconclusive > 0) return FC_EXIT_HARNESS;
  return FC_EXIT_OK;
}

int run_command(const std::vector<std::string>& suite_names, std::uint64_t seed, int cases,
                const std::string& target, const std::string& executor, int jobs, int timeout_ms,
                const std::string& out_dir, bool no_shrink, bool quiet,
                const std::string& baseline_file, const std::string& command_line) {
  std::optional<reports::Baseline> baseline;
  if (!baseline_file.empty()) {
    try {
      baseline = reports::parse_baseline(reports::read_json_file(baseline_file));
    } catch (const std::exception& e) {
      std::cerr << "forkconf: --baseline " << baseline_file << ": " << e.what() << "\n";
      return FC_EXIT_USAGE;
    }
  }
  CampaignOptions options;
  options.seed = seed;
  options.cases = cases;
  options.jobs = jobs;
  options.timeout_ms = timeout_ms;
  options.shrink = !no_shrink;
  options.target = TargetSpec{target, executor};
  if (suite_names.empty()) {
    options.suites = suites::all();
  } else {
    for (const std::string& name : suite_names) {
      auto suite = suites::find(name);
      if (!suite) {
        std::string known;
        for (const std::string& n : suites::names()) known += " " + n;
        std::cerr << "forkconf: unknown suite '" << name << "' (known:" << known << ")\n";
        return FC_EXIT_USAGE;
      }
      options.suites.push_back(*suite);
    }
  }
  if (::access(executor.c_str(), X_OK) != 0) {
    std::cerr << "forkconf: executor not found or not executable: " << executor
              << " (build it, or set FORKCONF_EXECUTOR / --executor)\n";
    return FC_EXIT_USAGE;
  }
  ProgressPrinter progress(quiet);
  options.on_progress = [&](const Progress& p) { progress(p); };

  if (!quiet) {
    std::cerr << fmt::format("forkconf: {} suites x {} cases on target {} (seed {}, {} jobs)\n",
                             options.suites.size(), cases, target, seed, jobs);
  }
  CampaignResult result = run_campaign(options);
  if (result.setup_error) {
    std::cerr << "forkconf: " << *result.setup_error << "\n";
    return FC_EXIT_USAGE;
  }
  std::vector<std::string> written;
  try {
    written = reports::write_all(result, out_dir, command_line);
  } catch (const std::exception& e) {
    std::cerr << "forkconf: " << e.what() << "\n";
    return FC_EXIT_USAGE;
  }
  std::cout << reports::summary_table(result);
  for (const SuiteSummary& suite : result.suites) {
    for (const Failure& failure : suite.failures) {
      if (&failure - suite.failures.data() >= 3) break;
      std::cout << fmt::format("\n{} case {}: {}\n", suite.name, failure.index,
                               failure.outcome.summary());
      if (!failure.race_repro.empty()) {  // issue 5: a race trial, not a program
        std::cout << "reproduce: " << failure.race_repro << "\n";
      } else if (failure.shrunk) {
        std::cout << fmt::format("minimal program ({} steps, from {}):\n{}",
                                 failure.minimal.steps.size(), failure.original.steps.size(),
                                 print_fcp(failure.minimal));
      }
    }
    for (const std::string& note : suite.notes) std::cout << suite.name << ": " << note << "\n";
  }
  std::cout << "reports: " << out_dir << "/report.json, " << out_dir << "/report.html, "
            << out_dir << "/junit.xml, " << out_dir << "/summary.md";
  if (result.total_divergent() > 0) std::cout << ", " << out_dir << "/divergences/";
  std::cout << "\n";
  int status = exit_status(result);
  if (baseline) {
    // The gate fails only on divergences the baseline does not know; target
    // errors and inconclusive programs still fail it.
    nlohmann::json report = reports::to_json(result, command_line);
    reports::SignatureSet found = reports::signatures_of_report(report);
    std::set<std::string> now;
    for (const auto& [signature, example] : found.entries) now.insert(signature);
    reports::Comparison c = reports::compare(baseline->known[target], now);
    std::cout << fmt::format("baseline: {} new, {} known, {} gone\n", c.added.size(),
                             c.unchanged.size(), c.removed.size());
    for (const std::string& s : c.added) std::cout << "  new: " << s << "\n";
    for (const std::string& s : c.removed) std::cout << "  gone: " << s << "\n";
    if (status == FC_EXIT_DIVERGENCE && c.added.empty()) {
      CampaignResult without = result;
      for (SuiteSummary& suite : without.suites) suite.divergent = 0;
      status = exit_status(without);
    }
    std::ofstream(out_dir + "/summary.md") << reports::markdown_summary(report, &c);
  }  std::cout << (status == FC_EXIT_OK && result.total_divergent() > 0
                    ? "verdict: only known divergences (baseline)\n"
                : status == FC_EXIT_OK ? "verdict: the target conforms\n"
                : status == FC_EXIT_DIVERGENCE ? "verdict: DIVERGENCES found\n"
                : status == FC_EXIT_TARGET ? "verdict: the TARGET FAILED (see errors)\n"
                                           : "verdict: INCONCLUSIVE (harness problem)\n");
  return status;
}

int replay_command(const std::string& file, const std::string& target_name,
                   const std::string& executor, int timeout_ms) {
  std::ifstream in(file);
  if (!in) {
    std::cerr << "forkconf: cannot read " << file << "\n";
    return FC_EXIT_USAGE;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parse_fcp(text.str());
  if (auto* error = std::get_if<ParseError>(&parsed)) {
    std::cerr << file << ": " << error->text() << "\n";
    return FC_EXIT_USAGE;
  }
  const Program& program = std::get<Program>(parsed);
  oracle::Profile model;
  PlanResult planned = plan(program, model);
  if (!planned.plan) {
    std::cerr << file << ": the model cannot run this program: " << planned.refusal->text()
              << "\n";
    return FC_EXIT_USAGE;
  }
  auto made = make_target(TargetSpec{target_name, executor});
  if (auto* error = std::get_if<std::string>(&made)) {
    std::cerr << "forkconf: " << *error << "\n";
    return FC_EXIT_USAGE;
  }
  Target& target = *std::get<std::unique_ptr<Target>>(made);
  CaseOutcome outcome = run_case(target, program, model, 1, timeout_ms);
  if (outcome.error) {
    std::cerr << "forkconf: " << outcome.error->text() << "\n";
    return outcome.error->kind == TargetError::Kind::Unavailable ? FC_EXIT_USAGE : FC_EXIT_TARGET;
  }
  std::cout << reports::annotated_program(program, outcome, {"replay of " + file + " on " + target_name});
  for (const Divergence& d : outcome.verdict.divergences) std::cout << "divergence: " << d.explain() << "\n";
  if (outcome.verdict.inconclusive) {
    std::cout << "inconclusive: " << *outcome.verdict.inconclusive << "\n";
    return FC_EXIT_HARNESS;
  }
  std::cout << (outcome.verdict.divergences.empty() ? "verdict: conforms\n" : "verdict: DIVERGES\n");
  return outcome.verdict.divergences.empty() ? FC_EXIT_OK : FC_EXIT_DIVERGENCE;
}

int baseline_command(const std::string& from, const std::string& out) {
  reports::SignatureSet found = reports::signatures_of_report(reports::read_json_file(from));
  nlohmann::json baseline = reports::make_baseline(found);
  // Keep the other targets' entries of an existing baseline.
  if (std::ifstream(out).good()) {
    nlohmann::json existing = reports::read_json_file(out);
    reports::parse_baseline(existing);  // validates
    for (auto& [name, entries] : existing.at("targets").items()) {
      if (name != found.target) baseline["targets"][name] = entries;
    }
  }
  std::ofstream(out) << baseline.dump(2) << "\n";
  std::cout << fmt::format("baseline {}: {} known divergences for target {}\n", out,
                           found.entries.size(), found.target);
  return FC_EXIT_OK;
}

int diff_command(const std::string& before_file, const std::string& after_file) {
  auto before = reports::signatures_of_report(reports::read_json_file(before_file));
  auto after = reports::signatures_of_report(reports::read_json_file(after_file));
  std::set<std::string> a, b;
  for (const auto& [s, e] : before.entries) a.insert(s);
  for (const auto& [s, e] : after.entries) b.insert(s);
  reports::Comparison c = reports::compare(a, b);
  std::cout << fmt::format("{} ({}) -> {} ({}): {} new, {} fixed, {} unchanged\n", before_file,
                           before.target, after_file, after.target, c.added.size(),
                           c.removed.size(), c.unchanged.size());
  for (const std::string& s : c.added) {
    std::cout << "new:       " << s << "\n" << after.entries[s].value("program", "");
  }
  for (const std::string& s : c.removed) std::cout << "fixed:     " << s << "\n";
  for (const std::string& s : c.unchanged) std::cout << "unchanged: " << s << "\n";
  return c.added.empty() ? FC_EXIT_OK : FC_EXIT_DIVERGENCE;
}

/* ---- report, repro, check (issue 7) ---- */

int report_command(const std::vector<std::string>& inputs, const std::string& html,
                   const std::string& junit, const std::string& markdown) {
  if (html.empty() && junit.empty() && markdown.empty()) {
    std::cerr << "forkconf report: say what to write: --html FILE, --junit FILE, --markdown FILE\n";
    return FC_EXIT_USAGE;
  }
  std::vector<nlohmann::json> reports;
  for (const std::string& input : inputs) {
    nlohmann::json report = reports::read_json_file(input);
    try {
      reports::signatures_of_report(report);  // validates schema and version
    } catch (const std::exception& e) {
      throw std::runtime_error(input + ": " + e.what());
    }
    reports.push_back(std::move(report));
  }
  auto write = [](const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path);
    std::cout << "wrote " << path << "\n";
  };
  if (!html.empty()) write(html, reports::html_report(reports));
  if (!junit.empty()) write(junit, reports::junit_xml_from_reports(reports));
  if (!markdown.empty()) {
    std::string md;
    for (const nlohmann::json& report : reports) md += reports::markdown_summary(report, nullptr);
    write(markdown, md);
  }
  return FC_EXIT_OK;
}

// Reads and parses a .fcp; on error prints it and returns nullopt.
std::optional<Program> read_program(const std::string& file) {
  std::ifstream in(file);
  if (!in) {
    std::cerr << "forkconf: cannot read " << file << "\n";
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parse_fcp(text.str());
  if (auto* error = std::get_if<ParseError>(&parsed)) {
    std::cerr << file << ": " << error->text() << "\n";
    return std::nullopt;
  }
  return std::get<Program>(parsed);
}

int repro_command(const std::string& file, const std::string& out, int timeout_ms) {
  std::optional<Program> program = read_program(file);
  if (!program) return FC_EXIT_USAGE;
  oracle::Profile model;
  PlanResult planned = plan(*program, model);
  if (!planned.plan) {
    std::cerr << file << ": the model cannot run this program: " << planned.refusal->text()
              << "\n";
    return FC_EXIT_USAGE;
  }
  EmitOptions options;
  options.title = "forkconf reproducer of " + file;
  options.comments = {"made by: forkconf repro " + file};
  options.allowed = allowed_by_model(*program, model);
  if (options.allowed.size() != program->steps.size()) options.allowed.clear();
  options.timeout_ms = timeout_ms;
  // issue 4, pidns: the C runtime cannot run P0 as a pid namespace's init.
  if (program->pidns) {
    std::cerr << file
              << ": pidns programs (P0 as the init of a pid namespace) have no C reproducer\n";
    return FC_EXIT_USAGE;
  }
  std::string c = emit_c(*program, *planned.plan, options);
  if (out.empty() || out == "-") {
    std::cout << c;
    return FC_EXIT_OK;
  }
  std::ofstream stream(out);
  stream << c;
  if (!stream) {
    std::cerr << "forkconf: cannot write " << out << "\n";
    return FC_EXIT_USAGE;
  }
  std::cerr << "wrote " << out << " (build: gcc -O2 -o repro " << out
            << "; run: ./repro, exit 0 behaves, 1 diverges, 3 could not run)\n";
  return FC_EXIT_OK;
}

// git bisect run: 0 good, 1 bad, 125 this revision cannot be tested (the
// target cannot start, crashes, hangs, or the result is inconclusive), and
// 128 (which aborts the bisection) when the program itself is unusable:
// unreadable, malformed, or refused by the model at every revision alike.
int check_command(const std::string& file, const std::string& target, const std::string& executor,
                  int timeout_ms) {
  constexpr int kGood = 0, kBad = 1, kSkip = 125, kAbort = 128;
  std::optional<Program> program = read_program(file);
  if (!program) {
    std::cerr << "forkconf check: aborting (exit 128): fix the program first\n";
    return kAbort;
  }
  if (!plan(*program, oracle::Profile{}).plan) {
    std::cerr << "forkconf check: aborting (exit 128): the model cannot run " << file << "\n";
    return kAbort;
  }
  int status = replay_command(file, target, executor, timeout_ms);
  if (status == FC_EXIT_OK) return kGood;
  if (status == FC_EXIT_DIVERGENCE) return kBad;
  std::cerr << "forkconf check: cannot test this revision (exit 125)\n";
  return kSkip;
}

/* ---- close-on-exec races (issue 5) ---- */
// N trials per path x spawner; prints trials, leaks, rate and divergences;
// exit 1 if any trial is one the model forbids (an atomic path leaked).
int race_command(const std::string& only_path, const std::string& only_spawner, int trials,
                 int threads, const std::string& target, const std::string& executor,
                 int timeout_ms) {
  if (!only_path.empty() && !oracle::race::find_path(only_path)) {
    std::string known;
    for (const auto& p : oracle::race::paths()) known += " " + p.name;
    std::cerr << "forkconf: unknown race path '" << only_path << "' (known:" << known << ")\n";
    return FC_EXIT_USAGE;
  }
  auto pairs = race_pairs(only_path, only_spawner);
  if (pairs.empty()) {
    std::cerr << "forkconf: no race pair for path '" << only_path << "' and spawner '"
              << only_spawner << "' (spawners: fork vfork spawn; fa_* need spawn, atfork_* fork)\n";
    return FC_EXIT_USAGE;
  }
  if (::access(executor.c_str(), X_OK) != 0) {
    std::cerr << "forkconf: executor not found or not executable: " << executor << "\n";
    return FC_EXIT_USAGE;
  }
  oracle::Profile model;
  TargetSpec spec{target, executor};
  std::vector<RaceStat> stats;
  int divergent = 0, errors = 0;
  std::vector<std::string> messages;
  for (const auto& [path, spawner] : pairs) {
    RaceBatch batch = run_race(spec, path->name, spawner, trials, threads, timeout_ms + trials * 50);
    RaceStat stat{path->name, spawner, race_kind_name(path->kind)};
    for (int t = 0; t < static_cast<int>(batch.trials.size()); ++t) {
      const RaceTrial& trial = batch.trials[t];
      ++stat.trials;
      stat.created += trial.created;
      stat.held += trial.held;
      if (trial.held > 0) ++stat.leaks;
      if (auto d = check_race_trial(*path, spawner, t, trial, model)) {
        ++stat.divergent;
        if (stat.divergent == 1) {
          messages.push_back("divergence: " + *d + "\n  reproduce: " +
                             race_repro(spec, path->name, spawner, threads, t + 1));
        }
      }
    }
    divergent += stat.divergent;
    if (batch.error) {
      ++errors;
      messages.push_back("error: " + batch.error->text());
      if (batch.error->kind == TargetError::Kind::Unavailable) {
        std::cerr << "forkconf: " << batch.error->text() << "\n";
        return FC_EXIT_USAGE;
      }
    }
    stats.push_back(stat);
  }
  std::cout << fmt::format("forkconf race on target {}: {} creator threads, {} trials per pair\n",
                           target, threads, trials);
  std::cout << reports::race_table("race", stats);
  for (const std::string& m : messages) std::cout << m << "\n";
  if (errors > 0) {
    std::cout << "verdict: the TARGET FAILED (see errors)\n";
    return FC_EXIT_TARGET;
  }
  std::cout << (divergent > 0 ? "verdict: DIVERGENCES found\n" : "verdict: the target conforms\n");
  return divergent > 0 ? FC_EXIT_DIVERGENCE : FC_EXIT_OK;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"forkconf: property-based conformance tests of process creation"};
  app.require_subcommand(1);
  std::string executor = default_executor_path();
  app.add_option("--executor", executor, "the fcp-exec binary");

  auto* run = app.add_subcommand("run", "run a conformance campaign");
  std::vector<std::string> suite_names;
  std::uint64_t seed = 1;
  int cases = 1000;
  std::string target = "host";
  int jobs = static_cast<int>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
  int timeout_ms = 3000;
  std::string out_dir = "forkconf-report";
  bool no_shrink = false, quiet = false;
  run->add_option("--suite", suite_names, "suite to run (repeatable; default: all)");
  run->add_option("--seed", seed, "campaign seed (same seed, same programs)");
  run->add_option("--cases", cases, "programs per suite")->check(CLI::PositiveNumber);
  run->add_option("--target", target, "host or wrap:CMD");
  run->add_option("--jobs", jobs, "executor servers in parallel")->check(CLI::PositiveNumber);
  run->add_option("--timeout-ms", timeout_ms, "watchdog per program")->check(CLI::PositiveNumber);
  run->add_option("--out", out_dir, "directory for report.json, junit.xml, divergences/");
  run->add_flag("--no-shrink", no_shrink, "report divergences without shrinking them");
  run->add_flag("--quiet", quiet, "no progress output");
  std::string baseline_file;
  run->add_option("--baseline", baseline_file,
                  "known divergences (forkconf baseline): fail only on new ones");

  auto* baseline_cmd = app.add_subcommand("baseline", "write a baseline from a report");
  std::string from_report, baseline_out;
  baseline_cmd->add_option("--from", from_report, "report.json of a run")->required();
  baseline_cmd->add_option("--out", baseline_out, "baseline file to write (merged per target)")
      ->required();

  auto* diff_cmd = app.add_subcommand("diff", "what changed between two runs");
  std::string before_report, after_report;
  diff_cmd->add_option("before", before_report, "report.json of the first run")->required();
  diff_cmd->add_option("after", after_report, "report.json of the second run")->required();

  auto* check_cmd = app.add_subcommand(
      "check", "check one program; git bisect run codes: 0 good, 1 bad, 125 cannot test");
  std::string check_file;
  check_cmd->add_option("file", check_file, "program in .fcp format")->required();
  check_cmd->add_option("--target", target, "host or wrap:CMD");
  check_cmd->add_option("--timeout-ms", timeout_ms, "watchdog")->check(CLI::PositiveNumber);

  /* ---- report, repro (issue 7) ---- */
  auto* report_cmd = app.add_subcommand(
      "report", "render report.json files (one per target) as HTML, JUnit XML or Markdown");
  std::vector<std::string> report_inputs;
  std::string html_out, junit_out, markdown_out;
  report_cmd->add_option("reports", report_inputs, "report.json of each run")->required();
  report_cmd->add_option("--html", html_out, "self-contained HTML report to write");
  report_cmd->add_option("--junit", junit_out, "JUnit XML to write");
  report_cmd->add_option("--markdown", markdown_out, "Markdown summary to write");

  auto* repro_cmd = app.add_subcommand(
      "repro", "write a standalone C reproducer (libc only) of a .fcp program");
  std::string repro_file, repro_out;
  repro_cmd->add_option("file", repro_file, "program in .fcp format")->required();
  repro_cmd->add_option("-o,--out", repro_out, "C file to write (default: stdout)");
  repro_cmd->add_option("--timeout-ms", timeout_ms, "watchdog compiled into the reproducer")
      ->check(CLI::PositiveNumber);

  auto* replay = app.add_subcommand("replay", "run one .fcp program and check it");
  std::string file;
  replay->add_option("file", file, "program in .fcp format")->required();
  replay->add_option("--target", target, "host or wrap:CMD");
  replay->add_option("--timeout-ms", timeout_ms, "watchdog")->check(CLI::PositiveNumber);

  auto* list = app.add_subcommand("list", "list the suites and their claims");

  /* ---- targets, libcs, matrix (issue 6) ---- */
  std::string libc;
  const std::string target_help =
      "host, wrap:CMD, gvisor, qemu-user:ARCH, uml[:LINUX], vm:KERNEL";
  for (CLI::App* sub : {run, replay, check_cmd}) {
    sub->get_option("--target")->description(target_help);
    sub->add_option("--libc", libc, "executor build: glibc-static (default), glibc, musl")
        ->check(CLI::IsMember({"glibc", "glibc-static", "musl"}));
  }
  auto* targets_cmd = app.add_subcommand("targets", "list the targets and whether they work here");
  targets_cmd->add_option("--libc", libc, "executor build: glibc-static (default), glibc, musl")
      ->check(CLI::IsMember({"glibc", "glibc-static", "musl"}));
  auto* matrix = app.add_subcommand("matrix", "the same programs on several targets and libcs");
  std::vector<std::string> matrix_targets{"host"}, matrix_libcs{"glibc-static"};
  std::string matrix_out = "forkconf-matrix";
  int matrix_cases = 100;
  matrix->add_option("--targets", matrix_targets, target_help)->delimiter(',');
  matrix->add_option("--libcs", matrix_libcs, "glibc-static, glibc, musl")
      ->delimiter(',')
      ->check(CLI::IsMember({"glibc", "glibc-static", "musl"}));
  matrix->add_option("--suite", suite_names, "suite (repeatable; default: all)");
  matrix->add_option("--seed", seed, "campaign seed (the same programs in every cell)");
  matrix->add_option("--cases", matrix_cases, "programs per suite per cell")
      ->check(CLI::PositiveNumber);
  matrix->add_option("--jobs", jobs, "executor servers in parallel per cell")
      ->check(CLI::PositiveNumber);
  matrix->add_option("--timeout-ms", timeout_ms, "watchdog per program")
      ->check(CLI::PositiveNumber);
  matrix->add_option("--out", matrix_out, "directory for matrix.json, matrix.md, cells/");
  matrix->add_flag("--quiet", quiet, "no progress output");

  auto* gen = app.add_subcommand("generate", "print the programs a campaign would run");
  std::string gen_suite;
  gen->add_option("--suite", gen_suite, "suite")->required();
  gen->add_option("--seed", seed, "campaign seed");
  gen->add_option("--cases", cases, "number of programs")->check(CLI::PositiveNumber);

  auto* race_cmd = app.add_subcommand(
      "race", "close-on-exec races: N trials per path x spawner, leak rates (issue 5)");
  std::string race_path, race_spawner;
  int race_trials = 200, race_threads = 2;
  race_cmd->add_option("--trials", race_trials, "trials per path x spawner")
      ->check(CLI::Range(1, 1000000));
  race_cmd->add_option("--path", race_path, "only this path (default: all)");
  race_cmd->add_option("--spawner", race_spawner, "only fork, vfork or spawn (default: all)");
  race_cmd->add_option("--threads", race_threads, "creator threads per trial")
      ->check(CLI::Range(1, 16));
  race_cmd->add_option("--target", target, "host or wrap:CMD");
  race_cmd->add_option("--timeout-ms", timeout_ms, "watchdog per batch (plus 50 ms per trial)")
      ->check(CLI::PositiveNumber);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : FC_EXIT_USAGE;
  }

  /* ---- issue 6 ---- */
  if (!libc.empty()) executor = executor_for_libc(executor, libc);
  if (*targets_cmd) return targets_command(executor);
  if (*matrix) {
    MatrixOptions m;
    m.targets = matrix_targets;
    m.libcs = matrix_libcs;
    m.executor = executor;
    m.seed = seed;
    m.cases = matrix_cases;
    m.jobs = jobs;
    m.timeout_ms = timeout_ms;
    m.out_dir = matrix_out;
    m.quiet = quiet;
    m.command_line = join_args(argc, argv);
    if (suite_names.empty()) {
      m.suites = suites::all();
    } else {
      for (const std::string& name : suite_names) {
        auto suite = suites::find(name);
        if (!suite) {
          std::cerr << "forkconf: unknown suite '" << name << "'\n";
          return FC_EXIT_USAGE;
        }
        m.suites.push_back(*suite);
      }
    }
    return matrix_command(m);
  }
  if (*run) {
    return run_command(suite_names, seed, cases, target, executor, jobs, timeout_ms, out_dir,
                       no_shrink, quiet, baseline_file, join_args(argc, argv));
  }
  if (*replay) return replay_command(file, target, executor, timeout_ms);
  if (*race_cmd) {
    return race_command(race_path, race_spawner, race_trials, race_threads, target, executor,
                        timeout_ms);
  }
  if (*check_cmd) return check_command(check_file, target, executor, timeout_ms);
  if (*repro_cmd) return repro_command(repro_file, repro_out, timeout_ms);
  if (*report_cmd) {
    try {
      return report_command(report_inputs, html_out, junit_out, markdown_out);
    } catch (const std::exception& e) {
      std::cerr << "forkconf: " << e.what() << "\n";
      return FC_EXIT_USAGE;
    }
  }
  if (*baseline_cmd || *diff_cmd) {
    try {
      if (*baseline_cmd) return baseline_command(from_report, baseline_out);
      return diff_command(before_report, after_report);
    } catch (const std::exception& e) {
      std::cerr << "forkconf: " << e.what() << "\n";
      return FC_EXIT_USAGE;
    }
  }
  if (*gen) {
    auto suite = suites::find(gen_suite);
    if (!suite) {
      std::cerr << "forkconf: unknown suite '" << gen_suite << "'\n";
      return FC_EXIT_USAGE;
    }
    if (suite->race) {  // issue 5: trials, not programs
      std::cerr << "forkconf: suite " << gen_suite
                << " runs race trials, not programs: see `forkconf race`\n";
      return FC_EXIT_USAGE;
    }
    oracle::Profile model;
    for (int i = 0; i < cases; ++i) {
      int size = 0;
      Program program = case_program(*suite, model, seed, static_cast<std::uint64_t>(i), 100, &size);
      std::cout << "# " << suite->name << " case " << i << " (size " << size << ")\n"
                << print_fcp(program) << "\n";
    }
    return 0;
  }
  if (*list) {
    for (const SuiteDef& suite : suites::all()) {
      std::cout << suite.name << "\n  " << suite.claim << "\n";
      for (const std::string& clause : suite.covers) std::cout << "  - " << clause << "\n";
    }
    return 0;
  }
  return FC_EXIT_USAGE;
}
