// Targets: how an executor reaches a kernel.
//
// A target keeps one executor server alive across many programs (so that a
// campaign and its shrinking cost one process start, not one per program),
// restarts it when it dies and reports every failure as a TargetError: a
// crash, garbage or truncated output, or a hang is never a pass.
#pragma once

#include <cstdint>
#include <memory>
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
class ExecutorServer : public Target {
 public:
  ExecutorServer(std::string name, std::vector<std::string> argv);
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

  std::string name_;
  std::vector<std::string> argv_;
  std::unique_ptr<Server> server_;
  int starts_ = 0;
};

struct TargetSpec {
  std::string name;               // "host", "wrap:strace -f", ...
  std::string executor_path;      // fcp-exec binary
};

// Parses a --target value. Unknown targets are an error naming the known ones.
std::variant<std::unique_ptr<Target>, std::string> make_target(const TargetSpec& spec);

// The fcp-exec next to the running binary, or $FORKCONF_EXECUTOR.
std::string default_executor_path();

}  // namespace fc
