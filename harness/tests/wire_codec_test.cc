// The runner's reading of executor output: well-formed blocks are parsed and
// normalised to symbols; anything else is an error that names the line, so a
// broken target is never reported as a pass.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>

#include "harness/ir/fcp.h"
#include "harness/runner/wire_codec.h"

namespace fc {
namespace {

ResultParser::Status feed_all(ResultParser& parser, const std::string& text) {
  ResultParser::Status status = ResultParser::Status::NeedMore;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    status = parser.feed(text.substr(start, end - start));
    if (status != ResultParser::Status::NeedMore) return status;
    start = end + 1;
  }
  return status;
}

Program fork_and_wait() {
  return std::get<Program>(parse_fcp("P0 fork -> P1\nP1 getppid\nP1 _exit 300\nP0 wait\n"));
}

TEST(WireCodec, CompleteBlockIsNormalisedToSymbols) {
  Program program = fork_and_wait();
  ResultParser parser(7, program.steps.size());
  // Raw wait status of _exit(300): the kernel keeps 300 & 0377 = 44.
  std::string status = std::to_string(44 << 8);
  ASSERT_EQ(feed_all(parser, "BEGIN 7\nH pidns 1\nA 0 2\nA 1 3\n"
                             "R 0 done 3 0 0 1 0 0 -\n"
                             "R 1 done 2 0 0 0 0 1 -\n"
                             "R 2 done 0 0 0 0 0 2 -\n"
                             "R 3 done 3 0 " + status + " 0 0 3 -\n"
                             "E ok 4\n"),
            ResultParser::Status::Complete)
      << parser.error();
  Trace trace = normalize(program, parser.result());
  EXPECT_EQ(trace.steps[0].obs.text(), "ret=P1 child=0");
  EXPECT_EQ(trace.steps[1].obs.text(), "ret=P0");
  EXPECT_EQ(trace.steps[3].obs.text(), "ret=P1 status=exited(44)");
}

TEST(WireCodec, ReaperPidIsTheReaperSymbol) {
  Program program = std::get<Program>(parse_fcp("P0 getppid\n"));
  ResultParser parser(1, 1);
  ASSERT_EQ(feed_all(parser, "BEGIN 1\nH pidns 1\nA 0 2\nR 0 done 1 0 0 0 0 0 -\nE ok 1\n"),
            ResultParser::Status::Complete);
  EXPECT_EQ(normalize(program, parser.result()).steps[0].obs.text(), "ret=REAPER");
}

TEST(WireCodec, ResultForAnotherProgramIsAnError) {
  ResultParser parser(7, 1);
  EXPECT_EQ(parser.feed("BEGIN 8"), ResultParser::Status::Error);
  EXPECT_NE(parser.error().find("another program"), std::string::npos);
}

TEST(WireCodec, StepIndexOutOfRangeIsAnError) {
  ResultParser parser(1, 2);
  ASSERT_EQ(parser.feed("BEGIN 1"), ResultParser::Status::NeedMore);
  EXPECT_EQ(parser.feed("R 5 done 0 0 0 0 0 0 -"), ResultParser::Status::Error);
}

TEST(WireCodec, BadHexDataIsAnError) {
  ResultParser parser(1, 2);
  ASSERT_EQ(parser.feed("BEGIN 1"), ResultParser::Status::NeedMore);
  EXPECT_EQ(parser.feed("R 0 done 0 0 0 0 0 0 zz"), ResultParser::Status::Error);
}

// No line of random printable text is accepted as a result line.
RC_GTEST_PROP(WireCodec, RandomLinesAreNeverAccepted, (const std::string& line)) {
  RC_PRE(line.rfind("R ", 0) != 0 && line.rfind("A ", 0) != 0 && line.rfind("H ", 0) != 0 &&
         line.rfind("E ", 0) != 0);
  // Blank lines (only whitespace) are skipped by design.
  RC_PRE(std::any_of(line.begin(), line.end(),
                     [](unsigned char c) { return !std::isspace(c); }));
  ResultParser parser(1, 4);
  RC_ASSERT(parser.feed("BEGIN 1") == ResultParser::Status::NeedMore);
  RC_ASSERT(parser.feed(line) == ResultParser::Status::Error);
}

TEST(WireCodec, EncodedProgramCarriesThePlan) {
  Program program = fork_and_wait();
  Plan plan;
  plan.unblock_by = {-1, -1, -1, -1};
  std::string wire = encode_program(program, plan, 3, 1000);
  EXPECT_EQ(wire.rfind("PROG 3 4 1000\n", 0), 0u) << wire;
  EXPECT_NE(wire.find("\nEND\n"), std::string::npos);
}

/* ---- pid namespaces (issue 4, pidns) ---- */
// A pidns program asks for P0 as a namespace's init on the PROG line; in its
// results pid 1 is P0 (never the reaper), and a P0 that is not pid 1 shows up.
TEST(WireCodec, PidnsProgramIsFlaggedAndPidOneIsP0) {
  Program program = std::get<Program>(parse_fcp("pidns\nP0 getpid\nP0 getppid\nP0 fork -> P1\n"));
  Plan plan;
  plan.unblock_by.assign(program.steps.size(), -1);
  EXPECT_EQ(encode_program(program, plan, 3, 1000).rfind("PROG 3 3 1000 pidns\n", 0), 0u);
  program.pidns = false;
  EXPECT_EQ(encode_program(program, plan, 3, 1000).rfind("PROG 3 3 1000\n", 0), 0u);
  program.pidns = true;

  ResultParser parser(1, 3);
  ASSERT_EQ(feed_all(parser, "BEGIN 1\nH pidns 1\nA 0 1\nA 1 2\nR 0 done 1 0 0 0 0 0 -\n"
                             "R 1 done 0 0 0 0 0 1 -\nR 2 done 2 0 0 1 0 2 -\nE ok 3\n"),
            ResultParser::Status::Complete);
  Trace trace = normalize(program, parser.result());
  EXPECT_EQ(trace.steps[0].obs.text(), "ret=P0");
  EXPECT_EQ(trace.steps[1].obs.text(), "ret=0");
  EXPECT_EQ(trace.steps[2].obs.text(), "ret=P1 child=0");

  // An executor that ignored the flag: P0 has some other pid.
  ResultParser wrong(1, 3);
  ASSERT_EQ(feed_all(wrong, "BEGIN 1\nH pidns 1\nA 0 2\nA 1 3\nR 0 done 2 0 0 0 0 0 -\n"
                            "R 1 done 1 0 0 0 0 1 -\nR 2 done 3 0 0 1 0 2 -\nE ok 3\n"),
            ResultParser::Status::Complete);
  Trace bad = normalize(program, wrong.result());
  EXPECT_EQ(bad.steps[0].obs.text(), "ret=pid?2");
  EXPECT_NE(bad.steps[1].obs.text(), "ret=0");
}

}  // namespace
}  // namespace fc
