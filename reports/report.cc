#include "reports/report.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "harness/ir/fcp.h"
#include "reports/baseline.h"

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

std::string replay_hint(const Failure& failure, const std::string& target) {
  return fmt::format("forkconf replay divergences/{} --target {}", failure_file_name(failure),
                     target);
}

}  // namespace

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
    std::string observed;
    if (i < outcome.trace.steps.size()) {
      const StepTrace& step = outcome.trace.steps[i];
      switch (step.state) {
        case StepTrace::State::NotStarted: observed = "not started"; break;
        case StepTrace::State::Blocked: observed = "state=blocked"; break;
        default: observed = step.obs.text();
      }
    }
    if (diverged[i]) {
      options.comments[i] = "DIVERGES: observed " + observed + " / model " + expected[i];
    } else {
      options.comments[i] = "=> " + (observed.empty() ? expected[i] : observed);
    }
  }
  return print_fcp(program, options);
}

nlohmann::json to_json(const CampaignResult& result, const std::string& command_line) {
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
      f["rerun"] = fmt::format("forkconf run --suite {} --seed {} --cases {}", failure.suite,
                               result.seed, failure.index + 1);
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
      failures.push_back(f);
    }
    s["failures"] = failures;
    suites.push_back(s);
  }
  root["suites"] = suites;
  return root;
}

std::string junit_xml(const CampaignResult& result) {
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format("<testsuites name=\"forkconf\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
                     "time=\"{:.3f}\">\n",
                     result.suites.size(), result.total_divergent() ? 1 : 0,
                     result.total_errors() ? 1 : 0, result.seconds);
  for (const SuiteSummary& suite : result.suites) {
    bool failed = suite.divergent > 0;
    bool errored = suite.target_errors > 0 || suite.inconclusive > 0;
    xml += fmt::format(
        "  <testsuite name=\"forkconf.{}\" tests=\"1\" failures=\"{}\" errors=\"{}\" "
        "time=\"{:.3f}\">\n",
        xml_escape(suite.name), failed ? 1 : 0, errored && !failed ? 1 : 0, suite.seconds);
    xml += fmt::format("    <testcase classname=\"forkconf.{}\" name=\"{}\" time=\"{:.3f}\">\n",
                       xml_escape(result.target), xml_escape(suite.name), suite.seconds);
    std::string details;
    for (const Failure& failure : suite.failures) {
      details += fmt::format("case {} (seed {}):\n{}\n{}\n", failure.index, failure.seed,
                             failure.outcome.summary(), print_fcp(failure.minimal));
    }
    if (failed) {
      xml += fmt::format("      <failure message=\"{} of {} programs diverge\">{}</failure>\n",
                         suite.divergent, suite.cases, xml_escape(details));
    } else if (errored) {
      std::string notes;
      for (const std::string& note : suite.notes) notes += note + "\n";
      xml += fmt::format(
          "      <error message=\"{} target errors, {} inconclusive\">{}</error>\n",
          suite.target_errors, suite.inconclusive, xml_escape(details + notes));
    }
    xml += fmt::format("      <system-out>{} cases, {} conforming</system-out>\n", suite.cases,
                       suite.conforming);
    xml += "    </testcase>\n  </testsuite>\n";
  }
  xml += "</testsuites>\n";
  return xml;
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
  return out;
}

std::vector<std::string> write_all(const CampaignResult& result, const std::string& directory,
                                   const std::string& command_line) {
  namespace fs = std::filesystem;
  std::vector<std::string> written;
  fs::create_directories(directory);
  auto write = [&](const fs::path& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
    written.push_back(path.string());
  };
  nlohmann::json report = to_json(result, command_line);
  write(fs::path(directory) / "report.json", report.dump(2) + "\n");
  write(fs::path(directory) / "summary.md", markdown_summary(report, nullptr));
  write(fs::path(directory) / "junit.xml", junit_xml(result));
  fs::path divergences = fs::path(directory) / "divergences";
  fs::remove_all(divergences);
  for (const SuiteSummary& suite : result.suites) {
    for (const Failure& failure : suite.failures) {
      fs::create_directories(divergences);
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
