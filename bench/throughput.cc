// bench_throughput: end-to-end programs per second on the host, and the ratio
// against the same programs written as plain C.
//
// One run generates the default campaign mix (case_program over every suite,
// fixed seed) and measures, in interleaved rounds:
//   (a) forkconf end to end: run_campaign, `jobs` executor servers, no
//       shrinking: generation + plan + execution + normalisation + check;
//   (b) execution only: the plans precomputed, Target::run through `jobs`
//       executor servers (started before timing);
//   (c) plain C: the same programs emitted as one C file (emit_c_batch, the
//       executor's sync protocol without the wire, the normaliser or the
//       checker), compiled once with gcc -O2, run as `jobs` processes side by
//       side, each running its share.
// It reports the median of the rounds. The machine is shared and noisy:
// the ratios, taken in one run, are what to read (bench/README.md).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness/campaign.h"
#include "harness/repro/c_emitter.h"
#include "suites/registry.h"

namespace fc {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr double kBarRate = 2000.0;  // programs/s end to end on 2 cores
constexpr double kBarRatio = 1.5;    // (a) within 1.5x of plain C

struct Options {
  int programs = 2000;
  std::uint64_t seed = 1;
  int jobs = 2;
  int rounds = 3;
  int max_size = 100;
  int timeout_ms = 3000;
  std::string executor = default_executor_path();
  std::string cc;
  std::string cflags;  // empty: -O2 -static, else -O2 (fcp-exec is static too)
  std::string json;
  std::string keep;  // directory to keep the plain-C batch in
  bool check_bars = false;
};

const char kUsage[] =
    "usage: bench_throughput [options]\n"
    "  --programs N    programs in the mix (default 2000), spread over every suite\n"
    "  --seed S        campaign seed (default 1)\n"
    "  --jobs J        executor servers / plain-C processes (default 2)\n"
    "  --rounds R      interleaved rounds; the median is reported (default 3)\n"
    "  --executor P    fcp-exec (default: next to this binary, or $FORKCONF_EXECUTOR)\n"
    "  --cc CC         C compiler for the plain-C baseline (default: $CC, else the\n"
    "                  project's C compiler)\n"
    "  --cflags FLAGS  flags for it (default: -O2 -static like fcp-exec, or -O2\n"
    "                  where static linking is not available)\n"
    "  --json FILE     also write the figures as JSON\n"
    "  --keep DIR      keep the plain-C batch (batch.c, batch) in DIR\n"
    "  --check-bars    exit 1 unless (a) >= 2000 programs/s and (a)/(c) <= 1.5\n";

std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  if (const char* cc = std::getenv("CC"); cc != nullptr && cc[0] != '\0') o.cc = cc;
  if (o.cc.empty()) o.cc = FC_BENCH_CC;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    auto number = [&](auto& out) {
      auto v = value();
      if (!v) return false;
      std::istringstream in(*v);
      in >> out;
      return !in.fail() && in.eof();
    };
    bool ok = true;
    if (arg == "--programs")
      ok = number(o.programs) && o.programs > 0;
    else if (arg == "--seed")
      ok = number(o.seed);
    else if (arg == "--jobs")
      ok = number(o.jobs) && o.jobs > 0;
    else if (arg == "--rounds")
      ok = number(o.rounds) && o.rounds > 0;
    else if (arg == "--executor") {
      auto v = value();
      ok = v.has_value();
      if (ok) o.executor = *v;
    } else if (arg == "--cc") {
      auto v = value();
      ok = v.has_value();
      if (ok) o.cc = *v;
    } else if (arg == "--cflags") {
      auto v = value();
      ok = v.has_value();
      if (ok) o.cflags = *v;
    } else if (arg == "--json") {
      auto v = value();
      ok = v.has_value();
      if (ok) o.json = *v;
    } else if (arg == "--keep") {
      auto v = value();
      ok = v.has_value();
      if (ok) o.keep = *v;
    } else if (arg == "--check-bars")
      o.check_bars = true;
    else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else
      ok = false;
    if (!ok) {
      std::cerr << "bench_throughput: bad argument '" << arg << "'\n" << kUsage;
      return std::nullopt;
    }
  }
  return o;
}

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty()      ? 0
         : v.size() % 2 ? v[v.size() / 2]
                        : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Measurement {
  double seconds = 0;
  int programs = 0;
  std::string problems;  // empty = none
  double rate() const { return seconds > 0 ? programs / seconds : 0; }
};

