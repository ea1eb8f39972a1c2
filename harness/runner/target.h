// Targets: how an executor reaches a kernel.
//
// A target keeps one executor server alive across many programs (so that a
// campaign and its shrinking cost one process start, not one per program),
// restarts it when it dies and reports every failure as a TargetError: a
// crash, garbage or truncated output, or a hang is never a pass.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "harness/check/check.h"
#include "harness/runner/wire_codec.h"

namespace fc {

struct TargetError {
  enum class Kind {
    Unavailable,  // the target cannot be started here (tool missing, ...)
    Crashed,      // the executor died mid-program
    Garbage,      // output that does not follow the wire protocol
    Hung,         // no complete answer within the runner's deadline
  } kind;
  std::string message;
  std::string text() const;
};

class Target {
 public:
  virtual ~Target() = default;
  virtual std::string name() const = 0;
  virtual std::variant<RawResult, TargetError> run(const Program& program, const Plan& plan,
                                                   std::uint64_t id, int timeout_ms) = 0;
};

// An executor server started as `argv... serve` and talked to over pipes.
/* ---- server options for guests and tools (issue 6) ---- */
struct ServerOptions {
  // Lines before this one are console noise, never protocol (vm, uml).
  std::string ready_line;
  int boot_timeout_ms = 0;         // for ready_line
  std::string console_log;         // its tail goes into every failure message
  std::string stderr_log;          // the server's stderr goes here when set
  int stop_grace_ms = 2000;        // after closing stdin, before stop_signal
  int stop_signal = 9;             // SIGKILL
  std::vector<std::string> owned_files;  // removed with the target
  // The server leads a process group of its own, SIGKILLed as a whole when
  // it stops (uml: the guest's processes are host processes).
  bool own_process_group = false;
};

class ExecutorServer : public Target {
 public:
  ExecutorServer(std::string name, std::vector<std::string> argv);
  ExecutorServer(std::string name, std::vector<std::string> argv, ServerOptions options);
  ~ExecutorServer() override;
  ExecutorServer(const ExecutorServer&) = delete;
  ExecutorServer& operator=(const ExecutorServer&) = delete;

  std::string name() const override { return name_; }
  std::variant<RawResult, TargetError> run(const Program& program, const Plan& plan,
                                           std::uint64_t id, int timeout_ms) override;
  // Number of times the server had to be (re)started.
  int starts() const { return starts_; }

 private:
  struct Server;
  std::optional<TargetError> ensure_started();
  void stop();
  // Closes the server's stdin, waits `grace_ms` for it to exit, else kills it;
  // returns its wait status.
  int stop_and_reap(int grace_ms);

  std::optional<TargetError> wait_ready();
  std::variant<RawResult, TargetError> run_once(const Program& program, const Plan& plan,
                                                std::uint64_t id, int timeout_ms);
  std::string console_tail() const;

  std::string name_;
  std::vector<std::string> argv_;
  ServerOptions options_;
  int boot_failures_ = 0;         // consecutive guests that never got ready
  std::string last_boot_failure_;
  std::unique_ptr<Server> server_;
  int starts_ = 0;
};

struct TargetSpec {
  std::string name;               // "host", "wrap:strace -f", ...
  std::string executor_path;      // fcp-exec binary
};

/* ---- targets beyond the host (issue 6) ---- */
// The executor build for a libc ("glibc-static" = fcp-exec, "glibc" =
// fcp-exec-glibc, "musl" = fcp-exec-musl), next to `default_path`; empty
// for an unknown libc.
std::string executor_for_libc(const std::string& default_path, const std::string& libc);

struct TargetStatus {
  std::string name;      // as given to --target
  bool usable = false;
  std::string detail;    // what it runs, or why it cannot run here
};
// Every kind of target and whether it can run here (forkconf targets).
std::vector<TargetStatus> list_targets(const std::string& executor_path);
// Whether one target can run here, without starting it.
TargetStatus probe_target(const TargetSpec& spec);
// The cache of kernel images (scripts/fetch-kernels): $FORKCONF_KERNELS or
// ~/.cache/forkconf/kernels.
std::string kernel_cache_dir();
// make_target for everything but host and wrap: (targets.cc).
std::variant<std::unique_ptr<Target>, std::string> make_guest_or_tool_target(
    const TargetSpec& spec);

// Parses a --target value. Unknown targets are an error naming the known ones.
std::variant<std::unique_ptr<Target>, std::string> make_target(const TargetSpec& spec);

// Held while a child process is started (pipes made, fork, exec, the
// parent's copies of the child's ends closed). Fork is process-wide, so this
// lock is too: Boost.Process 1.74 marks its internal exec-error pipe
// close-on-exec only after creating it, and a child forked by another thread
// in between keeps that pipe's write end, so the first spawn waits forever
// for the EOF that says its exec succeeded (the race forkconf's cloexec_race
// suite measures). Every spawn in the process takes this lock.
std::mutex& spawn_lock();

// An executable by name: a path containing '/' if it is executable, else the
// first match on $PATH. The one lookup the runner, the targets and the tests
// share.
std::optional<std::string> find_program(const std::string& name);

// The fcp-exec next to the running binary, or $FORKCONF_EXECUTOR.
std::string default_executor_path();

}  // namespace fc
