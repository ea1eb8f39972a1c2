#include "harness/runner/target.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/posix.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace bp = boost::process;

namespace fc {

std::string TargetError::text() const {
  switch (kind) {
    case Kind::Unavailable: return "target unavailable: " + message;
    case Kind::Crashed: return "executor crashed: " + message;
    case Kind::Garbage: return "executor output is not the wire protocol: " + message;
    case Kind::Hung: return "executor hung: " + message;
  }
  return message;
}

// The running server: Boost.Process owns the child; the runner reads and
// writes the pipes' descriptors directly so every read has a deadline.
struct ExecutorServer::Server {
  // Made from descriptors in ensure_started(); a default-constructed
  // bp::pipe would open a pipe of its own, without close-on-exec, that every
  // later child inherits.
  bp::pipe to_child{-1, -1};
  bp::pipe from_child{-1, -1};
  bp::child child;
  std::string buffer;  // bytes read but not yet consumed as lines
};

ExecutorServer::ExecutorServer(std::string name, std::vector<std::string> argv)
    : name_(std::move(name)), argv_(std::move(argv)) {}

ExecutorServer::ExecutorServer(std::string name, std::vector<std::string> argv,
                               ServerOptions options)
    : name_(std::move(name)), argv_(std::move(argv)), options_(std::move(options)) {}

ExecutorServer::~ExecutorServer() {
  stop();
  for (const std::string& file : options_.owned_files) ::unlink(file.c_str());
}

namespace {

// Waits up to `timeout_ms` for our child `pid` to exit and reaps it. Boost
// 1.74's child::wait_for spins forever in its SIGCHLD interceptor, so the
// runner reaps its servers itself (after child::detach(), so that Boost never
// signals a pid it no longer owns). Returns the wait status, or -1 if the
// child is still running.
int reap_within(pid_t pid, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int status = 0;
    pid_t got = ::waitpid(pid, &status, WNOHANG);
    if (got == pid) return status;
    if (got < 0 && errno != EINTR) return 0;  // already reaped
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    ::usleep(2000);
  }
}

std::string describe_status(int status) {
  if (status < 0) return "";
  if (WIFEXITED(status)) return " (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
  if (WIFSIGNALED(status)) return " (killed by signal " + std::to_string(WTERMSIG(status)) + ")";
  return "";
}

}  // namespace

int ExecutorServer::stop_and_reap(int grace_ms) {
  if (!server_) return -1;
  // Closing stdin ends a healthy server; a stuck one is killed. Either way
  // its pid-namespace inits die with it (PR_SET_PDEATHSIG).
  server_->to_child.close();
  const pid_t pid = server_->child.id();
  server_->child.detach();
  int status = reap_within(pid, grace_ms);
  if (status < 0 && options_.stop_signal != SIGKILL) {
    ::kill(pid, options_.stop_signal);  // e.g. SIGTERM: a guest shuts down cleanly
    status = reap_within(pid, 5000);
  }
  if (status < 0) {
    ::kill(pid, SIGKILL);  // still our unreaped child: the pid cannot be reused
    status = reap_within(pid, 5000);
  }
  // issue 6: what is left of the server's own process group (a pgid is not
  // reused while any member lives).
  if (options_.own_process_group) ::kill(-pid, SIGKILL);
  server_.reset();
  return status;
}

void ExecutorServer::stop() { stop_and_reap(options_.stop_grace_ms); }