struct Series {
  std::string name;
  std::vector<Measurement> rounds;
  double seconds() const {
    std::vector<double> v;
    for (const Measurement& m : rounds) v.push_back(m.seconds);
    return median(v);
  }
  double rate() const {
    std::vector<double> v;
    for (const Measurement& m : rounds) v.push_back(m.rate());
    return median(v);
  }
};

// The mix: every suite's cases 0..per_suite-1, exactly as run_campaign
// generates them.
struct Mix {
  std::vector<SuiteDef> suites;
  int per_suite = 0;
  std::vector<Program> programs;  // the ones the model plans
  std::vector<Plan> plans;
  int generated = 0;
  int refused = 0;
};

Mix make_mix(const Options& o, const oracle::Profile& model) {
  Mix mix;
  mix.suites = suites::all();
  const int n = static_cast<int>(mix.suites.size());
  mix.per_suite = (o.programs + n - 1) / n;
  for (const SuiteDef& suite : mix.suites) {
    for (int index = 0; index < mix.per_suite; ++index) {
      Program program =
          case_program(suite, model, o.seed, static_cast<std::uint64_t>(index), o.max_size);
      ++mix.generated;
      PlanResult planned = plan(program, model);
      if (!planned.plan) {
        ++mix.refused;
        continue;
      }
      mix.programs.push_back(std::move(program));
      mix.plans.push_back(std::move(*planned.plan));
    }
  }
  return mix;
}

// (a) run_campaign end to end. Its rate counts the programs the model plans
// (the ones (b) and (c) run); refused ones cost only generation and planning.
Measurement measure_campaign(const Options& o, const Mix& mix, const oracle::Profile& model) {
  CampaignOptions c;
  c.seed = o.seed;
  c.cases = mix.per_suite;
  c.suites = mix.suites;
  c.target = TargetSpec{"host", o.executor};
  c.jobs = o.jobs;
  c.timeout_ms = o.timeout_ms;
  c.max_size = o.max_size;
  c.shrink = false;
  c.model = model;
  auto start = Clock::now();
  CampaignResult result = run_campaign(c);
  Measurement m;
  m.seconds = since(start);
  m.programs = static_cast<int>(mix.programs.size());
  if (result.setup_error) {
    m.problems = "setup error: " + *result.setup_error;
    m.seconds = 0;
    return m;
  }
  int errors = 0, divergent = 0;
  for (const SuiteSummary& s : result.suites) {
    errors += s.target_errors;
    divergent += s.divergent;
  }
  if (errors + divergent > 0) {
    m.problems =
        std::to_string(divergent) + " divergent, " + std::to_string(errors) + " target errors";
    for (const SuiteSummary& s : result.suites) {
      if (!s.failures.empty()) {
        m.problems += " (first: " + s.name + " case " + std::to_string(s.failures[0].index) + ": " +
                      s.failures[0].outcome.summary() + ")";
        break;
      }
    }
  }
  return m;
}

