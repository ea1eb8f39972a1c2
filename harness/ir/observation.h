// What one step observed, in canonical symbolic form.
//
// Both the reference model (oracles/) and the runner's normaliser (which turns
// the executor's raw numbers into symbols) build observations only through the
// helpers below, so the two sides can be compared as text. Pids are symbols:
// "P<n>" for actors, "REAPER" for the run's reaper (pid-namespace init or
// child subreaper), "0" for "no child"; objects are "f<n>" (scratch file),
// "pipe@<step>" (the pipe created by that step) and "null" (/dev/null, the
// initial fds 0, 1 and 2).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace fc {

class Observation {
 public:
  Observation() = default;

  // "ret=<value>"
  static Observation returned(std::int64_t value);
  // "ret=<symbol>" (a pid)
  static Observation returned_pid(const std::string& symbol);
  // "ret=-1 errno=<NAME>"
  static Observation failed(int errnum);
  // The step blocked and had not returned when the program ended.
  static Observation blocked();
  // A step that does not return (exit, _exit): it was entered.
  static Observation no_return();

  // Adds a field; fields keep insertion order. Returns *this.
  Observation& with(std::string key, std::string value);

  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  // Value of a field or "" when absent.
  std::string get(const std::string& key) const;
  std::string text() const;  // "k=v k=v"

  bool operator==(const Observation& other) const { return fields_ == other.fields_; }
  bool operator<(const Observation& other) const { return fields_ < other.fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// One descriptor as seen by an exec'd image.
struct FdEntry {
  int fd = -1;
  std::string object;        // "f1", "pipe@3", "null", or "?" when unknown
  int status_flags = 0;      // FC_O_ACCMODE bits | FC_O_APPEND | FC_O_NONBLOCK
  bool cloexec = false;      // FD_CLOEXEC as reported after exec
  std::int64_t offset = -1;  // -1: not seekable
  bool operator==(const FdEntry&) const = default;
};

// Canonical texts of the parts an observation is made of.
namespace obs {
std::string errno_name(int errnum);     // "EBADF"; "E<n>" when unknown
int errno_from_name(const std::string& name);  // -1 when unknown
std::string exited(int code);           // "exited(3)"
std::string signaled(int sig, bool core);  // "signaled(9)" / "signaled(11)+core"
// ---- signals (issue 4) ----
std::string signal_name(int sig);              // "SIGKILL"; "0"; "SIG<n>" when unnamed
int signal_from_name(const std::string& name);  // -1 when unknown
std::string signal_list(const std::vector<int>& sigs);  // "SIGUSR1,SIGCHLD" or "-"
std::string status_flags(int fc_flags);    // "rw+append"
std::string fd_table(const std::vector<FdEntry>& entries);  // "3:f1:rw+append:5,4:pipe@2:r:-"
std::string bytes(const std::string& data);  // quoted, C escapes
std::string hex(const std::string& data);
/* ---- libc layer (issue 3) ---- */
// An atfork log (wire.h: one byte per event, FC_ATFORK_EV_* << 4 | id) as
// "prepare1,parent0,child0", "-" when empty.
std::string atfork_log(const std::string& events);
bool unhex(const std::string& hex, std::string& out);
}  // namespace obs

}  // namespace fc
