// Cross-cutting properties of the model: initial state, refusals common to
// every op, views for generators, value semantics, and that every rule the
// model cites is quoted in oracles/spec/.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "oracles/tests/oracle_test_util.h"

namespace fc::oracle::testing {
namespace {

using ::testing::ElementsAre;

// P0 starts alive with fds 0, 1, 2 on /dev/null and nothing else.
TEST(Model, InitialStateIsP0WithNullOnTheStandardDescriptors) {
  StatePtr s = initial_state(Profile{});
  std::vector<ActorView> views = actor_views(*s);
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].id, 0);
  EXPECT_TRUE(views[0].alive);
  EXPECT_FALSE(views[0].blocked);
  EXPECT_THAT(views[0].fds, ElementsAre(0, 1, 2));
  EXPECT_TRUE(views[0].regions.empty());
  EXPECT_EQ(next_actor_id(*s), 1);
  EXPECT_EQ(next_region_id(*s), 0);
}

// A step of an actor that was never created cannot run.
TEST(Model, StepOfAnActorNotCreatedIsInvalid) {
  Program p = parse("P0 getpid\n");
  p.steps[0].actor = 3;
  EXPECT_EQ(special_of_last(p), "Invalid");
}

// A step past the end of the program has no outcome.
TEST(Model, StepIndexPastTheEndIsInvalid) {
  Program p = parse("P0 getpid\n");
  StepResult r = apply(*initial_state(Profile{}), p, 5);
  ASSERT_TRUE(r.special.has_value());
  EXPECT_EQ(r.special->kind, Special::Kind::Invalid);
}

// A wait selector must name an actor that exists.
TEST(Model, WaitForAnActorNotCreatedYetIsInvalid) {
  Program p = parse("P0 fork -> P1\nP0 waitpid P1 0\n");
  std::swap(p.steps[0], p.steps[1]);
  StepResult r = apply(*initial_state(Profile{}), p, 0);
  ASSERT_TRUE(r.special.has_value());
  EXPECT_EQ(r.special->kind, Special::Kind::Invalid);
}

// Views list children, zombies, fds and regions for generators.
TEST(Model, ActorViewsDescribeWhatEachActorCanDo) {
  ModelRun r = run("P0 mmap shared -> M3\nP0 fork -> P1\nP0 fork -> P2\nP2 _exit 0\nP0 pipe\n"
              "P1 pipe\nP1 read 3 1\n");
  std::vector<ActorView> views = actor_views(*r.state);
  ASSERT_EQ(views.size(), 3u);
  EXPECT_THAT(views[0].children, ElementsAre(1, 2));
  EXPECT_THAT(views[0].zombie_children, ElementsAre(2));
  EXPECT_THAT(views[0].fds, ElementsAre(0, 1, 2, 3, 4));
  EXPECT_THAT(views[0].regions, ElementsAre(3));
  EXPECT_TRUE(views[1].blocked);  // it holds the only write end itself
  EXPECT_FALSE(views[2].alive);
  EXPECT_EQ(next_actor_id(*r.state), 3);
  EXPECT_EQ(next_region_id(*r.state), 4);
}

// The state before a step is never changed by applying it.
TEST(Model, ApplyLeavesTheInputStateUnchanged) {
  Program p = parse("P0 pipe\nP0 write 4 \"abc\"\nP0 fork -> P1\nP1 read 3 2\n");
  ModelRun before = run(p);
  State copy = *before.state;
  StepResult r = apply(*before.state, p, 3);
  ASSERT_EQ(r.outcomes.size(), 1u);
  EXPECT_TRUE(copy == *before.state);
  EXPECT_FALSE(*r.outcomes[0].next == *before.state);
}

// A failed call changes nothing. - POSIX XSH 2.3 (errors have no effect here)
TEST(Model, FailedCallLeavesTheStateUnchanged) {
  Program p = parse("P0 close 5\n");
  StatePtr s = initial_state(Profile{});
  StepResult r = apply(*s, p, 0);
  ASSERT_EQ(r.outcomes.size(), 1u);
  EXPECT_TRUE(*r.outcomes[0].next == *s);
  EXPECT_THAT(r.outcomes[0].rules, ::testing::Contains("posix:close:EBADF:1"));
}

// Every outcome names the rules that decided it.
TEST(Model, EveryOutcomeCitesAtLeastOneRule) {
  Program p = parse(
      "P0 mmap private -> M0\nP0 store M0 0 1\nP0 load M0 0\nP0 fork -> P1\nP1 getppid\n"
      "P0 pipe2 O_CLOEXEC\nP0 open f0 O_RDWR|O_CREAT\nP0 dup 5\nP0 dup2 5 9\nP0 dup3 5 10 0\n"
      "P0 dupfd 5 20\nP0 dupfd_cloexec 5 20\nP0 write 5 \"x\"\nP0 lseek 5 0 SEEK_SET\n"
      "P0 read 5 1\nP0 getfd 5\nP0 setfd 5 0\nP0 getfl 5\nP0 setfl 5 0\nP0 close 5\n"
      "P0 exec\nP1 _exit 0\nP0 waitid P_ALL any WEXITED\n");
  ModelRun r = run(p);
  ASSERT_TRUE(r.ok);
  for (std::size_t i = 0; i < p.steps.size(); ++i) {
    EXPECT_FALSE(r.rules[i].empty()) << print_step(p.steps[i]);
  }
}

// describe() names every actor, file and pipe.
TEST(Model, DescribeListsActorsFilesAndPipes) {
  ModelRun r = run("P0 fork -> P1\nP0 open f2 O_WRONLY|O_CREAT\nP0 write 3 \"hi\"\nP0 pipe\nP1 wait\n");
  std::string text = describe(*r.state);
  EXPECT_THAT(text, ::testing::HasSubstr("P0: alive parent=REAPER"));
  EXPECT_THAT(text, ::testing::HasSubstr("P1: alive parent=P0"));
  EXPECT_THAT(text, ::testing::HasSubstr("f2: 2 bytes \"hi\""));
  EXPECT_THAT(text, ::testing::HasSubstr("pipe@3"));
}

// Every rule id cited in oracles/*.cc is quoted, with that exact label, in
// oracles/spec/*.md (SibylFS: every clause cites the standard by label).
TEST(Spec, EveryCitedRuleIsQuotedInTheSpec) {
  namespace fs = std::filesystem;
  const fs::path dir = FC_ORACLE_DIR;
  std::string spec;
  for (const auto& entry : fs::directory_iterator(dir / "spec")) {
    if (entry.path().extension() != ".md") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    spec += text.str();
  }
  ASSERT_FALSE(spec.empty());
  const std::regex rule(R"((posix|man|linux):[A-Za-z0-9_]+:[A-Za-z0-9_]+:[0-9]+)");
  int cited = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".cc" && entry.path().extension() != ".h") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string source = text.str();
    for (auto it = std::sregex_iterator(source.begin(), source.end(), rule);
         it != std::sregex_iterator(); ++it) {
      ++cited;
      const std::string id = it->str();
      EXPECT_NE(spec.find("`" + id + "`"), std::string::npos)
          << id << " (cited in " << entry.path().filename().string()
          << ") has no quote in oracles/spec/";
    }
  }
  EXPECT_GT(cited, 50);
}

}  // namespace
}  // namespace fc::oracle::testing