// (b) Target::run only, `jobs` servers sharing the programs.
Measurement measure_executor(std::vector<std::unique_ptr<Target>>& targets, const Mix& mix,
                             int timeout_ms) {
  std::atomic<std::size_t> next{0};
  std::atomic<int> errors{0}, not_ok{0};
  std::atomic<std::uint64_t> id{1u << 20};
  std::mutex lock;
  std::string first;  // the first problem, for replaying it
  auto note = [&](std::size_t k, const std::string& what) {
    std::lock_guard guard(lock);
    if (first.empty()) first = "program " + std::to_string(k) + ": " + what;
  };
  auto worker = [&](Target& target) {
    for (std::size_t k; (k = next.fetch_add(1)) < mix.programs.size();) {
      auto raw = target.run(mix.programs[k], mix.plans[k], id.fetch_add(1), timeout_ms);
      if (auto* error = std::get_if<TargetError>(&raw)) {
        ++errors;
        note(k, error->text());
      } else if (const RawResult& result = std::get<RawResult>(raw); result.end != "ok") {
        ++not_ok;
        note(k, result.end + ": " + result.message);
      }
    }
  };
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (std::size_t j = 1; j < targets.size(); ++j)
    threads.emplace_back(worker, std::ref(*targets[j]));
  worker(*targets[0]);
  for (std::thread& t : threads) t.join();
  Measurement m;
  m.seconds = since(start);
  m.programs = static_cast<int>(mix.programs.size());
  if (errors + not_ok > 0) {
    m.problems = std::to_string(errors.load()) + " target errors, " +
                 std::to_string(not_ok.load()) + " timeouts/executor errors (first: " + first + ")";
  }
  return m;
}

// (c) the plain-C batch as `jobs` processes side by side.
Measurement measure_plain_c(const std::string& bin, int jobs) {
  auto start = Clock::now();
  std::vector<FILE*> pipes;
  for (int j = 0; j < jobs; ++j) {
    std::string command =
        quote(bin) + " " + std::to_string(j) + " " + std::to_string(jobs) + " 2>&1";
    pipes.push_back(popen(command.c_str(), "r"));
  }
  Measurement m;
  int timeouts = 0, errors = 0, failed = 0;
  for (FILE* pipe : pipes) {
    if (pipe == nullptr) {
      ++failed;
      continue;
    }
    std::string out;
    char buf[512];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    int status = pclose(pipe);
    int programs = 0, t = 0, e = 0;
    double seconds = 0, rate = 0;
    std::size_t at = out.find("fcbatch programs=");
    if (at == std::string::npos ||
        std::sscanf(out.c_str() + at,
                    "fcbatch programs=%d seconds=%lf rate=%lf timeouts=%d errors=%d", &programs,
                    &seconds, &rate, &t, &e) != 5) {
      ++failed;
      m.problems = "batch output: " + out.substr(0, 300);
      continue;
    }
    if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && t + e == 0)) ++failed;
    m.programs += programs;
    timeouts += t;
    errors += e;
    if (t + e > 0 && m.problems.empty()) {
      std::size_t line = out.find("fcbatch: program");
      if (line != std::string::npos) m.problems = out.substr(line, out.find('\n', line) - line);
    }
  }
  m.seconds = since(start);
  if (timeouts + errors + failed > 0) {
    std::string first = m.problems;
    m.problems = std::to_string(timeouts) + " timeouts, " + std::to_string(errors) + " errors, " +
                 std::to_string(failed) + " failed processes";
    if (!first.empty()) m.problems += " (first: " + first + ")";
  }
  return m;
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

