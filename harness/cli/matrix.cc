// forkconf targets / forkconf matrix (issue 6).
#include "harness/cli/matrix.h"

#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "harness/ir/fcp.h"
#include "harness/ir/wire.h"
#include "reports/baseline.h"
#include "reports/report.h"

namespace fc {

namespace fs = std::filesystem;

int targets_command(const std::string& executor) {
  int usable = 0;
  std::vector<TargetStatus> all = list_targets(executor);
  for (const TargetStatus& t : all) {
    std::cout << fmt::format("{:<22} {:<4} {}\n", t.name, t.usable ? "yes" : "no", t.detail);
    usable += t.usable;
  }
  std::cout << fmt::format("{} of {} targets usable here\n", usable, all.size());
  return FC_EXIT_OK;
}

namespace {

bool libc_applies(const std::string& target) {
  // The cross-architecture builds have one libc (glibc, static).
  return target != "qemu-user:i386" && target != "qemu-user:aarch64";
}

std::string cell_name(const std::string& target, const std::string& libc) {
  return libc_applies(target) ? target + " (" + libc + ")" : target;
}

std::string file_name(std::string text) {
  for (char& c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '_';
  }
  return text;
}

}  // namespace

int matrix_command(const MatrixOptions& m) {
  // Cells: targets x libcs, each libc where it applies.
  struct Cell {
    std::string target, libc, name, executor;
    std::optional<std::string> unusable;
    nlohmann::json report;
    double seconds = 0;
    int status = FC_EXIT_OK;
    reports::SignatureSet found;
  };
  std::vector<Cell> cells;
  for (const std::string& target : m.targets) {
    for (const std::string& libc : m.libcs) {
      if (!libc_applies(target) && &libc != &m.libcs.front()) continue;
      Cell cell;
      cell.target = target;
      cell.libc = libc_applies(target) ? libc : "glibc-static";
      cell.name = cell_name(target, libc);
      cell.executor = executor_for_libc(m.executor, cell.libc);
      if (cell.executor.empty()) {
        std::cerr << "forkconf: unknown libc '" << libc << "' (known: glibc, glibc-static, musl)\n";
        return FC_EXIT_USAGE;
      }
      TargetStatus probe = probe_target(TargetSpec{target, cell.executor});
      if (!probe.usable) {
        if (probe.detail.rfind("unknown target", 0) == 0) {
          std::cerr << "forkconf: " << probe.detail << "\n";
          return FC_EXIT_USAGE;
        }
        cell.unusable = probe.detail;
      }
      cells.push_back(std::move(cell));
    }
  }
  std::error_code ec;
  fs::create_directories(m.out_dir, ec);
  if (ec) {
    std::cerr << "forkconf: cannot create " << m.out_dir << ": " << ec.message() << "\n";
    return FC_EXIT_USAGE;
  }
  for (Cell& cell : cells) {
    if (cell.unusable) {
      std::cerr << fmt::format("forkconf: {}: not usable here: {}\n", cell.name, *cell.unusable);
      continue;
    }
    CampaignOptions options;
    options.seed = m.seed;
    options.cases = m.cases;
    options.jobs = m.jobs;
    options.timeout_ms = m.timeout_ms;
    options.suites = m.suites;
    options.target = TargetSpec{cell.target, cell.executor};
    if (!m.quiet) {
      std::cerr << fmt::format("forkconf: {}: {} suites x {} cases (seed {})\n", cell.name,
                               options.suites.size(), m.cases, m.seed);
    }
    auto start = std::chrono::steady_clock::now();
    CampaignResult result = run_campaign(options);
    cell.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (result.setup_error) {
      cell.unusable = *result.setup_error;
      continue;
    }
    std::string dir = (fs::path(m.out_dir) / "cells" / file_name(cell.name)).string();
    try {
      reports::write_all(result, dir, m.command_line);
    } catch (const std::exception& e) {
      std::cerr << "forkconf: " << e.what() << "\n";
      return FC_EXIT_USAGE;
    }
    cell.report = reports::to_json(result, m.command_line);
    cell.found = reports::signatures_of_report(cell.report);
    cell.status = result.total_divergent() > 0 ? FC_EXIT_DIVERGENCE
                  : result.total_errors() > 0  ? FC_EXIT_TARGET
                                               : FC_EXIT_OK;
    if (!m.quiet) {
      std::cerr << fmt::format("forkconf: {}: {} divergent, {} errors, {:.1f} s\n", cell.name,
                               result.total_divergent(), result.total_errors(), cell.seconds);
    }
  }

  // Which signatures occur where: a divergence in some cells but not all is
  // where the targets differ.
  std::map<std::string, std::set<std::string>> where;  // signature -> cells
  for (const Cell& cell : cells) {
    for (const auto& [signature, example] : cell.found.entries) where[signature].insert(cell.name);
  }

  nlohmann::json json;
  json["schema"] = "forkconf-matrix";
  json["schema_version"] = 1;
  json["command"] = m.command_line;
  json["seed"] = m.seed;
  json["cases"] = m.cases;
  json["suites"] = nlohmann::json::array();
  for (const SuiteDef& s : m.suites) json["suites"].push_back(s.name);
  json["cells"] = nlohmann::json::array();
  for (const Cell& cell : cells) {
    nlohmann::json c;
    c["name"] = cell.name;
    c["target"] = cell.target;
    c["libc"] = cell.libc;
    c["executor"] = cell.executor;
    c["seconds"] = cell.seconds;
    if (cell.unusable) {
      c["unusable"] = *cell.unusable;
    } else {
      c["status"] = cell.status;
      nlohmann::json suites = nlohmann::json::object();
      for (const auto& s : cell.report.at("suites")) {
        nlohmann::json divergences = nlohmann::json::array();
        for (const auto& f : s.at("failures")) {
          std::string sig = f.value("signature", "");
          divergences.push_back({{"signature", sig.empty() ? "target-error" : sig},
                                 {"summary", f.value("summary", "")},
                                 {"program", f.value("program", "")},
                                 {"flaky", f.value("flaky", false)},
                                 {"target_error", f.value("target_error", "")}});
        }
        suites[s.value("name", "?")] = {{"cases", s.value("cases", 0)},
                                        {"divergent", s.value("divergent", 0)},
                                        {"target_errors", s.value("target_errors", 0)},
                                        {"inconclusive", s.value("inconclusive", 0)},
                                        {"failures", divergences}};
      }
      c["suites"] = suites;
      c["report"] = (fs::path("cells") / file_name(cell.name) / "report.json").string();
    }
    json["cells"].push_back(c);
  }
  nlohmann::json differ = nlohmann::json::object();
  for (const auto& [signature, in] : where) differ[signature] = in;
  json["signatures"] = differ;
  std::ofstream(fs::path(m.out_dir) / "matrix.json") << json.dump(2) << "\n";

  // The table: suites x cells; each entry "ok", "N div", "N err", or "-".
  std::string md = "# forkconf matrix\n\n";
  md += fmt::format("seed {}, {} cases per suite per cell\n\n| suite |", m.seed, m.cases);
  for (const Cell& cell : cells) md += " " + cell.name + " |";
  md += "\n|---|";
  for (std::size_t i = 0; i < cells.size(); ++i) md += "---|";
  md += "\n";
  for (const SuiteDef& suite : m.suites) {
    md += "| " + suite.name + " |";
    for (const Cell& cell : cells) {
      if (cell.unusable) {
        md += " n/a |";
        continue;
      }
      const auto& s = cell.report["suites"];
      std::string entry = "-";
      for (const auto& one : s) {
        if (one.value("name", "") != suite.name) continue;
        int div = one.value("divergent", 0), err = one.value("target_errors", 0),
            inc = one.value("inconclusive", 0);
        entry = div == 0 && err == 0 && inc == 0 ? "ok" : "";
        if (div) entry += fmt::format("{} div", div);
        if (err) entry += fmt::format("{}{} err", entry.empty() ? "" : ", ", err);
        if (inc) entry += fmt::format("{}{} inc", entry.empty() ? "" : ", ", inc);
      }
      md += " " + entry + " |";
    }
    md += "\n";
  }
  md += "| time (s) |";
  for (const Cell& cell : cells) md += fmt::format(" {:.1f} |", cell.seconds);
  md += "\n\n";
  for (const Cell& cell : cells) {
    if (cell.unusable) {
      md += fmt::format("## {}: not usable\n\n{}\n\n", cell.name, *cell.unusable);
      continue;
    }
    if (cell.found.entries.empty()) continue;
    md += fmt::format("## {}: {} distinct divergences\n\n", cell.name, cell.found.entries.size());
    for (const auto& [signature, example] : cell.found.entries) {
      std::string others;
      for (const std::string& other : where[signature]) {
        if (other != cell.name) others += (others.empty() ? "" : ", ") + other;
      }
      md += fmt::format("### `{}`\n\nalso in: {}\n\n{}\n\n```\n{}```\n\n", signature,
                        others.empty() ? "no other cell" : others,
                        example.value("summary", "") +
                            (example.value("flaky", false)
                                 ? " (nondeterministic: a rerun conformed, so it is not shrunk)"
                                 : ""),
                        example.value("program", ""));
      if (example.contains("target_error"))
        md += "target error:\n```\n" + example.value("target_error", "") + "\n```\n\n";
    }
  }
  std::ofstream(fs::path(m.out_dir) / "matrix.md") << md;
  std::cout << md.substr(0, md.find("\n## ")) << "\n";
  std::cout << "matrix: " << m.out_dir << "/matrix.json, " << m.out_dir << "/matrix.md, "
            << m.out_dir << "/cells/\n";

  int status = FC_EXIT_OK;
  for (const Cell& cell : cells) {
    if (cell.unusable) continue;
    if (cell.status == FC_EXIT_DIVERGENCE) status = FC_EXIT_DIVERGENCE;
    else if (cell.status != FC_EXIT_OK && status == FC_EXIT_OK) status = cell.status;
  }
  return status;
}

}  // namespace fc
