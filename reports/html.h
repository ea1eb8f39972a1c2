// The HTML report (issue 7): ONE self-contained file (inline CSS and JS, no
// network, no external fonts or images) rendered from report.json alone, so
// `forkconf report --html` can combine the reports of several targets.
//
//   - summary: verdict, one row per report (target, seed, cases, divergent,
//     errors, time, command line);
//   - the suites x targets matrix (a cell per suite per report; "not run"
//     when that report did not run the suite), each failing cell linking to
//     its first divergence;
//   - one <article class="divergence"> per failure: the signature, the
//     minimal program as a table with the model's allowed observations and
//     the target's observation side by side (diverging steps marked), the
//     rules cited, the case seed, the replay and rerun commands, and the C
//     reproducer (from the report's "reproducer" field) with a download button.
//
// Stable hooks for tests and scripts: #verdict[data-status], #matrix
// td[data-suite][data-target][data-status], article.divergence[data-suite]
// [data-target][data-signature], tr.step.diverges, pre.reproducer, and
// body[data-js="ready"] once the inline script has run.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fc::reports {

// Throws std::runtime_error naming the problem when a report is not a
// forkconf report of a known schema version.
std::string html_report(const std::vector<nlohmann::json>& reports);

}  // namespace fc::reports
