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

nlohmann::json to_json(const CampaignResult& result, const std::string& command_line);
std::string junit_xml(const CampaignResult& result);
std::string summary_table(const CampaignResult& result);
// issue 5: a race suite's per path x spawner table (trials, leaks, rate, divergent).
std::string race_table(const std::string& suite, const std::vector<RaceStat>& stats);

// Writes report.json, junit.xml, summary.md and divergences/<suite>-<case>.fcp under
// `directory`; returns the paths written.
std::vector<std::string> write_all(const CampaignResult& result, const std::string& directory,
                                   const std::string& command_line);

}  // namespace fc::reports
