// Renderers of a campaign result: JSON (versioned schema, reports/SCHEMA.md),
// JUnit XML for CI systems, a plain-text summary table, and a .fcp file per
// divergence that `forkconf replay` runs again.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "harness/campaign.h"

namespace fc::reports {

inline constexpr int kJsonSchemaVersion = 1;

// The program with the model's expectation and the observation per step as
// trailing comments, plus a header saying how to replay it.
std::string annotated_program(const Program& program, const CaseOutcome& outcome,
                              const std::vector<std::string>& header);

// `model` is the model the campaign checked against (CampaignOptions::model):
// the per-step expectations and the C reproducer of each failure use it.
nlohmann::json to_json(const CampaignResult& result, const std::string& command_line,
                       const oracle::Profile& model = {});
std::string junit_xml(const CampaignResult& result);

/* ---- reports for people and CI (issue 7) ---- */

// JUnit XML from one or more report.json (one per target): a <testsuite> per
// target, a <testcase> per property (suite) per target.
std::string junit_xml_from_reports(const std::vector<nlohmann::json>& reports);

// The observation of step `i` in canonical text, "state=blocked", or
// "not started" (the run stopped before it).
std::string observed_text(const CaseOutcome& outcome, std::size_t i);
std::string summary_table(const CampaignResult& result);
// issue 5: a race suite's per path x spawner table (trials, leaks, rate, divergent).
std::string race_table(const std::string& suite, const std::vector<RaceStat>& stats);

// Writes report.json, report.html, junit.xml, summary.md and divergences/<suite>-<case>.fcp under
// `directory`; returns the paths written.
std::vector<std::string> write_all(const CampaignResult& result, const std::string& directory,
                                   const std::string& command_line,
                                   const oracle::Profile& model = {});

}  // namespace fc::reports