std::optional<TargetError> ExecutorServer::ensure_started() {
  if (server_) {
    int status = 0;
    if (::waitpid(server_->child.id(), &status, WNOHANG) == 0) return std::nullopt;
    server_->child.detach();  // reaped above
    server_.reset();
  }
  if (boot_failures_ >= 3) {
    // issue 6: a guest that failed to boot three times in a row is not
    // booted again for every remaining program.
    return TargetError{TargetError::Kind::Crashed,
                       "the guest failed to boot 3 times in a row; not retried. Last time: " +
                           last_boot_failure_};
  }
  if (argv_.empty() || !std::filesystem::exists(argv_.front())) {
    return TargetError{TargetError::Kind::Unavailable,
                       "executor binary not found: " + (argv_.empty() ? "" : argv_.front())};
  }
  auto server = std::make_unique<Server>();
  std::lock_guard spawning(spawn_lock());
  // The child gets the pipes as its fds 0 and 1 by fd.bind (a dup2 in the
  // child), never through a bp::pipe object: passing one copies it with dup(),
  // without close-on-exec, and the copies would leak into the wrapper.
  // Both pipes close on exec: a server started later (by another worker) must
  // not inherit this one's ends, or this server never sees EOF when the runner
  // goes away and its wrapper (a shell pipeline, a UML or qemu guest) is left
  // behind. The child gets its stdin/stdout through dup2, which clears the
  // flag on the new descriptors only.
  {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0) {
      return TargetError{TargetError::Kind::Unavailable, "pipe2 failed"};
    }
    if (::pipe2(out, O_CLOEXEC) != 0) {
      ::close(in[0]);
      ::close(in[1]);
      return TargetError{TargetError::Kind::Unavailable, "pipe2 failed"};
    }
    server->to_child = bp::pipe(in[0], in[1]);
    server->from_child = bp::pipe(out[0], out[1]);
  }
  std::vector<std::string> args(argv_.begin() + 1, argv_.end());
  try {
    if (options_.own_process_group) {
      auto new_group = bp::extend::on_exec_setup = [](auto&) { ::setpgid(0, 0); };
      server->child = bp::child(bp::exe = argv_.front(), bp::args = args,
                                bp::posix::fd.bind(0, server->to_child.native_source()),
                                bp::posix::fd.bind(1, server->from_child.native_sink()),
                                bp::std_err > options_.stderr_log, new_group);
    } else if (!options_.stderr_log.empty()) {
      server->child = bp::child(bp::exe = argv_.front(), bp::args = args,
                                bp::posix::fd.bind(0, server->to_child.native_source()),
                                bp::posix::fd.bind(1, server->from_child.native_sink()),
                                bp::std_err > options_.stderr_log);
    } else {
      server->child = bp::child(bp::exe = argv_.front(), bp::args = args,
                                bp::posix::fd.bind(0, server->to_child.native_source()),
                                bp::posix::fd.bind(1, server->from_child.native_sink()));
    }
  } catch (const std::exception& e) {
    return TargetError{TargetError::Kind::Unavailable,
                       "cannot start " + argv_.front() + ": " + e.what()};
  }
  // The parent keeps only its own ends.
  ::close(server->to_child.native_source());
  ::close(server->from_child.native_sink());
  server->to_child.assign_source(-1);
  server->from_child.assign_sink(-1);
  server_ = std::move(server);
  ++starts_;
  if (!options_.ready_line.empty()) {
    auto failed = wait_ready();
    if (failed) {
      ++boot_failures_;
      last_boot_failure_ = failed->message + console_tail();
    } else {
      boot_failures_ = 0;
    }
    return failed;
  }
  return std::nullopt;
}

/* ---- guests: boot, sentinel, console tail (issue 6) ---- */
// Reads and drops console noise until the ready line; a guest that dies or
// never gets there is a target failure (the console tail says why).
std::optional<TargetError> ExecutorServer::wait_ready() {
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.boot_timeout_ms);
  std::string& buffer = server_->buffer;
  const int in_fd = server_->from_child.native_source();
  for (;;) {
    std::size_t newline;
    while ((newline = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, newline);
      buffer.erase(0, newline + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line == options_.ready_line) return std::nullopt;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      stop();
      return TargetError{TargetError::Kind::Hung,
                         "the guest did not reach the executor within " +
                             std::to_string(options_.boot_timeout_ms) + " ms"};
    }
    pollfd pfd{in_fd, POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(left));
    if (ready <= 0) continue;
    char chunk[4096];
    ssize_t n = ::read(in_fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int status = stop_and_reap(200);
      return TargetError{TargetError::Kind::Crashed,
                         "the guest ended before the executor started" + describe_status(status)};
    }
    buffer.append(chunk, static_cast<std::size_t>(n));
    if (buffer.size() > (1u << 20)) buffer.erase(0, buffer.size() - 4096);
  }
}

std::string ExecutorServer::console_tail() const {
  std::string tail;
  for (const std::string& file : {options_.console_log, options_.stderr_log}) {
    if (file.empty()) continue;
    std::ifstream in(file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.size() > 1500) text = text.substr(text.size() - 1500);
    for (char& c : text) {
      if (c == '\r') c = ' ';
      else if ((c < 32 && c != '\n') || c == 127) c = '.';
    }
    if (!text.empty()) tail += "\n--- console tail (" + file + ") ---\n" + text;
  }
  return tail;
}

