#include "reports/html.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <stdexcept>

namespace fc::reports {
namespace {

using nlohmann::json;

std::string esc(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// An id fragment: letters and digits, everything else '-'.
std::string slug(const std::string& text) {
  std::string out;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out += ok ? c : '-';
  }
  return out;
}

std::string str(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

int num(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<int>() : 0;
}

double real(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string anchor(std::size_t report, const std::string& suite, const json& failure) {
  return fmt::format("d-{}-{}-{}", report, slug(suite), num(failure, "case"));
}

const char kStyle[] = R"css(
:root { --fail:#b3261e; --fail-bg:#fde7e4; --pass:#1b6e3a; --pass-bg:#e3f4e8;
        --err:#8a5a00; --err-bg:#fff1cc; --line:#d8dde3; --muted:#5f6b76; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
       margin: 0; color: #1d232a; background: #f6f7f9; }
header { background: #1d2733; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 6px; font-size: 22px; }
header .sub { color: #c3ccd6; font-size: 13px; }
main { padding: 18px 28px 40px; max-width: 1400px; }
h2 { font-size: 18px; margin: 26px 0 10px; }
code, pre, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
table { border-collapse: collapse; background: #fff; }
th, td { border: 1px solid var(--line); padding: 5px 9px; text-align: left; vertical-align: top; }
thead th { background: #eef1f4; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.verdict { display: inline-block; margin-top: 10px; padding: 6px 12px; border-radius: 4px;
           font-weight: 600; }
.verdict[data-status=pass] { background: var(--pass-bg); color: var(--pass); }
.verdict[data-status=fail] { background: var(--fail-bg); color: var(--fail); }
.verdict[data-status=error] { background: var(--err-bg); color: var(--err); }
#matrix td.cell { text-align: center; min-width: 150px; font-weight: 600; }
#matrix td.cell a { color: inherit; }
#matrix td[data-status=pass] { background: var(--pass-bg); color: var(--pass); }
#matrix td[data-status=fail] { background: var(--fail-bg); color: var(--fail); }
#matrix td[data-status=error] { background: var(--err-bg); color: var(--err); }
#matrix td[data-status=absent] { color: var(--muted); font-weight: normal; }
#matrix th .claim { font-weight: normal; color: var(--muted); font-size: 12px; max-width: 520px; }
.controls { margin: 8px 0 12px; }
.controls input { width: 360px; padding: 5px 8px; border: 1px solid var(--line); border-radius: 4px; }
article.divergence { background: #fff; border: 1px solid var(--line); border-left: 5px solid var(--fail);
                     border-radius: 4px; padding: 12px 16px; margin: 0 0 18px; }
article.divergence.target-error { border-left-color: var(--err); }
article h3 { margin: 0 0 6px; font-size: 16px; }
article h3 code { background: #f1f3f5; padding: 1px 5px; border-radius: 3px; }
.summary { margin: 4px 0 10px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0 0 10px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
table.steps { width: 100%; margin: 6px 0 8px; }
table.steps td:first-child { width: 34px; text-align: right; color: var(--muted); }
table.steps col.obs, table.steps col.exp { width: 32%; }
tr.step.diverges td { background: var(--fail-bg); }
tr.step.diverges td.observed { color: var(--fail); font-weight: 600; }
.cmd { display: flex; align-items: center; gap: 8px; margin: 3px 0; }
.cmd .label { width: 64px; color: var(--muted); }
.cmd code { background: #f1f3f5; padding: 2px 6px; border-radius: 3px; }
button { font: inherit; font-size: 12px; padding: 2px 8px; border: 1px solid var(--line);
         border-radius: 3px; background: #fff; cursor: pointer; }
details.repro { margin-top: 8px; }
details.repro summary { cursor: pointer; font-weight: 600; }
pre.reproducer, pre.program { background: #1d2733; color: #e6edf3; padding: 10px 12px;
                              overflow: auto; max-height: 420px; border-radius: 4px; }
.rules { color: var(--muted); font-size: 12.5px; }
.none { color: var(--pass); font-weight: 600; }
.hidden { display: none; }
)css";

const char kScript[] = R"js(
(function () {
  function text(el) { return el.getAttribute('data-text') || el.textContent; }
  document.querySelectorAll('button.copy').forEach(function (b) {
    b.addEventListener('click', function () {
      var target = document.getElementById(b.getAttribute('data-for'));
      if (navigator.clipboard && target) {
        navigator.clipboard.writeText(text(target)).then(function () { b.textContent = 'copied'; });
      }
    });
  });
  document.querySelectorAll('button.download').forEach(function (b) {
    b.addEventListener('click', function () {
      var src = document.getElementById(b.getAttribute('data-for'));
      var blob = new Blob([src.textContent], {type: 'text/x-csrc'});
      var a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = b.getAttribute('data-name');
      document.body.appendChild(a); a.click(); a.remove();
    });
  });
  var filter = document.getElementById('filter');
  var articles = document.querySelectorAll('article.divergence');
  function apply() {
    var q = filter.value.toLowerCase(), shown = 0;
    articles.forEach(function (a) {
      var hay = (a.dataset.suite + ' ' + a.dataset.target + ' ' + a.dataset.signature).toLowerCase();
      var show = hay.indexOf(q) >= 0;
      a.classList.toggle('hidden', !show);
      if (show) shown++;
    });
    document.getElementById('shown').textContent = shown + ' of ' + articles.length + ' shown';
  }
  if (filter) { filter.addEventListener('input', apply); apply(); }
  document.body.setAttribute('data-js', 'ready');
})();
)js";

struct Cell {
  const json* suite = nullptr;
  std::string first_anchor;
};

std::string status_of(const json& suite) {
  if (num(suite, "divergent") > 0) return "fail";
  if (num(suite, "target_errors") > 0 || num(suite, "inconclusive") > 0) return "error";
  return "pass";
}

std::string steps_table(const json& failure) {
  std::string out =
      "<table class=\"steps\"><colgroup><col><col><col class=\"exp\"><col class=\"obs\">"
      "</colgroup><thead><tr><th>#</th><th>step</th><th>expected (model allows)</th>"
      "<th>observed (target)</th></tr></thead><tbody>\n";
  for (const json& step : failure.at("steps")) {
    bool diverges = step.value("diverges", false);
    std::string expected;
    for (const json& e : step.value("expected", json::array())) {
      expected += (expected.empty() ? "" : "<br>") + esc(e.get<std::string>());
    }
    if (expected.empty()) expected = "<span class=\"rules\">(not checked)</span>";
    std::string observed = str(step, "observed");
    out += fmt::format(
        "<tr class=\"step{}\" data-index=\"{}\"><td>{}</td><td><code>{}</code></td>"
        "<td class=\"expected mono\">{}</td><td class=\"observed mono\">{}</td></tr>\n",
        diverges ? " diverges" : "", num(step, "index"), num(step, "index"),
        esc(str(step, "text")), expected, observed.empty() ? "&mdash;" : esc(observed));
  }
  return out + "</tbody></table>\n";
}

std::string command_row(const std::string& label, const std::string& id,
                        const std::string& command) {
  return fmt::format(
      "<div class=\"cmd\"><span class=\"label\">{}</span><code id=\"{}\">{}</code>"
      "<button class=\"copy\" data-for=\"{}\">copy</button></div>\n",
      esc(label), id, esc(command), id);
}

std::string failure_article(std::size_t r, const json& report, const json& suite,
                            const json& failure) {
  std::string target = str(report, "target");
  std::string suite_name = str(suite, "name");
  std::string id = anchor(r, suite_name, failure);
  std::string signature = str(failure, "signature");
  bool target_error = failure.contains("target_error");
  std::string out = fmt::format(
      "<article class=\"divergence{}\" id=\"{}\" data-suite=\"{}\" data-target=\"{}\" "
      "data-signature=\"{}\" data-case=\"{}\">\n",
      target_error ? " target-error" : "", id, esc(suite_name), esc(target),
      esc(signature.empty() ? "target-error" : signature), num(failure, "case"));
  out += fmt::format("<h3>{} &times; {} &mdash; case {} <code>{}</code></h3>\n", esc(suite_name),
                     esc(target), num(failure, "case"),
                     esc(signature.empty() ? "target error" : signature));
  out += "<p class=\"summary\">" + esc(str(failure, "summary")) + "</p>\n";
  if (target_error) {
    out += "<p class=\"summary\"><b>target error:</b> " + esc(str(failure, "target_error")) +
           "</p>\n";
  }
  out += "<dl class=\"meta\">";
  out += fmt::format("<dt>case seed</dt><dd class=\"mono case-seed\">{}</dd>",
                     esc(str(failure, "case_seed")));
  out += fmt::format("<dt>campaign seed</dt><dd class=\"mono\">{}</dd>", esc(str(report, "seed")));
  out += fmt::format("<dt>minimal program</dt><dd>{} steps{}</dd>", num(failure, "minimal_steps"),
                     failure.value("shrunk", false)
                         ? fmt::format(", shrunk from {} steps in {} runs",
                                       num(failure, "original_steps"),
                                       num(failure, "shrink_attempts"))
                         : std::string(" (not shrunk)"));
  out += "</dl>\n";
  out += command_row("replay", id + "-replay", str(failure, "replay"));
  out += command_row("rerun", id + "-rerun", str(failure, "rerun"));
  if (failure.contains("steps") && failure.at("steps").is_array()) {
    out += steps_table(failure);
  } else {
    out += "<pre class=\"program\">" + esc(str(failure, "program")) + "</pre>\n";
  }
  std::set<std::string> rules;
  for (const json& d : failure.value("divergences", json::array())) {
    for (const json& rule : d.value("rules", json::array())) rules.insert(rule.get<std::string>());
  }
  if (!rules.empty()) {
    std::string list;
    for (const std::string& rule : rules) list += (list.empty() ? "" : ", ") + esc(rule);
    out += "<p class=\"rules\">rules behind the expectation: " + list + "</p>\n";
  }
  if (failure.contains("reproducer")) {
    std::string c = str(failure, "reproducer");
    std::size_t lines = 0;
    for (char ch : c) lines += ch == '\n';
    std::string file = fmt::format("repro-{}-{}.c", slug(suite_name), num(failure, "case"));
    out += fmt::format(
        "<details class=\"repro\"><summary>C reproducer ({} lines, libc only): "
        "<code>gcc -O2 -o repro {} &amp;&amp; ./repro</code> exits 1 on this divergence, 0 when "
        "the target behaves</summary>\n<button class=\"download\" data-for=\"{}-c\" "
        "data-name=\"{}\">save {}</button>\n<pre class=\"reproducer\" id=\"{}-c\">{}</pre>"
        "</details>\n",
        lines, esc(file), id, esc(file), esc(file), id, esc(c));
  } else if (failure.contains("reproducer_error")) {
    out += "<p class=\"rules\">no C reproducer: " + esc(str(failure, "reproducer_error")) +
           "</p>\n";
  }
  return out + "</article>\n";
}

}  // namespace

std::string html_report(const std::vector<json>& reports) {
  if (reports.empty()) throw std::runtime_error("html_report: no reports");
  for (const json& report : reports) {
    if (!report.is_object() || report.value("schema", "") != "forkconf-report") {
      throw std::runtime_error("not a forkconf report (schema is not \"forkconf-report\")");
    }
    if (report.value("schema_version", 0) != 1) {
      throw std::runtime_error("unsupported report schema_version " +
                               report.value("schema_version", json(0)).dump());
    }
  }
  // Suites in first-seen order; per report a suite -> cell map.
  std::vector<std::string> suite_order;
  std::map<std::string, std::string> claims;
  std::vector<std::map<std::string, Cell>> cells(reports.size());
  int cases = 0, divergent = 0, errors = 0, failing_cells = 0;
  for (std::size_t r = 0; r < reports.size(); ++r) {
    for (const json& suite : reports[r].at("suites")) {
      std::string name = str(suite, "name");
      if (!claims.count(name)) {
        suite_order.push_back(name);
        claims[name] = str(suite, "claim");
      }
      Cell& cell = cells[r][name];
      cell.suite = &suite;
      const json& failures = suite.at("failures");
      if (!failures.empty()) cell.first_anchor = anchor(r, name, failures.front());
      cases += num(suite, "cases");
      divergent += num(suite, "divergent");
      errors += num(suite, "target_errors") + num(suite, "inconclusive");
      if (status_of(suite) != "pass") ++failing_cells;
    }
    if (reports[r].contains("setup_error")) ++errors;
  }
  std::string verdict_status = divergent > 0 ? "fail" : errors > 0 ? "error" : "pass";
  std::string verdict =
      divergent > 0
          ? fmt::format("DIVERGENCES: {} of {} programs diverge from the model ({} suite &times; "
                        "target cells fail)",
                        divergent, cases, failing_cells)
      : errors > 0 ? fmt::format("ERRORS: {} programs could not be checked", errors)
                   : fmt::format("every target conforms: {} programs, 0 divergences", cases);

  std::string targets_list;
  for (const json& report : reports) {
    targets_list += (targets_list.empty() ? "" : ", ") + esc(str(report, "target"));
  }
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"forkconf\">\n<title>forkconf report: " +
      targets_list + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  html += "<header><h1>forkconf conformance report</h1><div class=\"sub\">process creation "
          "semantics (POSIX/Linux), checked against the reference model &middot; targets: " +
          targets_list + "</div>\n";
  html += fmt::format("<div class=\"verdict\" id=\"verdict\" data-status=\"{}\">{}</div></header>\n",
                      verdict_status, verdict);
  html += "<main>\n<section id=\"summary\"><h2>Summary</h2>\n<table id=\"runs\"><thead><tr>"
          "<th>target</th><th>seed</th><th>programs</th><th>divergent</th><th>errors</th>"
          "<th>time</th><th>command</th></tr></thead><tbody>\n";
  for (const json& report : reports) {
    const json& totals = report.value("totals", json::object());
    html += fmt::format(
        "<tr data-target=\"{}\"><td><code>{}</code></td><td class=\"n\">{}</td>"
        "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
        "<td class=\"n\">{:.1f}s</td><td><code>{}</code>{}</td></tr>\n",
        esc(str(report, "target")), esc(str(report, "target")), esc(str(report, "seed")),
        num(totals, "cases"), num(totals, "divergent"), num(totals, "errors"),
        real(report, "seconds"), esc(str(report, "command")),
        report.contains("setup_error")
            ? "<br><b>setup error:</b> " + esc(str(report, "setup_error"))
            : std::string());
  }
  html += "</tbody></table></section>\n";

  html += "<section id=\"matrix-section\"><h2>Suites &times; targets</h2>\n<table id=\"matrix\">"
          "<thead><tr><th>suite (property)</th>";
  for (const json& report : reports) html += "<th><code>" + esc(str(report, "target")) + "</code></th>";
  html += "</tr></thead><tbody>\n";
  for (const std::string& name : suite_order) {
    html += fmt::format("<tr data-suite=\"{}\"><th>{}<div class=\"claim\">{}</div></th>", esc(name),
                        esc(name), esc(claims[name]));
    for (std::size_t r = 0; r < reports.size(); ++r) {
      std::string target = esc(str(reports[r], "target"));
      auto it = cells[r].find(name);
      if (it == cells[r].end()) {
        html += fmt::format("<td class=\"cell\" data-suite=\"{}\" data-target=\"{}\" "
                            "data-status=\"absent\">not run</td>",
                            esc(name), target);
        continue;
      }
      const json& suite = *it->second.suite;
      std::string status = status_of(suite);
      std::string label =
          status == "pass"
              ? fmt::format("&#10003; {} conform", num(suite, "cases"))
          : status == "fail"
              ? fmt::format("&#10007; {} of {} diverge", num(suite, "divergent"), num(suite, "cases"))
              : fmt::format("! {} errors of {}",
                            num(suite, "target_errors") + num(suite, "inconclusive"),
                            num(suite, "cases"));
      if (!it->second.first_anchor.empty()) {
        label = "<a href=\"#" + it->second.first_anchor + "\">" + label + "</a>";
      }
      html += fmt::format("<td class=\"cell\" data-suite=\"{}\" data-target=\"{}\" "
                          "data-status=\"{}\" data-cases=\"{}\" data-divergent=\"{}\">{}</td>",
                          esc(name), target, status, num(suite, "cases"),
                          num(suite, "divergent"), label);
    }
    html += "</tr>\n";
  }
  html += "</tbody></table></section>\n";

  std::string articles;
  int shown = 0;
  for (std::size_t r = 0; r < reports.size(); ++r) {
    for (const json& suite : reports[r].at("suites")) {
      for (const json& failure : suite.at("failures")) {
        articles += failure_article(r, reports[r], suite, failure);
        ++shown;
      }
    }
  }
  html += fmt::format("<section id=\"divergences\"><h2>Divergences and target errors ({})</h2>\n",
                      shown);
  if (shown == 0) {
    html += "<p class=\"none\">None: every program behaved as the model allows.</p>\n";
  } else {
    html += "<p class=\"rules\">Each is the minimal program the shrinker found (at most a few per "
            "suite); the JSON report counts every divergent program.</p>\n"
            "<div class=\"controls\"><input id=\"filter\" type=\"search\" placeholder=\"filter by "
            "suite, target or signature\"> <span id=\"shown\"></span></div>\n" +
            articles;
  }
  html += "</section>\n</main>\n<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
  return html;
}

}  // namespace fc::reports
