#include "reports/report.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "harness/ir/fcp.h"
#include "harness/repro/c_emitter.h"
#include "reports/baseline.h"
#include "reports/html.h"

namespace fc::reports {
namespace {

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string failure_file_name(const Failure& failure) {
  return fmt::format("{}-{}.fcp", failure.suite, failure.index);
}

// A --target value as one shell word (issue 7: wrap:CMD has spaces).
std::string shell_word(const std::string& word) {
  if (word.find_first_of(" \t'\"$`\\;&|<>()*?") == std::string::npos) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string replay_hint(const Failure& failure, const std::string& target) {
  return fmt::format("forkconf replay divergences/{} --target {}", failure_file_name(failure),
                     shell_word(target));
}

}  // namespace

std::string observed_text(const CaseOutcome& outcome, std::size_t i) {
  if (i >= outcome.trace.steps.size()) return "";
  const StepTrace& step = outcome.trace.steps[i];
  switch (step.state) {
    case StepTrace::State::NotStarted: return "not started";
    case StepTrace::State::Blocked: return "state=blocked";
    default: return step.obs.text();
  }
}

std::string annotated_program(const Program& program, const CaseOutcome& outcome,
                              const std::vector<std::string>& header) {
  PrintOptions options;
  options.header = header;
  options.comments.resize(program.steps.size());
  std::vector<std::string> expected(program.steps.size());
  PlanResult planned = plan(program, oracle::Profile{});
  if (planned.plan) {
    for (std::size_t i = 0; i < program.steps.size(); ++i) {
      expected[i] = planned.plan->expected[i].text();
    }
  }
  std::vector<bool> diverged(program.steps.size(), false);
  for (const Divergence& d : outcome.verdict.divergences) {
    if (d.step < diverged.size()) diverged[d.step] = true;
  }
  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    std::string observed = observed_text(outcome, i);
    if (diverged[i]) {
      options.comments[i] = "DIVERGES: observed " + observed + " / model " + expected[i];
    } else {
      options.comments[i] = "=> " + (observed.empty() ? expected[i] : observed);
    }
  }
  return print_fcp(program, options);
}

/* ---- per-step expectations and C reproducers in report.json (issue 7) ---- */
namespace {

// Every step of the minimal program: what the model allows (on any path),
// what the target did, and whether it diverges: a step the checker flagged,
// or one whose observation no path allows (a blocked step that returned the
// wrong thing is flagged at the step that unblocked it).
nlohmann::json failure_steps(const Failure& failure,
                             const std::vector<std::vector<std::string>>& allowed) {
  std::vector<bool> diverged(failure.minimal.steps.size(), false);
  for (const Divergence& d : failure.outcome.verdict.divergences) {
    if (d.step < diverged.size()) diverged[d.step] = true;
  }
  nlohmann::json steps = nlohmann::json::array();
  for (std::size_t i = 0; i < failure.minimal.steps.size(); ++i) {
    nlohmann::json expected = nlohmann::json::array();
    std::string observed = observed_text(failure.outcome, i);
    bool allowed_here = true;
    if (i < allowed.size() && !allowed[i].empty() && !observed.empty() &&
        observed != "not started") {
      allowed_here = false;
      for (const std::string& a : allowed[i]) allowed_here = allowed_here || a == observed;
    }
    if (i < allowed.size()) {
      for (const std::string& a : allowed[i]) expected.push_back(a);
    }
    steps.push_back({{"index", i},
                     {"actor", "P" + std::to_string(failure.minimal.steps[i].actor)},
                     {"text", print_step(failure.minimal.steps[i])},
                     {"expected", expected},
                     {"observed", observed},
                     {"diverges", diverged[i] || !allowed_here}});
  }
  return steps;
}

// The standalone C reproducer of the minimal program with the model's
// expectations, or an error message when the model cannot plan it.
std::pair<std::string, std::string> failure_reproducer(
    const Failure& failure, const std::string& target, std::uint64_t campaign_seed,
    const oracle::Profile& model, const std::vector<std::vector<std::string>>& allowed) {
  PlanResult planned = plan(failure.minimal, model);
  if (!planned.plan) return {"", "the model cannot plan the program: " + planned.refusal->text()};
  EmitOptions options;
  options.check = true;
  options.title = fmt::format("forkconf reproducer: suite {} case {} (case seed {}), target {}",
                              failure.suite, failure.index, failure.seed, target);
  options.comments = {
      fmt::format("campaign: forkconf run --suite {} --seed {} --cases {} --target '{}'",
                  failure.suite, campaign_seed, failure.index + 1, target),
      "signature: " + divergence_signature(failure.minimal, failure.outcome.verdict),
      failure.outcome.summary()};
  if (allowed.size() == failure.minimal.steps.size()) options.allowed = allowed;
  try {
    return {emit_c(failure.minimal, *planned.plan, options), ""};
  } catch (const std::exception& e) {
    return {"", std::string("the C emitter failed: ") + e.what()};
  }
}

}  // namespace

nlohmann::json to_json(const CampaignResult& result, const std::string& command_line,
                       const oracle::Profile& model) {
  using nlohmann::json;
  json root;
  root["schema"] = "forkconf-report";
  root["schema_version"] = kJsonSchemaVersion;
  root["command"] = command_line;
  root["target"] = result.target;
  root["seed"] = result.seed;
  root["jobs"] = result.jobs;
  root["seconds"] = result.seconds;
  if (result.setup_error) root["setup_error"] = *result.setup_error;
  root["totals"] = {{"cases", result.total_cases()},
                    {"divergent", result.total_divergent()},
                    {"errors", result.total_errors()}};
  json suites = json::array();
  for (const SuiteSummary& suite : result.suites) {
    json s;
    s["name"] = suite.name;
    s["claim"] = suite.claim;
    s["cases"] = suite.cases;
    s["conforming"] = suite.conforming;
    s["divergent"] = suite.divergent;
    s["inconclusive"] = suite.inconclusive;
    s["target_errors"] = suite.target_errors;
    s["steps"] = suite.steps;
    s["seconds"] = suite.seconds;
    s["notes"] = suite.notes;
    json failures = json::array();
    for (const Failure& failure : suite.failures) {
      json f;
      f["case"] = failure.index;
      f["case_seed"] = failure.seed;
      f["size"] = failure.size;
      f["shrunk"] = failure.shrunk;
      f["flaky"] = failure.flaky;  // issue 6: did not reproduce on every run
      f["original_steps"] = failure.original.steps.size();
      f["minimal_steps"] = failure.minimal.steps.size();
      f["shrink_attempts"] = failure.shrink.attempts;
      f["summary"] = failure.outcome.summary();
      f["signature"] = divergence_signature(failure.minimal, failure.outcome.verdict);
      f["program"] = print_fcp(failure.minimal);
      f["replay"] = replay_hint(failure, result.target);
      if (!failure.race_repro.empty()) {  // issue 5: a race trial, not a program
        if (failure.outcome.diverges()) f["signature"] = failure.race_signature;
        f["program"] = "";
        f["replay"] = failure.race_repro;
        f["race_repro"] = failure.race_repro;
      }
      f["rerun"] = fmt::format("forkconf run --suite {} --seed {} --cases {}", failure.suite,
                               result.seed, failure.index + 1);
      // issue 7: the rerun goes to the same target.
      if (result.target != "host") {
        f["rerun"] = f["rerun"].get<std::string>() + " --target " + shell_word(result.target);
      }
      json divergences = json::array();
      for (const Divergence& d : failure.outcome.verdict.divergences) {
        divergences.push_back({{"kind", std::string(kind_name(d.kind))},
                               {"step", d.step},
                               {"step_text", d.step_text},
                               {"observed", d.observed},
                               {"allowed", d.allowed},
                               {"rules", d.rules}});
      }
      f["divergences"] = divergences;
      if (failure.outcome.error) f["target_error"] = failure.outcome.error->text();
      /* ---- issue 7: per-step table and C reproducer ---- */
      std::vector<std::vector<std::string>> allowed = allowed_by_model(failure.minimal, model);
      f["steps"] = failure_steps(failure, allowed);
      // Reproducers (~50 KB each) for the shrunk failures and the first few.
      std::pair<std::string, std::string> made{
          "", "not shrunk: `forkconf repro divergences/" + failure_file_name(failure) +
                  "` writes one"};
      if (failure.shrunk || &failure - suite.failures.data() < 3) {
        made = failure_reproducer(failure, result.target, result.seed, model, allowed);
      }
      auto& [reproducer, reproducer_error] = made;
      if (!reproducer.empty()) {
        f["reproducer"] = reproducer;
      } else {
        f["reproducer_error"] = reproducer_error;
      }
      failures.push_back(f);
    }
    s["failures"] = failures;
    /* ---- close-on-exec races (issue 5): additive field, schema version unchanged ---- */
    if (!suite.race.empty()) {
      json race = json::array();
      for (const RaceStat& r : suite.race) {
        race.push_back({{"path", r.path},
                        {"spawner", r.spawner},
                        {"kind", r.kind},
                        {"trials", r.trials},
                        {"leaks", r.leaks},
                        {"leak_rate", r.leak_rate()},
                        {"created", r.created},
                        {"held", r.held},
                        {"divergent", r.divergent}});
      }
      s["race"] = race;
    }
    suites.push_back(s);
  }
  root["suites"] = suites;
  return root;
}

std::string junit_xml(const CampaignResult& result) {
  return junit_xml_from_reports({to_json(result, "")});
}

/* ---- JUnit: a testcase per property per target (issue 7) ---- */
std::string junit_xml_from_reports(const std::vector<nlohmann::json>& reports) {
  std::string body;
  int tests = 0, failures = 0, errors = 0;
  double seconds = 0;
  for (const nlohmann::json& report : reports) {
    std::string target = report.value("target", "?");
    int suite_failures = 0, suite_errors = 0;
    std::string cases;
    for (const nlohmann::json& suite : report.at("suites")) {
      std::string name = suite.value("name", "?");
      int divergent = suite.value("divergent", 0);
      int target_errors = suite.value("target_errors", 0);
      int inconclusive = suite.value("inconclusive", 0);
      std::string details;
      for (const nlohmann::json& failure : suite.at("failures")) {
        details += fmt::format("case {} (case seed {}) {}\n{}\n{}replay: {}\nrerun:  {}\n\n",
                               failure.value("case", 0), failure.value("case_seed", 0),
                               failure.value("signature", ""), failure.value("summary", ""),
                               failure.value("program", ""), failure.value("replay", ""),
                               failure.value("rerun", ""));
      }
      cases += fmt::format(
          "    <testcase classname=\"forkconf.{}\" name=\"{}\" time=\"{:.3f}\">\n",
          xml_escape(target), xml_escape(name), suite.value("seconds", 0.0));
      if (divergent > 0) {
        ++suite_failures;
        cases += fmt::format(
            "      <failure type=\"divergence\" message=\"{} of {} programs diverge from the "
            "model\">{}</failure>\n",
            divergent, suite.value("cases", 0), xml_escape(details));
      } else if (target_errors > 0 || inconclusive > 0) {
        ++suite_errors;
        std::string notes;
        for (const auto& note : suite.value("notes", nlohmann::json::array())) {
          notes += note.get<std::string>() + "\n";
        }
        cases += fmt::format(
            "      <error type=\"target-error\" message=\"{} target errors, {} "
            "inconclusive\">{}</error>\n",
            target_errors, inconclusive, xml_escape(details + notes));
      }
      cases += fmt::format("      <system-out>{}: {} cases, {} conforming</system-out>\n",
                           xml_escape(suite.value("claim", "")), suite.value("cases", 0),
                           suite.value("conforming", 0));
      cases += "    </testcase>\n";
    }
    std::size_t n = report.at("suites").size();
    body += fmt::format(
        "  <testsuite name=\"forkconf.{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
        "time=\"{:.3f}\">\n    <properties>\n      <property name=\"target\" value=\"{}\"/>\n"
        "      <property name=\"seed\" value=\"{}\"/>\n    </properties>\n",
        xml_escape(target), n, suite_failures, suite_errors, report.value("seconds", 0.0),
        xml_escape(target), report.value("seed", 0));
    if (report.contains("setup_error")) {
      ++suite_errors;
      body += fmt::format(
          "    <testcase classname=\"forkconf.{}\" name=\"setup\">\n      <error "
          "type=\"setup\" message=\"{}\"/>\n    </testcase>\n",
          xml_escape(target), xml_escape(report.value("setup_error", "")));
      ++n;
    }
    body += cases + "  </testsuite>\n";
    tests += static_cast<int>(n);
    failures += suite_failures;
    errors += suite_errors;
    seconds += report.value("seconds", 0.0);
  }
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"forkconf\" "
                     "tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n{}"
                     "</testsuites>\n",
                     tests, failures, errors, seconds, body);
}