int run(const Options& o) {
  oracle::Profile model;
  if (access(o.executor.c_str(), X_OK) != 0) {
    std::cerr << "bench_throughput: executor not found: " << o.executor
              << " (build fcp-exec, or pass --executor)\n";
    return FC_EXIT_USAGE;
  }

  // ---- the mix --------------------------------------------------------------
  auto t0 = Clock::now();
  Mix mix = make_mix(o, model);
  const double generate_seconds = since(t0);
  if (mix.programs.empty()) {
    std::cerr << "bench_throughput: the model refused every program\n";
    return FC_EXIT_HARNESS;
  }
  long steps = 0;
  for (const Program& p : mix.programs) steps += static_cast<long>(p.steps.size());

  // ---- plain C, compiled once ---------------------------------------------------
  std::string dir = o.keep;
  bool remove_dir = false;
  if (dir.empty()) {
    std::string pattern = (fs::temp_directory_path() / "fc-bench-XXXXXX").string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) {
      std::perror("bench_throughput: mkdtemp");
      return FC_EXIT_USAGE;
    }
    dir = buf.data();
    remove_dir = true;
  } else {
    fs::create_directories(dir);
  }
  const std::string c_path = dir + "/batch.c";
  const std::string bin = dir + "/batch";
  std::string source = emit_c_batch(mix.programs, mix.plans, o.timeout_ms);
  std::ofstream(c_path) << source;
  t0 = Clock::now();
  // fcp-exec is a static binary, and static binaries fork and exit markedly
  // faster than dynamically linked ones: the floor is built the same way.
  std::vector<std::string> attempts = o.cflags.empty()
                                          ? std::vector<std::string>{"-O2 -static", "-O2"}
                                          : std::vector<std::string>{o.cflags};
  std::string cflags, cc_out;
  int cc_status = -1;
  for (const std::string& flags : attempts) {
    std::string compile =
        quote(o.cc) + " " + flags + " -o " + quote(bin) + " " + quote(c_path) + " 2>&1";
    FILE* cc = popen(compile.c_str(), "r");
    cc_out.clear();
    if (cc != nullptr) {
      char buf[512];
      std::size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, cc)) > 0) cc_out.append(buf, n);
    }
    cc_status = cc != nullptr ? pclose(cc) : -1;
    cflags = flags;
    if (cc_status == 0) break;
  }
  const double compile_seconds = since(t0);
  if (cc_status != 0) {
    std::cerr << "bench_throughput: " << o.cc << " failed on the plain-C batch:\n"
              << cc_out.substr(0, 4000) << "\n";
    if (remove_dir) fs::remove_all(dir);
    return FC_EXIT_HARNESS;
  }

  std::cout << "forkconf bench: " << mix.generated << " programs (" << mix.suites.size()
            << " suites x " << mix.per_suite << ", seed " << o.seed << "), " << mix.programs.size()
            << " planned by the model (" << mix.refused << " refused), " << steps << " steps; jobs "
            << o.jobs << ", " << o.rounds << " interleaved rounds\n"
            << "  generated + planned in " << fmt("%.2f", generate_seconds)
            << " s; plain C: " << source.size() / 1024 << " KiB of C compiled by " << o.cc << " "
            << cflags << " in " << fmt("%.1f", compile_seconds) << " s\n";

  // ---- executor servers for (b), started and warmed up before timing ----------
  std::vector<std::unique_ptr<Target>> targets;
  for (int j = 0; j < o.jobs; ++j) {
    auto made = make_target(TargetSpec{"host", o.executor});
    if (auto* error = std::get_if<std::string>(&made)) {
      std::cerr << "bench_throughput: " << *error << "\n";
      return FC_EXIT_USAGE;
    }
    targets.push_back(std::move(std::get<std::unique_ptr<Target>>(made)));
    auto warm = targets.back()->run(mix.programs[0], mix.plans[0], 1, o.timeout_ms);
    if (auto* error = std::get_if<TargetError>(&warm)) {
      std::cerr << "bench_throughput: the executor does not run: " << error->text() << "\n";
      return FC_EXIT_TARGET;
    }
  }

  // ---- rounds: a, b, c interleaved ----------------------------------------------
  Series a{"(a) forkconf end to end", {}}, b{"(b) executor only", {}}, c{"(c) plain C", {}};
  for (int round = 0; round < o.rounds; ++round) {
    a.rounds.push_back(measure_campaign(o, mix, model));
    b.rounds.push_back(measure_executor(targets, mix, o.timeout_ms));
    c.rounds.push_back(measure_plain_c(bin, o.jobs));
    const double ra = a.rounds.back().rate(), rb = b.rounds.back().rate();
    const double rc = c.rounds.back().rate();
    std::cout << "  round " << round + 1 << ": (a) " << fmt("%.0f", ra) << "/s  (b) "
              << fmt("%.0f", rb) << "/s  (c) " << fmt("%.0f", rc) << "/s   (a)/(c) "
              << fmt("%.2f", ra > 0 ? rc / ra : 0) << "x  (b)/(c) "
              << fmt("%.2f", rb > 0 ? rc / rb : 0) << "x\n";
  }
  targets.clear();
  if (remove_dir) fs::remove_all(dir);

  // Time per program relative to plain C, per round (the three measurements
  // of a round run back to back, so load changes hit them alike), then the
  // median over the rounds.
  auto ratio = [&](const Series& x) {
    std::vector<double> per_round;
    for (std::size_t r = 0; r < x.rounds.size(); ++r) {
      if (x.rounds[r].rate() > 0) per_round.push_back(c.rounds[r].rate() / x.rounds[r].rate());
    }
    return median(per_round);
  };
  const double ratio_a = ratio(a);
  const double ratio_b = ratio(b);
  std::cout << "\n                                programs/s   seconds   problems\n";
  for (const Series* s : {&a, &b, &c}) {
    std::string problems;
    for (const Measurement& m : s->rounds) {
      if (!m.problems.empty()) problems = m.problems;
    }
    std::printf("  %-28s %10.1f %9.3f   %s\n", s->name.c_str(), s->rate(), s->seconds(),
                problems.empty() ? "none" : problems.c_str());
  }
  std::printf(
      "  time per program vs plain C (median of the rounds' ratios):  (a)/(c) = %.2fx   "
      "(b)/(c) = %.2fx\n",
      ratio_a, ratio_b);
  const bool rate_ok = a.rate() >= kBarRate;
  const bool ratio_ok = ratio_a > 0 && ratio_a <= kBarRatio;
  std::printf("  bars: (a) >= %.0f programs/s: %s;  (a)/(c) <= %.1fx: %s\n", kBarRate,
              rate_ok ? "met" : "NOT met", kBarRatio, ratio_ok ? "met" : "NOT met");

  if (!o.json.empty()) {
    nlohmann::json j;
    j["programs_generated"] = mix.generated;
    j["programs"] = mix.programs.size();
    j["refused_by_model"] = mix.refused;
    j["steps"] = steps;
    j["suites"] = mix.suites.size();
    j["seed"] = o.seed;
    j["jobs"] = o.jobs;
    j["rounds"] = o.rounds;
    j["compile_seconds"] = compile_seconds;
    j["cc"] = o.cc;
    j["cflags"] = cflags;
    for (const auto& [key, s] : {std::pair<const char*, const Series*>{"a_end_to_end", &a},
                                 {"b_executor_only", &b},
                                 {"c_plain_c", &c}}) {
      nlohmann::json series;
      series["programs_per_second"] = s->rate();
      series["seconds"] = s->seconds();
      nlohmann::json rounds = nlohmann::json::array();
      for (const Measurement& m : s->rounds) {
        rounds.push_back(
            {{"programs_per_second", m.rate()}, {"seconds", m.seconds}, {"problems", m.problems}});
      }
      series["rounds"] = rounds;
      j[key] = series;
    }
    j["time_ratio_a_over_c"] = ratio_a;
    j["time_ratio_b_over_c"] = ratio_b;
    j["bars"] = {{"min_programs_per_second", kBarRate},
                 {"max_time_ratio", kBarRatio},
                 {"rate_met", rate_ok},
                 {"ratio_met", ratio_ok}};
    std::ofstream(o.json) << j.dump(2) << "\n";
  }
  bool problems = false;
  for (const Series* s : {&a, &b, &c}) {
    for (const Measurement& m : s->rounds) problems |= !m.problems.empty();
  }
  if (problems) {
    std::cout << "  note: some runs had problems (see above); their figures are suspect\n";
  }
  if (o.check_bars && !(rate_ok && ratio_ok)) return 1;
  return 0;
}

}  // namespace
}  // namespace fc

int main(int argc, char** argv) {
  auto options = fc::parse_options(argc, argv);
  if (!options) return FC_EXIT_USAGE;
  return fc::run(*options);
}
