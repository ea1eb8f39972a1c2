// Reports of a real divergence (issue 7): a campaign against a model with a
// planted wrong rule (the exit status is not cut to 8 bits) on the host, then
// report.json, its C reproducers, JUnit and HTML built from it.
//
// Claim: each failure in report.json carries the minimal program step by step
// (model's allowed observations next to the target's, the diverging step
// marked) and a standalone C reproducer that, compiled with gcc or musl-gcc,
// exits 1 on the divergence it was made for and 0 when the target behaves as
// the (real) model says.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "harness/runner/target.h"
#include "harness/ir/fcp.h"
#include "harness/repro/c_emitter.h"
#include "reports/baseline.h"
#include "reports/html.h"
#include "reports/report.h"
#include "suites/support/property.h"

namespace fc {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;


struct Ran {
  int status = -1;
  std::string output;
};

Ran run_shell(const std::string& command) {
  Ran run;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
  int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

oracle::Profile planted() {
  oracle::Profile p;
  p.planted_bug = oracle::Profile::PlantedBug::ExitStatusUncut;
  return p;
}

// One planted-bug campaign shared by the tests of this binary.
class PlantedReport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    hunt_ = new testing::HuntResult(
        testing::hunt("exit_wait", oracle::Profile::PlantedBug::ExitStatusUncut, 400));
    report_ = new json(reports::to_json(hunt_->campaign, "report_tests", planted()));
  }
  static void TearDownTestSuite() {
    delete hunt_;
    delete report_;
  }
  void SetUp() override {
    ASSERT_TRUE(hunt_->first.has_value()) << "the planted bug was not found";
    char pattern[] = "/tmp/fc-report-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }
  const json& first_failure() const {
    for (const json& suite : report_->at("suites")) {
      for (const json& f : suite.at("failures")) return f;
    }
    throw std::runtime_error("report has no failure");
  }
  // Compiles `source` with `cc flags` and runs it in the temp dir.
  Ran build_and_run(const std::string& source, const std::string& name, const std::string& cc,
                    const std::string& flags) {
    std::string c = dir_ + "/" + name + ".c", bin = dir_ + "/" + name;
    std::ofstream(c) << source;
    Ran built = run_shell(cc + " " + flags + " -o " + bin + " " + c);
    if (built.status != 0) {
      ADD_FAILURE() << cc << " failed on " << name << ":\n" << built.output.substr(0, 3000);
      return {-2, built.output};
    }
    return run_shell("cd " + dir_ + " && " + bin);
  }

  static testing::HuntResult* hunt_;
  static json* report_;
  std::string dir_;
};
testing::HuntResult* PlantedReport::hunt_ = nullptr;
json* PlantedReport::report_ = nullptr;

// The failure's steps: the model's allowed observations and the target's side
// by side; the steps the checker flagged, and those whose observation is not
// among the allowed ones, are marked.
TEST_F(PlantedReport, FailureListsEveryStepWithExpectedAndObserved) {
  const json& f = first_failure();
  ASSERT_TRUE(f.contains("steps"));
  ASSERT_EQ(f["steps"].size(), f["minimal_steps"].get<std::size_t>());
  std::set<std::size_t> flagged;
  for (const json& d : f["divergences"]) flagged.insert(d["step"].get<std::size_t>());
  ASSERT_FALSE(flagged.empty());
  Program minimal = hunt_->first->minimal;
  for (const json& step : f["steps"]) {
    std::size_t i = step["index"];
    EXPECT_EQ(step["text"], print_step(minimal.steps[i]));
    bool in_expected = false;
    for (const json& e : step["expected"]) in_expected = in_expected || e == step["observed"];
    // Marked: flagged by the checker, or an observation no path allows.
    EXPECT_EQ(step["diverges"].get<bool>(), flagged.count(i) == 1 || !in_expected)
        << step.dump();
  }
}

// The reproducer stored in report.json carries the planted model's
// expectations: with gcc and with musl-gcc -static it exits 1 on the host
// and names a step the report marks as diverging. Made from the real model it exits 0.
TEST_F(PlantedReport, ReproducerOfPlantedBugExitsOneWithGccAndMusl) {
  const json& f = first_failure();
  ASSERT_TRUE(f.contains("reproducer")) << f.value("reproducer_error", "");
  std::string c = f["reproducer"];
  // The reproducer names the step whose observation is wrong: a step the
  // report marks (for a blocked step, the checker flags the unblocking one).
  std::vector<std::string> marked;
  for (const json& st : f["steps"]) {
    if (st["diverges"].get<bool>()) marked.push_back("step " + std::to_string(st["index"].get<int>()) + ":");
  }
  std::vector<std::pair<std::string, std::string>> compilers;
  auto gcc = find_program("gcc");
  ASSERT_TRUE(gcc) << "gcc not in PATH";
  compilers.push_back({*gcc, "-O2"});
  auto musl = find_program("musl-gcc");
  ASSERT_TRUE(musl) << "musl-gcc not in PATH (scripts/setup installs musl-tools)";
  compilers.push_back({*musl, "-static -O2"});
  for (const auto& [cc, flags] : compilers) {
    Ran planted_run = build_and_run(c, "planted", cc, flags);
    EXPECT_EQ(planted_run.status, 1) << cc << ":\n" << planted_run.output;
    bool names_a_marked_step = false;
    for (const std::string& m : marked) {
      names_a_marked_step = names_a_marked_step || planted_run.output.find(m) != std::string::npos;
    }
    EXPECT_TRUE(names_a_marked_step) << cc << ":\n" << planted_run.output;

    // The same program with the real model's expectations: the host behaves.
    oracle::Profile real;
    PlanResult planned = plan(hunt_->first->minimal, real);
    ASSERT_TRUE(planned.plan);
    EmitOptions options;
    options.allowed = allowed_by_model(hunt_->first->minimal, real);
    Ran real_run =
        build_and_run(emit_c(hunt_->first->minimal, *planned.plan, options), "real", cc, flags);
    EXPECT_EQ(real_run.status, 0) << cc << ":\n" << real_run.output;
  }
}

// JUnit: a <testcase> per property (suite) per target; the failing one carries
// the divergence's signature and replay command.
TEST_F(PlantedReport, JUnitHasATestcasePerPropertyPerTarget) {
  json other = *report_;
  other["target"] = "wrap:env OTHER=1";
  for (json& suite : other["suites"]) {
    suite["divergent"] = 0;
    suite["failures"] = json::array();
  }
  std::string xml = reports::junit_xml_from_reports({*report_, other});
  std::size_t suites = report_->at("suites").size();
  EXPECT_EQ(count(xml, "<testcase "), 2 * suites);
  EXPECT_EQ(count(xml, "<testsuite "), 2u);
  EXPECT_EQ(count(xml, "classname=\"forkconf.host\""), suites);
  EXPECT_EQ(count(xml, "classname=\"forkconf.wrap:env OTHER=1\""), suites);
  EXPECT_EQ(count(xml, "<failure "), 1u);
  EXPECT_NE(xml.find("<testsuites name=\"forkconf\" tests=\"" + std::to_string(2 * suites) +
                     "\" failures=\"1\" errors=\"0\""),
            std::string::npos)
      << xml.substr(0, 400);
  EXPECT_NE(xml.find(first_failure()["signature"].get<std::string>()), std::string::npos);
}

// The HTML: one document with no external resource, the divergence's article
// with its signature, its diverging step row and the escaped C reproducer.
TEST_F(PlantedReport, HtmlShowsTheDivergenceSelfContained) {
  std::string html = reports::html_report({*report_});
  const json& f = first_failure();
  EXPECT_NE(html.find("data-signature=\"" + f["signature"].get<std::string>() + "\""),
            std::string::npos);
  std::size_t marked = 0;
  for (const json& step : f["steps"]) marked += step["diverges"].get<bool>();
  EXPECT_EQ(count(html, "<tr class=\"step diverges\""), marked);
  EXPECT_GE(marked, f["divergences"].size());
  EXPECT_NE(html.find("<pre class=\"reproducer\""), std::string::npos);
  EXPECT_NE(html.find("#include &lt;"), std::string::npos);  // escaped C
  EXPECT_EQ(html.find("#include <"), std::string::npos);
  for (const char* external : {"src=", "<link", "@import", "url(", "http://", "https://"}) {
    EXPECT_EQ(html.find(external), std::string::npos) << "external resource: " << external;
  }
  EXPECT_NE(html.find("id=\"verdict\" data-status=\"fail\""), std::string::npos);
}

// A baseline made from this report knows the divergence by signature; the
// Markdown summary against it lists nothing new.
TEST_F(PlantedReport, BaselineKnowsTheDivergenceBySignature) {
  reports::SignatureSet found = reports::signatures_of_report(*report_);
  reports::Baseline baseline = reports::parse_baseline(reports::make_baseline(found));
  std::string key = "exit_wait/" + first_failure()["signature"].get<std::string>();
  EXPECT_EQ(baseline.known["host"].count(key), 1u);
  std::set<std::string> now;
  for (const auto& [s, e] : found.entries) now.insert(s);
  reports::Comparison c = reports::compare(baseline.known["host"], now);
  EXPECT_TRUE(c.added.empty());
  EXPECT_TRUE(c.removed.empty());
  std::string md = reports::markdown_summary(*report_, &c);
  EXPECT_NE(md.find("0 new, 0 gone"), std::string::npos) << md;
}

}  // namespace
}  // namespace fc