std::variant<RawResult, TargetError> ExecutorServer::run(const Program& program, const Plan& plan,
                                                         std::uint64_t id, int timeout_ms) {
  auto result = run_once(program, plan, id, timeout_ms);
  if (auto* error = std::get_if<TargetError>(&result)) {
    // (the "not retried" message already carries the last boot's tail)
    if (error->kind != TargetError::Kind::Unavailable &&
        error->message.rfind("the guest failed to boot", 0) != 0)
      error->message += console_tail();
  }
  return result;
}

std::variant<RawResult, TargetError> ExecutorServer::run_once(const Program& program,
                                                              const Plan& plan, std::uint64_t id,
                                                              int timeout_ms) {
  if (auto error = ensure_started()) return *error;
  std::string request = encode_program(program, plan, id, timeout_ms);

  auto crashed = [&](const std::string& what) {
    int status = stop_and_reap(200);
    return TargetError{TargetError::Kind::Crashed, what + describe_status(status)};
  };

  int out_fd = server_->to_child.native_sink();
  std::size_t written = 0;
  while (written < request.size()) {
    ssize_t n = ::write(out_fd, request.data() + written, request.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return crashed("writing the program failed");
    written += static_cast<std::size_t>(n);
  }

  // The executor's own watchdog ends a hung program after timeout_ms; the
  // runner allows that plus a grace period before declaring the server hung.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms + 5000);
  ResultParser parser(id, program.steps.size());
  int in_fd = server_->from_child.native_source();
  std::string& buffer = server_->buffer;
  for (;;) {
    std::size_t newline;
    while ((newline = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, newline);
      buffer.erase(0, newline + 1);
      switch (parser.feed(line)) {
        case ResultParser::Status::NeedMore: break;
        case ResultParser::Status::Complete: return std::move(parser.result());
        case ResultParser::Status::Error: {
          TargetError error{TargetError::Kind::Garbage, parser.error()};
          stop();
          return error;
        }
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      stop();
      return TargetError{TargetError::Kind::Hung,
                         "no result for program " + std::to_string(id) + " within " +
                             std::to_string(timeout_ms + 5000) + " ms"};
    }
    pollfd pfd{in_fd, POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char chunk[65536];
    ssize_t n = ::read(in_fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return crashed(buffer.empty() ? "output ended before the result was complete"
                                    : "output ended inside a line (truncated)");
    }
    buffer.append(chunk, static_cast<std::size_t>(n));
    if (buffer.size() > (16u << 20)) {
      stop();
      return TargetError{TargetError::Kind::Garbage, "more than 16 MiB without a result"};
    }
  }
}

namespace {

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

}  // namespace

std::variant<std::unique_ptr<Target>, std::string> make_target(const TargetSpec& spec) {
  if (spec.name == "host") {
    return std::unique_ptr<Target>(
        std::make_unique<ExecutorServer>("host", std::vector<std::string>{spec.executor_path, "serve"}));
  }
  if (spec.name.rfind("wrap:", 0) == 0) {
    std::vector<std::string> argv = split_words(spec.name.substr(5));
    if (argv.empty()) return std::string("wrap: needs a command, e.g. wrap:env FOO=1");
    std::string program = find_program(argv.front()).value_or("");
    if (program.empty()) return "wrap: command not found: " + argv.front();
    argv.front() = program;
    argv.push_back(spec.executor_path);
    argv.push_back("serve");
    return std::unique_ptr<Target>(std::make_unique<ExecutorServer>(spec.name, argv));
  }
  return make_guest_or_tool_target(spec);  // issue 6: gvisor, qemu-user, uml, vm
}

std::optional<std::string> find_program(const std::string& name) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) {
    return ::access(name.c_str(), X_OK) == 0 ? std::optional<std::string>(name) : std::nullopt;
  }
  std::string found = bp::search_path(name).string();
  if (found.empty()) return std::nullopt;
  return found;
}

std::mutex& spawn_lock() {
  static std::mutex lock;
  return lock;
}

std::string default_executor_path() {
  if (const char* env = std::getenv("FORKCONF_EXECUTOR")) return env;
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "fcp-exec";
  return (self.parent_path() / "fcp-exec").string();
}

}  // namespace fc
