// The .fcp text format: printing and parsing are inverses, and malformed
// input is rejected with the line and column of the problem.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "harness/gen/generator.h"
#include "harness/ir/fcp.h"
#include "suites/registry.h"

namespace fc {
namespace {

void showValue(const Program& program, std::ostream& os) { os << "\n" << print_fcp(program); }

ParseError parse_error(std::string_view text) {
  auto parsed = parse_fcp(text);
  if (auto* error = std::get_if<ParseError>(&parsed)) return *error;
  ADD_FAILURE() << "parsed without error:\n" << text;
  return {};
}

// Every generated program of every suite survives print -> parse unchanged.
RC_GTEST_PROP(Fcp, PrintThenParseIsIdentity, ()) {
  const auto& all = suites::all();
  const SuiteDef& suite = all[*rc::gen::inRange<std::size_t>(0, all.size())];
  Program program = generate(suite.gen, oracle::Profile{}, *rc::gen::arbitrary<std::uint64_t>(),
                             *rc::gen::inRange(0, 101));
  RC_TAG(suite.name);
  std::string text = print_fcp(program);
  auto parsed = parse_fcp(text);
  RC_ASSERT(std::holds_alternative<Program>(parsed));
  RC_ASSERT(std::get<Program>(parsed) == program);
}

// Arbitrary data bytes (quotes, backslashes, NUL, high bytes) round-trip.
RC_GTEST_PROP(Fcp, WriteDataRoundTrips, (const std::string& data)) {
  RC_PRE(data.size() <= FC_MAX_IO);
  Program program;
  program.steps.push_back(Step{0, Op::Write, {3, 0, 0}, data, -1});
  auto parsed = parse_fcp(print_fcp(program));
  RC_ASSERT(std::holds_alternative<Program>(parsed));
  RC_ASSERT(std::get<Program>(parsed).steps.at(0).data == data);
}

TEST(Fcp, CommentsAndBlankLinesAreIgnored) {
  auto parsed = parse_fcp("# header\n\nP0 getpid   # trailing\n  \n");
  ASSERT_TRUE(std::holds_alternative<Program>(parsed));
  EXPECT_EQ(std::get<Program>(parsed).steps.size(), 1u);
}

TEST(Fcp, UnknownOpNamesLineAndColumn) {
  ParseError error = parse_error("P0 getpid\nP0 frok -> P1\n");
  EXPECT_EQ(error.line, 2);
  EXPECT_EQ(error.column, 4);
  EXPECT_NE(error.message.find("frok"), std::string::npos);
}

TEST(Fcp, BadActorIsRejected) {
  ParseError error = parse_error("Q0 getpid\n");
  EXPECT_EQ(error.line, 1);
  EXPECT_EQ(error.column, 1);
}

TEST(Fcp, MissingArgumentSaysWhatWasExpected) {
  ParseError error = parse_error("P0 close\n");
  EXPECT_NE(error.message.find("descriptor"), std::string::npos) << error.text();
}

TEST(Fcp, BadFlagNamesTheWord) {
  ParseError error = parse_error("P0 open f1 O_RDWR|O_CREATE\n");
  EXPECT_EQ(error.column, 12);
  EXPECT_NE(error.message.find("O_RDWR|O_CREATE"), std::string::npos) << error.text();
}

TEST(Fcp, ForkMustNameItsChild) {
  ParseError error = parse_error("P0 fork\n");
  EXPECT_NE(error.message.find("-> P<n>"), std::string::npos) << error.text();
}

TEST(Fcp, StepOfAnActorNoForkCreatedIsRejectedAtItsLine) {
  ParseError error = parse_error("P0 getpid\nP3 getpid\n");
  EXPECT_EQ(error.line, 2);
  EXPECT_NE(error.message.find("P3"), std::string::npos) << error.text();
}

TEST(Fcp, UnterminatedStringIsRejected) {
  ParseError error = parse_error("P0 write 1 \"abc\n");
  EXPECT_NE(error.message.find("unterminated"), std::string::npos) << error.text();
}

TEST(Fcp, TrailingWordsAreRejected) {
  ParseError error = parse_error("P0 close 3 4\n");
  EXPECT_NE(error.message.find("unexpected"), std::string::npos) << error.text();
}

/* ---- pid namespaces (issue 4, pidns) ---- */
// `pidns` is a directive (a comment is ignored): it sets Program::pidns, prints back,
// and is refused after a step, twice, or with arguments.
TEST(Fcp, PidnsDirectiveRoundTrips) {
  auto parsed = parse_fcp("# comment\npidns\nP0 getpid\n");
  ASSERT_TRUE(std::holds_alternative<Program>(parsed));
  const Program& program = std::get<Program>(parsed);
  EXPECT_TRUE(program.pidns);
  EXPECT_EQ(print_fcp(program), "pidns\nP0 getpid\n");
  EXPECT_EQ(std::get<Program>(parse_fcp(print_fcp(program))), program);
  EXPECT_FALSE(std::get<Program>(parse_fcp("# pidns\nP0 getpid\n")).pidns);
  EXPECT_NE(parse_error("P0 getpid\npidns\n").message.find("before the first step"),
            std::string::npos);
  EXPECT_NE(parse_error("pidns\npidns\n").message.find("twice"), std::string::npos);
  EXPECT_NE(parse_error("pidns 1\n").message.find("no arguments"), std::string::npos);
}

}  // namespace
}  // namespace fc
