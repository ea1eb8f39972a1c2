#include "harness/race.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <cerrno>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>

namespace bp = boost::process;

namespace fc {
namespace {

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

// The target's argv prefix: host runs the executor, wrap:CMD runs CMD before it.
std::optional<std::string> command_for(const TargetSpec& target, std::vector<std::string>* argv) {
  if (target.name == "host") {
    argv->push_back(target.executor_path);
    return std::nullopt;
  }
  if (target.name.rfind("wrap:", 0) == 0) {
    *argv = split_words(target.name.substr(5));
    if (argv->empty()) return std::string("wrap: needs a command, e.g. wrap:env FOO=1");
    std::string program = bp::search_path(argv->front()).string();
    if (program.empty()) return "wrap: command not found: " + argv->front();
    argv->front() = program;
    argv->push_back(target.executor_path);
    return std::nullopt;
  }
  // Race trials run as one process per batch, not through the executor
  // server, so only targets that are an argv prefix can run them.
  return "the race suites run on host and wrap:CMD targets only, not on '" + target.name + "'";
}

bool parse_int(const std::string& text, int* out) {
  try {
    std::size_t used = 0;
    int v = std::stoi(text, &used);
    if (used != text.size()) return false;
    *out = v;
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace

std::string race_kind_name(oracle::race::Kind kind) {
  switch (kind) {
    case oracle::race::Kind::Atomic: return "atomic";
    case oracle::race::Kind::Racy: return "racy";
    case oracle::race::Kind::KeptByExec: return "kept";
  }
  return "?";
}

std::vector<std::pair<const oracle::race::PathInfo*, std::string>> race_pairs(
    const std::string& only_path, const std::string& only_spawner) {
  std::vector<std::pair<const oracle::race::PathInfo*, std::string>> pairs;
  for (const oracle::race::PathInfo& p : oracle::race::paths()) {
    if (!only_path.empty() && p.name != only_path) continue;
    for (const std::string& s : p.spawners) {
      if (!only_spawner.empty() && s != only_spawner) continue;
      pairs.emplace_back(&p, s);
    }
  }
  return pairs;
}

RaceBatch run_race(const TargetSpec& target, const std::string& path, const std::string& spawner,
                   int trials, int threads, int timeout_ms) {
  RaceBatch batch;
  batch.path = path;
  batch.spawner = spawner;
  batch.threads = threads;
  std::vector<std::string> argv;
  if (auto error = command_for(target, &argv)) {
    batch.error = TargetError{TargetError::Kind::Unavailable, *error};
    return batch;
  }
  if (!std::filesystem::exists(target.executor_path)) {
    batch.error = TargetError{TargetError::Kind::Unavailable,
                              "executor binary not found: " + target.executor_path};
    return batch;
  }
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  for (const std::string& a : {std::string("race"), path, spawner, std::to_string(trials),
                               std::to_string(threads), std::to_string(timeout_ms)}) {
    args.push_back(a);
  }
  std::unique_lock spawning(spawn_lock());  // harness/runner/target.h
  bp::pipe out;
  bp::child child;
  try {
    child = bp::child(bp::exe = argv.front(), bp::args = args, bp::std_out > out,
                      bp::std_in < bp::null);
  } catch (const std::exception& e) {
    batch.error = TargetError{TargetError::Kind::Unavailable,
                              "cannot start " + argv.front() + ": " + e.what()};
    return batch;
  }
  ::close(out.native_sink());
  spawning.unlock();
  out.assign_sink(-1);
  const pid_t pid = child.id();
  child.detach();  // reaped below with waitpid (see target.cc on Boost 1.74)

  // The executor's watchdog ends the batch at timeout_ms; a grace on top.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms + 5000);
  std::string text;
  bool hung = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      hung = true;
      break;
    }
    pollfd pfd{out.native_source(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(left));
    if (ready <= 0) continue;
    char chunk[65536];
    ssize_t n = ::read(out.native_source(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
    if (text.size() > (64u << 20)) {
      hung = true;
      break;
    }
  }
  if (hung) ::kill(pid, SIGKILL);  // our own unreaped child
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (hung) {
    batch.error = TargetError{TargetError::Kind::Hung,
                              "race batch " + path + " " + spawner + " gave no end within " +
                                  std::to_string(timeout_ms + 5000) + " ms"};
    return batch;
  }

  // RACE header, T lines in order, one E line.
  std::istringstream lines(text);
  std::string line;
  bool header = false, ended = false;
  while (std::getline(lines, line)) {
    std::vector<std::string> w = split_words(line);
    if (w.empty()) continue;
    auto garbage = [&](const std::string& why) {
      batch.error = TargetError{TargetError::Kind::Garbage, why + ": '" + line + "'"};
    };
    if (w[0] == "RACE" && !header && w.size() == 6) {
      header = true;
      batch.mode = w[5];
    } else if (w[0] == "T" && header && !ended && w.size() == 4) {
      int index = 0, created = 0, held = 0;
      if (!parse_int(w[1], &index) || !parse_int(w[2], &created) || !parse_int(w[3], &held) ||
          index != static_cast<int>(batch.trials.size()) || held < 0 || held > created) {
        garbage("bad trial line");
        return batch;
      }
      batch.trials.push_back({created, held});
    } else if (w[0] == "E" && w.size() >= 2) {
      ended = true;
      if (w[1] == "ok" && static_cast<int>(batch.trials.size()) == trials) break;
      std::string message = line.substr(std::min(line.size(), std::size_t{2}));
      batch.error = TargetError{w[1] == "timeout" ? TargetError::Kind::Hung
                                                  : TargetError::Kind::Crashed,
                                "race " + path + " " + spawner + ": " + message};
      return batch;
    } else {
      garbage("not the race protocol");
      return batch;
    }
  }
  if (!ended) {
    std::string how = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                          : "exit status " + std::to_string(WEXITSTATUS(status));
    batch.error = TargetError{TargetError::Kind::Crashed,
                              "race " + path + " " + spawner + ": output ended without E (" +
                                  how + ")"};
  }
  return batch;
}

std::optional<std::string> check_race_trial(const oracle::race::PathInfo& path,
                                            const std::string& spawner, int trial_index,
                                            const RaceTrial& trial, const oracle::Profile& model) {
  oracle::race::Allowed allowed = oracle::race::allowed(path, trial.created, model);
  if (allowed.allows(trial.held)) return std::nullopt;
  std::string rules;
  for (const std::string& r : allowed.rules) rules += (rules.empty() ? "" : ", ") + r;
  return path.name + " x " + spawner + " trial " + std::to_string(trial_index) +
         ": the exec'd image held " + std::to_string(trial.held) + " of " +
         std::to_string(trial.created) + " descriptors created by " + path.how +
         "; allowed are only " + allowed.text() + " [" + rules + "]";
}

std::string race_repro(const TargetSpec& target, const std::string& path,
                       const std::string& spawner, int threads, int trials) {
  // At least 4 trials: trial 3 is sequenced (race.cc), so a flag that does
  // not work shows whatever the timing of the racing trials.
  trials = std::max(trials, 4);
  std::string wrap = target.name.rfind("wrap:", 0) == 0 ? target.name.substr(5) + " " : "";
  return "forkconf --executor " + target.executor_path + " race --target '" + target.name +
         "' --path " + path + " --spawner " +
         spawner + " --threads " + std::to_string(threads) + " --trials " +
         std::to_string(trials) + "   # or: " + wrap + target.executor_path + " race " + path +
         " " + spawner + " " + std::to_string(trials) + " " + std::to_string(threads) + " 10000";
}

}  // namespace fc
