// Baselines and run diffs.
//
// A divergence is identified across runs by its stable signature:
// "<suite>/<kind>:<op>[<fields>]" (Divergence::signature), never by seed, so
// the same bug found by another program is the same entry.
//
// A baseline (JSON, schema "forkconf-baseline" v1) lists the known
// divergences per target. A CI gate with --baseline fails only on new
// ones and lists those that went away.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace fc::reports {

inline constexpr int kBaselineSchemaVersion = 1;

// Signatures of every divergence in a JSON report, with one example each.
struct SignatureSet {
  std::string target;
  std::map<std::string, nlohmann::json> entries;  // signature -> example failure
};

// Reads report.json; throws std::runtime_error naming the problem.
SignatureSet signatures_of_report(const nlohmann::json& report);

nlohmann::json make_baseline(const SignatureSet& found);

struct Baseline {
  std::map<std::string, std::set<std::string>> known;  // target -> signatures
};
// Throws std::runtime_error naming the problem (not a baseline, bad version).
Baseline parse_baseline(const nlohmann::json& json);

struct Comparison {
  std::vector<std::string> added;      // in the new run only: new divergences
  std::vector<std::string> removed;    // in the old run/baseline only: went away
  std::vector<std::string> unchanged;  // in both
};
Comparison compare(const std::set<std::string>& before, const std::set<std::string>& after);

// The Markdown summary for logs and pull requests.
std::string markdown_summary(const nlohmann::json& report, const Comparison* against_baseline);

nlohmann::json read_json_file(const std::string& path);  // throws with the path in the message

}  // namespace fc::reports
