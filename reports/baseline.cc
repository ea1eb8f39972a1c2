#include "reports/baseline.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace fc::reports {

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": not JSON: " + e.what());
  }
}

SignatureSet signatures_of_report(const nlohmann::json& report) {
  if (report.value("schema", "") != "forkconf-report") {
    throw std::runtime_error("not a forkconf report (schema is not \"forkconf-report\")");
  }
  if (report.value("schema_version", 0) != 1) {
    throw std::runtime_error("unsupported report schema_version " +
                             report.value("schema_version", nlohmann::json(0)).dump());
  }
  SignatureSet set;
  set.target = report.value("target", "");
  for (const auto& suite : report.at("suites")) {
    for (const auto& failure : suite.at("failures")) {
      std::string signature = failure.value("signature", "");
      if (signature.empty()) {
        // A target error (crash, hang) rather than a divergence.
        signature = "target-error";
      }
      std::string key = suite.value("name", "?") + "/" + signature;
      set.entries.emplace(key, failure);
    }
  }
  return set;
}

nlohmann::json make_baseline(const SignatureSet& found) {
  nlohmann::json known = nlohmann::json::array();
  for (const auto& [signature, failure] : found.entries) {
    known.push_back({{"signature", signature},
                     {"example", failure.value("program", "")},
                     {"summary", failure.value("summary", "")}});
  }
  return {{"schema", "forkconf-baseline"},
          {"schema_version", kBaselineSchemaVersion},
          {"targets", {{found.target, known}}}};
}

Baseline parse_baseline(const nlohmann::json& json) {
  if (json.value("schema", "") != "forkconf-baseline") {
    throw std::runtime_error("not a forkconf baseline (schema is not \"forkconf-baseline\")");
  }
  if (json.value("schema_version", 0) != kBaselineSchemaVersion) {
    throw std::runtime_error("unsupported baseline schema_version");
  }
  Baseline baseline;
  for (const auto& [target, entries] : json.at("targets").items()) {
    for (const auto& entry : entries) baseline.known[target].insert(entry.at("signature"));
  }
  return baseline;
}

Comparison compare(const std::set<std::string>& before, const std::set<std::string>& after) {
  Comparison c;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::back_inserter(c.added));
  std::set_difference(before.begin(), before.end(), after.begin(), after.end(),
                      std::back_inserter(c.removed));
  std::set_intersection(before.begin(), before.end(), after.begin(), after.end(),
                        std::back_inserter(c.unchanged));
  return c;
}

std::string markdown_summary(const nlohmann::json& report, const Comparison* against_baseline) {
  std::string md = fmt::format("## forkconf on `{}` (seed {})\n\n", report.value("target", "?"),
                               report.value("seed", 0));
  md += "| suite | cases | divergent | errors | time |\n|---|---:|---:|---:|---:|\n";
  for (const auto& suite : report.at("suites")) {
    md += fmt::format("| {} | {} | {} | {} | {:.2f}s |\n", suite.value("name", "?"),
                      suite.value("cases", 0), suite.value("divergent", 0),
                      suite.value("target_errors", 0) + suite.value("inconclusive", 0),
                      suite.value("seconds", 0.0));
  }
  /* ---- close-on-exec races (issue 5) ---- */
  for (const auto& suite : report.at("suites")) {
    if (!suite.contains("race")) continue;
    // A heading line of its own: Markdown starts a table only on a line that
    // begins with '|'.
    md += fmt::format("\n`{}` race trials:\n\n| path | spawner | kind | trials | leaks | rate | "
                      "divergent |\n|---|---|---|---:|---:|---:|---:|\n",
                      suite.value("name", "?"));
    for (const auto& r : suite.at("race")) {
      md += fmt::format("| {} | {} | {} | {} | {} | {:.1f}% | {} |\n", r.value("path", "?"),
                        r.value("spawner", "?"), r.value("kind", "?"), r.value("trials", 0),
                        r.value("leaks", 0), 100.0 * r.value("leak_rate", 0.0),
                        r.value("divergent", 0));
    }
  }
  const auto& totals = report.at("totals");
  md += fmt::format("\n**{} programs, {} divergent, {} errors** in {:.1f}s.\n",
                    totals.value("cases", 0), totals.value("divergent", 0),
                    totals.value("errors", 0), report.value("seconds", 0.0));
  if (against_baseline) {
    md += fmt::format("\nAgainst the baseline: {} new, {} gone, {} known.\n",
                      against_baseline->added.size(), against_baseline->removed.size(),
                      against_baseline->unchanged.size());
    for (const std::string& s : against_baseline->added) md += "- new: `" + s + "`\n";
    for (const std::string& s : against_baseline->removed) md += "- gone: `" + s + "`\n";
  }
  for (const auto& suite : report.at("suites")) {
    for (const auto& failure : suite.at("failures")) {
      md += fmt::format("\n### {} case {}: `{}`\n\n{}\n\n```\n{}```\n\nReplay: `{}`\n",
                        suite.value("name", "?"), failure.value("case", 0),
                        failure.value("signature", "target-error"), failure.value("summary", ""),
                        failure.value("program", ""), failure.value("replay", ""));
    }
  }
  return md;
}

}  // namespace fc::reports