std::string summary_table(const CampaignResult& result) {
  std::string out = fmt::format("{:<16} {:>7} {:>10} {:>8} {:>8} {:>9}\n", "suite", "cases",
                                "divergent", "errors", "steps", "time");
  for (const SuiteSummary& suite : result.suites) {
    out += fmt::format("{:<16} {:>7} {:>10} {:>8} {:>8} {:>8.2f}s\n", suite.name, suite.cases,
                       suite.divergent, suite.target_errors + suite.inconclusive, suite.steps,
                       suite.seconds);
  }
  int cases = result.total_cases();
  out += fmt::format("{:<16} {:>7} {:>10} {:>8} {:>8} {:>8.2f}s  ({:.0f} programs/s, {} jobs)\n",
                     "total", cases, result.total_divergent(), result.total_errors(), "",
                     result.seconds, result.seconds > 0 ? cases / result.seconds : 0.0,
                     result.jobs);
  /* ---- close-on-exec races (issue 5): per path x spawner ---- */
  for (const SuiteSummary& suite : result.suites) {
    if (!suite.race.empty()) out += race_table(suite.name, suite.race);
  }
  return out;
}

std::string race_table(const std::string& suite, const std::vector<RaceStat>& stats) {
  std::string out = fmt::format("\n{}: {:<17} {:<6} {:<7} {:>7} {:>6} {:>7} {:>9}\n", suite, "path",
                                "spawn", "kind", "trials", "leaks", "rate", "divergent");
  for (const RaceStat& r : stats) {
    out += fmt::format("{}: {:<17} {:<6} {:<7} {:>7} {:>6} {:>6.1f}% {:>9}\n", suite, r.path,
                       r.spawner, r.kind, r.trials, r.leaks, 100.0 * r.leak_rate(), r.divergent);
  }
  return out;
}

