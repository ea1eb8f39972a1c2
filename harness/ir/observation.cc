#include "harness/ir/observation.h"

#include <cerrno>
#include <cstdio>

extern "C" {
#include "harness/ir/wire.h"
}

namespace fc {

Observation Observation::returned(std::int64_t value) {
  return Observation().with("ret", std::to_string(value));
}
Observation Observation::returned_pid(const std::string& symbol) {
  return Observation().with("ret", symbol);
}
Observation Observation::failed(int errnum) {
  return Observation().with("ret", "-1").with("errno", obs::errno_name(errnum));
}
Observation Observation::blocked() { return Observation().with("state", "blocked"); }
Observation Observation::no_return() { return Observation().with("ret", "none"); }

Observation& Observation::with(std::string key, std::string value) {
  fields_.emplace_back(std::move(key), std::move(value));
  return *this;
}

std::string Observation::get(const std::string& key) const {
  for (const auto& [k, v] : fields_) {
    if (k == key) return v;
  }
  return "";
}

std::string Observation::text() const {
  std::string result;
  for (const auto& [key, value] : fields_) {
    if (!result.empty()) result += ' ';
    result += key;
    result += '=';
    result += value;
  }
  return result;
}

namespace obs {
namespace {

struct ErrnoName {
  int number;
  const char* name;
};

// The errnos process-creation calls can return (and a few neighbours).
constexpr ErrnoName kErrnoNames[] = {
    {EPERM, "EPERM"},   {ENOENT, "ENOENT"},   {ESRCH, "ESRCH"},     {EINTR, "EINTR"},
    {EIO, "EIO"},       {ENXIO, "ENXIO"},     {E2BIG, "E2BIG"},     {ENOEXEC, "ENOEXEC"},
    {EBADF, "EBADF"},   {ECHILD, "ECHILD"},   {EAGAIN, "EAGAIN"},   {ENOMEM, "ENOMEM"},
    {EACCES, "EACCES"}, {EFAULT, "EFAULT"},   {EBUSY, "EBUSY"},     {EEXIST, "EEXIST"},
    {EXDEV, "EXDEV"},   {ENODEV, "ENODEV"},   {ENOTDIR, "ENOTDIR"}, {EISDIR, "EISDIR"},
    {EINVAL, "EINVAL"}, {ENFILE, "ENFILE"},   {EMFILE, "EMFILE"},   {ENOTTY, "ENOTTY"},
    {ETXTBSY, "ETXTBSY"}, {EFBIG, "EFBIG"},   {ENOSPC, "ENOSPC"},   {ESPIPE, "ESPIPE"},
    {EROFS, "EROFS"},   {EMLINK, "EMLINK"},   {EPIPE, "EPIPE"},     {ERANGE, "ERANGE"},
    {EDEADLK, "EDEADLK"}, {ENAMETOOLONG, "ENAMETOOLONG"}, {ENOSYS, "ENOSYS"},
    {ENOTSUP, "ENOTSUP"}, {EOVERFLOW, "EOVERFLOW"}, {ELOOP, "ELOOP"},
};

}  // namespace

std::string errno_name(int errnum) {
  for (const ErrnoName& entry : kErrnoNames) {
    if (entry.number == errnum) return entry.name;
  }
  return "E" + std::to_string(errnum);
}

int errno_from_name(const std::string& name) {
  for (const ErrnoName& entry : kErrnoNames) {
    if (name == entry.name) return entry.number;
  }
  return -1;
}

std::string exited(int code) { return "exited(" + std::to_string(code) + ")"; }

// ---- signals (issue 4) ----
namespace {
struct SignalName {
  int sig;
  const char* name;
};
constexpr SignalName kSignalNames[] = {
    {FC_SIGHUP, "SIGHUP"},   {FC_SIGINT, "SIGINT"},   {FC_SIGQUIT, "SIGQUIT"},
    {FC_SIGKILL, "SIGKILL"}, {FC_SIGUSR1, "SIGUSR1"}, {FC_SIGSEGV, "SIGSEGV"},
    {FC_SIGUSR2, "SIGUSR2"}, {FC_SIGTERM, "SIGTERM"}, {FC_SIGCHLD, "SIGCHLD"},
    {FC_SIGCONT, "SIGCONT"}, {FC_SIGSTOP, "SIGSTOP"}};
}  // namespace

std::string signal_name(int sig) {
  if (sig == 0) return "0";
  for (const SignalName& s : kSignalNames) {
    if (s.sig == sig) return s.name;
  }
  return "SIG" + std::to_string(sig);
}

int signal_from_name(const std::string& name) {
  if (name == "0") return 0;
  for (const SignalName& s : kSignalNames) {
    if (name == s.name) return s.sig;
  }
  return -1;
}

std::string signal_list(const std::vector<int>& sigs) {
  if (sigs.empty()) return "-";
  std::string text;
  for (std::size_t i = 0; i < sigs.size(); ++i) text += (i ? "," : "") + signal_name(sigs[i]);
  return text;
}

std::string signaled(int sig, bool core) {
  return "signaled(" + std::to_string(sig) + ")" + (core ? "+core" : "");
}

std::string status_flags(int fc_flags) {
  std::string result;
  switch (fc_flags & FC_O_ACCMODE) {
    case FC_O_RDONLY: result = "r"; break;
    case FC_O_WRONLY: result = "w"; break;
    case FC_O_RDWR: result = "rw"; break;
    default: result = "acc3"; break;
  }
  if (fc_flags & FC_O_APPEND) result += "+append";
  if (fc_flags & FC_O_NONBLOCK) result += "+nonblock";
  return result;
}

std::string fd_table(const std::vector<FdEntry>& entries) {
  std::string result;
  for (const FdEntry& entry : entries) {
    if (!result.empty()) result += ',';
    result += std::to_string(entry.fd) + ':' + entry.object + ':' + status_flags(entry.status_flags);
    if (entry.cloexec) result += ":cloexec";
    result += ':';
    result += entry.offset < 0 ? std::string("-") : std::to_string(entry.offset);
  }
  return result.empty() ? "none" : result;
}

std::string bytes(const std::string& data) {
  std::string result = "\"";
  for (unsigned char c : data) {
    switch (c) {
      case '"': result += "\\\""; break;
      case '\\': result += "\\\\"; break;
      case '\n': result += "\\n"; break;
      case '\t': result += "\\t"; break;
      case '\0': result += "\\0"; break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          result += static_cast<char>(c);
        } else {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          result += buf;
        }
    }
  }
  return result + "\"";
}

std::string hex(const std::string& data) {
  static const char kDigits[] = "0123456789abcdef";
  if (data.empty()) return "-";
  std::string result;
  result.reserve(data.size() * 2);
  for (unsigned char c : data) {
    result += kDigits[c >> 4];
    result += kDigits[c & 15];
  }
  return result;
}

bool unhex(const std::string& text, std::string& out) {
  out.clear();
  if (text == "-") return true;
  if (text.size() % 2) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
  }
  return true;
}

/* ---- libc layer (issue 3) ---- */
std::string atfork_log(const std::string& events) {
  if (events.empty()) return "-";
  std::string text;
  for (char raw : events) {
    const unsigned byte = static_cast<unsigned char>(raw);
    const unsigned kind = byte >> 4;
    if (!text.empty()) text += ",";
    text += kind == FC_ATFORK_EV_PREPARE  ? "prepare"
            : kind == FC_ATFORK_EV_PARENT ? "parent"
            : kind == FC_ATFORK_EV_CHILD  ? "child"
                                          : "ev" + std::to_string(kind) + ":";
    text += std::to_string(byte & 0xf);
  }
  return text;
}

}  // namespace obs
}  // namespace fc