std::vector<std::string> write_all(const CampaignResult& result, const std::string& directory,
                                   const std::string& command_line, const oracle::Profile& model) {
  namespace fs = std::filesystem;
  std::vector<std::string> written;
  fs::create_directories(directory);
  auto write = [&](const fs::path& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
    written.push_back(path.string());
  };
  nlohmann::json report = to_json(result, command_line, model);
  write(fs::path(directory) / "report.json", report.dump(2) + "\n");
  write(fs::path(directory) / "summary.md", markdown_summary(report, nullptr));
  write(fs::path(directory) / "junit.xml", junit_xml_from_reports({report}));
  write(fs::path(directory) / "report.html", html_report({report}));
  fs::path divergences = fs::path(directory) / "divergences";
  fs::remove_all(divergences);
  for (const SuiteSummary& suite : result.suites) {
    for (const Failure& failure : suite.failures) {
      fs::create_directories(divergences);
      if (!failure.race_repro.empty()) {  // issue 5: a race trial has a command, not a program
        write(divergences / fmt::format("{}-{}.txt", failure.suite, failure.index),
              fmt::format("# forkconf divergence: suite {} case {}, target {}\n# {}\n{}\n",
                          failure.suite, failure.index, result.target, failure.outcome.summary(),
                          failure.race_repro));
        continue;
      }
      std::vector<std::string> header = {
          fmt::format("forkconf divergence: suite {} case {} (case seed {}), target {}",
                      failure.suite, failure.index, failure.seed, result.target),
          fmt::format("campaign: forkconf run --suite {} --seed {} --cases {}", failure.suite,
                      result.seed, failure.index + 1),
          fmt::format("shrunk from {} to {} steps in {} runs", failure.original.steps.size(),
                      failure.minimal.steps.size(), failure.shrink.attempts),
          failure.outcome.summary()};
      write(divergences / failure_file_name(failure),
            annotated_program(failure.minimal, failure.outcome, header));
    }
  }
  return written;
}

}  // namespace fc::reports
