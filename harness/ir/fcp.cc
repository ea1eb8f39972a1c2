#include "harness/ir/fcp.h"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <span>

#include "harness/ir/observation.h"

namespace fc {
namespace {

struct FlagName {
  int bit;
  std::string_view name;
};

// Flag names per argument kind. Access modes are handled separately for
// FC_ARG_OFLAGS because O_RDONLY is 0.
constexpr FlagName kOpenFlags[] = {{FC_O_CREAT, "O_CREAT"},     {FC_O_TRUNC, "O_TRUNC"},
                                   {FC_O_APPEND, "O_APPEND"},   {FC_O_CLOEXEC, "O_CLOEXEC"},
                                   {FC_O_NONBLOCK, "O_NONBLOCK"}, {FC_O_EXCL, "O_EXCL"}};
constexpr FlagName kWaitFlags[] = {
    {FC_WNOHANG, "WNOHANG"}, {FC_WNOWAIT, "WNOWAIT"}, {FC_WEXITED, "WEXITED"},
    /* ---- signals (issue 4) ---- */
    {FC_WUNTRACED, "WUNTRACED"}, {FC_WCONTINUED, "WCONTINUED"}};
/* ---- signals (issue 4) ---- */
constexpr FlagName kSaFlags[] = {{FC_SA_NOCLDSTOP, "SA_NOCLDSTOP"},
                                 {FC_SA_NOCLDWAIT, "SA_NOCLDWAIT"}};
constexpr std::string_view kDisps[] = {"SIG_DFL", "SIG_IGN", "handler"};
/* ---- libc layer (issue 3) ---- */
constexpr FlagName kAtforkFlags[] = {{FC_ATFORK_PREPARE, "prepare"},
                                     {FC_ATFORK_PARENT, "parent"},
                                     {FC_ATFORK_CHILD, "child"}};
constexpr std::string_view kSpawnActions[] = {"none", "addopen", "addclose", "adddup2_0",
                                              "adddup2_self"};
constexpr FlagName kSpawnAttrs[] = {{FC_SPAWN_SETSIGMASK, "SETSIGMASK"},
                                    {FC_SPAWN_BIN_SCRATCH, "bin_f0"}};
constexpr FlagName kFdFlags[] = {{FC_FD_CLOEXEC, "FD_CLOEXEC"}};
constexpr std::string_view kIdTypes[] = {"P_ALL", "P_PID", "P_PGID"};
constexpr std::string_view kWhence[] = {"SEEK_SET", "SEEK_CUR", "SEEK_END"};
constexpr std::string_view kMapKinds[] = {"private", "shared"};
constexpr std::string_view kAccModes[] = {"O_RDONLY", "O_WRONLY", "O_RDWR"};
/* ---- inheritance (issue 3) ---- */
constexpr std::string_view kLockKinds[] = {"posix", "posix_un", "ofd", "ofd_un", "flock", "flock_un"};
constexpr std::string_view kMadvices[] = {"MADV_WIPEONFORK", "MADV_KEEPONFORK"};
constexpr std::string_view kItimers[] = {"virtual_get", "virtual_arm", "virtual_disarm",
                                         "prof_get",    "prof_arm",    "prof_disarm"};
constexpr std::string_view kAltstacks[] = {"query", "small", "large", "disable"};
/* ---- clone flags (issue 3, clone_flags) ---- */
constexpr std::string_view kProbes[] = {"store", "close", "setfd", "lseek"};
template <std::size_t N>
std::string enum_name(std::int64_t value, const std::string_view (&names)[N]) {
  return value >= 0 && value < static_cast<std::int64_t>(N) ? std::string(names[value])
                                                            : std::to_string(value);
}
/* ---- clone / clone3 (issue 3) ---- */
constexpr FlagName kCloneFlags[] = {
    {FC_CLONE_VM, "CLONE_VM"},
    {FC_CLONE_FS, "CLONE_FS"},
    {FC_CLONE_FILES, "CLONE_FILES"},
    {FC_CLONE_SIGHAND, "CLONE_SIGHAND"},
    {FC_CLONE_THREAD, "CLONE_THREAD"},
    {FC_CLONE_VFORK, "CLONE_VFORK"},
    {FC_CLONE_PARENT, "CLONE_PARENT"},
    {FC_CLONE_SYSVSEM, "CLONE_SYSVSEM"},
    {FC_CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID"},
    {FC_CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID"},
    {FC_CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID"},
    {FC_CLONE_PIDFD, "CLONE_PIDFD"},
    {FC_CLONE_DETACHED, "CLONE_DETACHED"},
    {FC_CLONE_CLEAR_SIGHAND, "CLONE_CLEAR_SIGHAND"},
    {FC_CLONE_INTO_CGROUP, "CLONE_INTO_CGROUP"},
    {FC_CLONE_NEWNS, "CLONE_NEWNS"},
    {FC_CLONE_NEWUSER, "CLONE_NEWUSER"},
    {FC_CLONE_NEWPID, "CLONE_NEWPID"},
    {FC_CLONE_NEWIPC, "CLONE_NEWIPC"},
    {FC_CLONE_NEWUTS, "CLONE_NEWUTS"},
    {FC_CLONE_NEWNET, "CLONE_NEWNET"},
    {FC_CLONE_UNKNOWN, "UNKNOWN_BIT"},
    {FC_CLONE_CSIGNAL, "CSIGNAL_BITS"}};
constexpr std::string_view kExitSignals[] = {"0", "SIGCHLD", "SIGURG", "sig65", "sig0x111"};
/* ---- vfork and exec (issue 3) ---- */
constexpr std::string_view kSigHows[] = {"SIG_BLOCK", "SIG_UNBLOCK", "SIG_SETMASK", "SIG_HOW_BAD"};
// A signal set: names joined by '|' (SIGUSR1|SIGTERM), or 0 for the empty set.
std::string format_sigset(std::int64_t value) {
  std::string result;
  for (int sig = 1; sig <= FC_MAX_SIGNAL; ++sig) {
    if (value & (std::int64_t{1} << sig)) result += (result.empty() ? "" : "|") + obs::signal_name(sig);
  }
  const std::int64_t rest = value & ~((std::int64_t{1} << (FC_MAX_SIGNAL + 1)) - 2);
  if (rest) result += (result.empty() ? "" : "|") + std::to_string(rest);
  return result.empty() ? "0" : result;
}
std::optional<std::int64_t> parse_sigset(std::string_view text) {
  std::int64_t value = 0;
  if (text == "0") return 0;
  while (!text.empty()) {
    std::size_t bar = text.find('|');
    int sig = obs::signal_from_name(std::string(text.substr(0, bar)));
    if (sig <= 0) return std::nullopt;
    value |= std::int64_t{1} << sig;
    if (bar == std::string_view::npos) break;
    text.remove_prefix(bar + 1);
  }
  return value;
}
constexpr std::string_view kClone3Args[] = {
    "ver2",      "ver0",        "size56",       "sizepage", "tail_nonzero", "tail_zero",
    "stack_size_only", "set_tid_null", "set_tid_empty", "set_tid_deep", "cgroup_huge"};

template <std::size_t N>
std::string format_flags(std::int64_t value, const FlagName (&names)[N], std::string prefix) {
  std::string result = std::move(prefix);
  std::int64_t rest = value;
  for (const FlagName& flag : names) {
    if (value & flag.bit) {
      if (!result.empty()) result += '|';
      result += flag.name;
      rest &= ~static_cast<std::int64_t>(flag.bit);
    }
  }
  if (rest) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(rest));
    if (!result.empty()) result += '|';
    result += buf;
  }
  return result.empty() ? "0" : result;
}

std::span<const FlagName> flag_names(int kind) {
  switch (kind) {
    case FC_ARG_OFLAGS:
    case FC_ARG_PIPEFLAGS:
    case FC_ARG_DUPFLAGS: return kOpenFlags;
    case FC_ARG_WAITOPTS: return kWaitFlags;
    case FC_ARG_FDFLAGS: return kFdFlags;
    case FC_ARG_CLONEFLAGS: return kCloneFlags;  // issue 3
    case FC_ARG_SAFLAGS: return kSaFlags;  // issue 4
    case FC_ARG_ATFORK: return kAtforkFlags;  // issue 3 (libc layer)
    case FC_ARG_SPAWNATTR: return kSpawnAttrs;  // issue 3
  }
  return {};
}

}  // namespace

std::string ParseError::text() const {
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message;
}

std::string format_arg(int kind, std::int64_t value, const Step& step) {
  switch (kind) {
    case FC_ARG_PIDSEL:
      if (value == FC_PIDSEL_ANY) return "any";
      if (value == FC_PIDSEL_PGRP) return "pgrp";
      // issue 4 (groups): -P<n>, the group whose id is P<n>'s pid
      if (FC_PIDSEL_IS_GROUP(value)) return "-P" + std::to_string(FC_PIDSEL_GROUP_ACTOR(value));
      return "P" + std::to_string(value);
    case FC_ARG_REGION: return "M" + std::to_string(value);
    case FC_ARG_FILE: return "f" + std::to_string(value);
    case FC_ARG_OFLAGS: {
      int acc = static_cast<int>(value & FC_O_ACCMODE);
      std::string mode = acc < 3 ? std::string(kAccModes[acc]) : "0x3";
      return format_flags(value & ~FC_O_ACCMODE, kOpenFlags, mode);
    }
    case FC_ARG_PIPEFLAGS:
    case FC_ARG_DUPFLAGS: return format_flags(value, kOpenFlags, "");
    case FC_ARG_WAITOPTS: return format_flags(value, kWaitFlags, "");
    case FC_ARG_FDFLAGS: return format_flags(value, kFdFlags, "");
    case FC_ARG_IDTYPE:
      return value >= 0 && value < 3 ? std::string(kIdTypes[value]) : std::to_string(value);
    case FC_ARG_WHENCE:
      return value >= 0 && value < 3 ? std::string(kWhence[value]) : std::to_string(value);
    case FC_ARG_MAPKIND:
      return value >= 0 && value < 2 ? std::string(kMapKinds[value]) : std::to_string(value);
    case FC_ARG_BYTES: return obs::bytes(step.data);
    /* ---- clone / clone3 (issue 3) ---- */
    case FC_ARG_CLONEFLAGS: return format_flags(value, kCloneFlags, "");
    case FC_ARG_EXITSIG:
      return value >= 0 && value <= FC_EXITSIG_WIDE ? std::string(kExitSignals[value])
                                                    : std::to_string(value);
    case FC_ARG_CLONE3ARGS:
      return value >= 0 && value <= FC_C3_LAST ? std::string(kClone3Args[value])
                                               : std::to_string(value);
    /* ---- signals (issue 4) ---- */
    case FC_ARG_SIGNAL: return obs::signal_name(static_cast<int>(value));
    case FC_ARG_DISP:
      return value >= 0 && value < 3 ? std::string(kDisps[value]) : std::to_string(value);
    case FC_ARG_SAFLAGS: return format_flags(value, kSaFlags, "");
    /* ---- process groups and sessions (issue 4, groups) ---- */
    case FC_ARG_PROCSEL:
      if (value == FC_PROCSEL_SELF) return "self";
      return "P" + std::to_string(value);
    case FC_ARG_PGID:
      if (value == FC_PGID_SAME) return "same";
      if (value == FC_PGID_NEGATIVE) return "neg";
      return "P" + std::to_string(value);
    /* ---- vfork and exec (issue 3) ---- */
    case FC_ARG_SIGHOW:
      return value >= 0 && value <= FC_SIG_HOW_BAD ? std::string(kSigHows[value])
                                                   : std::to_string(value);
    case FC_ARG_SIGSET: return format_sigset(value);
    case FC_ARG_ATFORK: return format_flags(value, kAtforkFlags, "");  // issue 3
    case FC_ARG_SPAWNATTR: return format_flags(value, kSpawnAttrs, "");  // issue 3
    case FC_ARG_SPAWNFA:
      return value >= 0 && value <= FC_SPAWN_FA_LAST ? std::string(kSpawnActions[value])
                                                     : std::to_string(value);
    /* ---- inheritance (issue 3) ---- */
    case FC_ARG_LOCKKIND: return enum_name(value, kLockKinds);
    case FC_ARG_MADVICE: return enum_name(value, kMadvices);
    case FC_ARG_ITIMER: return enum_name(value, kItimers);
    case FC_ARG_ALTSTACK: return enum_name(value, kAltstacks);
    case FC_ARG_PROBE: return enum_name(value, kProbes);  // issue 3, clone_flags
    default: return std::to_string(value);
  }
}

std::string print_step(const Step& step) {
  const OpInfo& op = info(step.op);
  std::string line = "P" + std::to_string(step.actor) + " " + std::string(op.name);
  for (int a = 0; a < 3; ++a) {
    if (op.arg_kinds[a] == FC_ARG_NONE) continue;
    line += ' ';
    line += format_arg(op.arg_kinds[a], step.args[a], step);
  }
  if (op.flags & FC_OPF_CREATES_ACTOR) line += " -> P" + std::to_string(step.out);
  if (op.flags & FC_OPF_CREATES_REGION) line += " -> M" + std::to_string(step.out);
  return line;
}

std::string print_fcp(const Program& program, const PrintOptions& options) {
  std::string text;
  for (const std::string& line : options.header) text += "# " + line + "\n";
  if (program.pidns) text += "pidns\n";  // issue 4, pidns: a directive, not a comment
  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    std::string line = print_step(program.steps[i]);
    if (i < options.comments.size() && !options.comments[i].empty()) {
      if (line.size() < 36) line.resize(36, ' ');
      line += "  # " + options.comments[i];
    }
    text += line + "\n";
  }
  return text;
}

namespace {

// Tokenizer over one line that remembers columns.
class LineParser {
 public:
  LineParser(std::string_view line, int line_number) : line_(line), line_number_(line_number) {}

  bool at_end() {
    skip_space();
    return pos_ >= line_.size() || line_[pos_] == '#';
  }
  int column() const { return static_cast<int>(pos_) + 1; }

  ParseError error(std::string message, int column = 0) const {
    return ParseError{line_number_, column ? column : static_cast<int>(pos_) + 1,
                      std::move(message)};
  }

  // Next whitespace-delimited word (strings are handled by quoted()).
  std::string_view word() {
    skip_space();
    std::size_t start = pos_;
    while (pos_ < line_.size() && !std::isspace(static_cast<unsigned char>(line_[pos_])) &&
           line_[pos_] != '#') {
      ++pos_;
    }
    return line_.substr(start, pos_ - start);
  }

  std::optional<ParseError> quoted(std::string& out) {
    skip_space();
    if (pos_ >= line_.size() || line_[pos_] != '"') return error("expected a quoted string");
    ++pos_;
    out.clear();
    while (pos_ < line_.size() && line_[pos_] != '"') {
      char c = line_[pos_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= line_.size()) break;
      char e = line_[pos_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case '0': out += '\0'; break;
        case '\\': out += '\\'; break;
        case '"': out += '"'; break;
        case 'x': {
          if (pos_ + 2 > line_.size()) return error("truncated \\x escape");
          std::string digits(line_.substr(pos_, 2));
          std::string byte;
          if (!obs::unhex(digits, byte)) return error("bad \\x escape");
          out += byte;
          pos_ += 2;
          break;
        }
        default: return error(std::string("unknown escape \\") + e);
      }
    }
    if (pos_ >= line_.size()) return error("unterminated string");
    ++pos_;
    return std::nullopt;
  }

 private:
  void skip_space() {
    while (pos_ < line_.size() && std::isspace(static_cast<unsigned char>(line_[pos_]))) ++pos_;
  }
  std::string_view line_;
  int line_number_;
  std::size_t pos_ = 0;
};

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  int base = 10;
  bool negative = false;
  if (!text.empty() && text[0] == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return negative ? -value : value;
}

// "P3" / "M2" / "f1" with a given prefix letter.
std::optional<std::int64_t> parse_named(std::string_view text, char prefix) {
  if (text.size() < 2 || text[0] != prefix) return std::nullopt;
  auto value = parse_int(text.substr(1));
  if (!value || *value < 0 || text[1] == '-' || (text[1] == '0' && text.size() > 2)) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> parse_flags(std::string_view text, int kind) {
  std::int64_t value = 0;
  while (!text.empty()) {
    std::size_t bar = text.find('|');
    std::string_view part = text.substr(0, bar);
    bool known = false;
    if (kind == FC_ARG_OFLAGS) {
      for (int acc = 0; acc < 3; ++acc) {
        if (part == kAccModes[acc]) {
          value |= acc;
          known = true;
        }
      }
    }
    // issue 4: waitid's WSTOPPED is waitpid's WUNTRACED bit.
    if (kind == FC_ARG_WAITOPTS && part == "WSTOPPED") {
      value |= FC_WUNTRACED;
      known = true;
    }
    for (const FlagName& flag : flag_names(kind)) {
      if (part == flag.name) {
        value |= flag.bit;
        known = true;
      }
    }
    if (!known) {
      auto number = parse_int(part);
      if (!number || *number < 0) return std::nullopt;
      value |= *number;
    }
    if (bar == std::string_view::npos) break;
    text.remove_prefix(bar + 1);
  }
  return value;
}

template <std::size_t N>
std::optional<std::int64_t> parse_enum(std::string_view text, const std::string_view (&names)[N]) {
  for (std::size_t i = 0; i < N; ++i) {
    if (text == names[i]) return static_cast<std::int64_t>(i);
  }
  return std::nullopt;
}

std::string kind_description(int kind) {
  switch (kind) {
    case FC_ARG_FD: return "a descriptor number";
    case FC_ARG_INT: return "an integer";
    case FC_ARG_PIDSEL: return "a pid selector (P<n>, any, pgrp or -P<n>)";
    case FC_ARG_REGION: return "a region (M<n>)";
    case FC_ARG_SLOT: return "a slot number";
    case FC_ARG_VALUE: return "a value";
    case FC_ARG_FILE: return "a scratch file (f<n>)";
    case FC_ARG_OFLAGS: return "open flags (O_RDONLY|O_CREAT...)";
    case FC_ARG_PIPEFLAGS:
    case FC_ARG_DUPFLAGS: return "flags (0, O_CLOEXEC, O_NONBLOCK)";
    case FC_ARG_WAITOPTS: return "wait options (0, WNOHANG, WNOWAIT, WEXITED)";
    case FC_ARG_IDTYPE: return "an idtype (P_ALL, P_PID, P_PGID)";
    case FC_ARG_FDFLAGS: return "fd flags (0 or FD_CLOEXEC)";
    case FC_ARG_WHENCE: return "SEEK_SET, SEEK_CUR or SEEK_END";
    case FC_ARG_MAPKIND: return "private or shared";
    case FC_ARG_COUNT: return "a byte count";
    case FC_ARG_CLONEFLAGS: return "clone flags (CLONE_VM|CLONE_FS...)";
    case FC_ARG_EXITSIG: return "an exit signal (0, SIGCHLD, SIGURG, sig65, sig0x111)";
    case FC_ARG_CLONE3ARGS: return "a clone_args layout (ver2, ver0, size56, ...)";
    /* ---- signals (issue 4) ---- */
    case FC_ARG_SIGNAL: return "a signal (SIGKILL, SIGUSR1, ... or 0)";
    case FC_ARG_DISP: return "a disposition (SIG_DFL, SIG_IGN, handler)";
    case FC_ARG_SAFLAGS: return "sigaction flags (0, SA_NOCLDSTOP, SA_NOCLDWAIT)";
    /* ---- process groups and sessions (issue 4, groups) ---- */
    case FC_ARG_PROCSEL: return "a process (P<n>, or self for pid 0)";
    case FC_ARG_PGID: return "a process group id (P<n>, same for 0, neg for -1)";
    /* ---- vfork and exec (issue 3) ---- */
    case FC_ARG_SIGHOW: return "SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK or SIG_HOW_BAD";
    case FC_ARG_SIGSET: return "a signal set (SIGUSR1|SIGTERM, or 0)";
    case FC_ARG_ATFORK: return "atfork handlers (0 or prepare|parent|child)";  // issue 3
    case FC_ARG_SPAWNFA: return "a spawn file action (none, addopen, addclose, adddup2_0, adddup2_self)";
    case FC_ARG_SPAWNATTR: return "spawn attributes (0, SETSIGMASK, bin_f0)";
    /* ---- inheritance (issue 3) ---- */
    case FC_ARG_LOCKKIND: return "a lock kind (posix, posix_un, ofd, ofd_un, flock, flock_un)";
    case FC_ARG_MADVICE: return "MADV_WIPEONFORK or MADV_KEEPONFORK";
    case FC_ARG_ITIMER: return "an itimer action (virtual_get, virtual_arm, ..., prof_disarm)";
    case FC_ARG_ALTSTACK: return "a sigaltstack action (query, small, large, disable)";
    case FC_ARG_PROBE: return "a clone probe (store, close, setfd, lseek)";  // issue 3, clone_flags
  }
  return "an argument";
}

std::optional<std::int64_t> parse_arg(int kind, std::string_view word) {
  switch (kind) {
    case FC_ARG_PIDSEL:
      if (word == "any") return FC_PIDSEL_ANY;
      if (word == "pgrp") return FC_PIDSEL_PGRP;
      if (word.size() > 1 && word[0] == '-') {  // issue 4 (groups)
        auto actor = parse_named(word.substr(1), 'P');
        if (!actor || *actor >= FC_MAX_ACTORS) return std::nullopt;
        return FC_PIDSEL_GROUP(*actor);
      }
      return parse_named(word, 'P');
    case FC_ARG_REGION: return parse_named(word, 'M');
    case FC_ARG_FILE: return parse_named(word, 'f');
    case FC_ARG_OFLAGS:
    case FC_ARG_PIPEFLAGS:
    case FC_ARG_DUPFLAGS:
    case FC_ARG_WAITOPTS:
    case FC_ARG_FDFLAGS:
    case FC_ARG_CLONEFLAGS: return parse_flags(word, kind);
    case FC_ARG_EXITSIG: return parse_enum(word, kExitSignals);
    case FC_ARG_CLONE3ARGS: return parse_enum(word, kClone3Args);
    case FC_ARG_SAFLAGS: return parse_flags(word, kind);
    case FC_ARG_ATFORK: return parse_flags(word, kind);  // issue 3 (libc layer)
    case FC_ARG_SPAWNATTR: return parse_flags(word, kind);  // issue 3
    case FC_ARG_SPAWNFA: return parse_enum(word, kSpawnActions);  // issue 3
    /* ---- signals (issue 4) ---- */
    case FC_ARG_SIGNAL: {
      int sig = obs::signal_from_name(std::string(word));
      if (sig >= 0) return sig;
      return parse_int(word);
    }
    case FC_ARG_DISP: return parse_enum(word, kDisps);
    /* ---- process groups and sessions (issue 4, groups) ---- */
    case FC_ARG_PROCSEL:
      if (word == "self") return FC_PROCSEL_SELF;
      return parse_named(word, 'P');
    case FC_ARG_PGID:
      if (word == "same") return FC_PGID_SAME;
      if (word == "neg") return FC_PGID_NEGATIVE;
      return parse_named(word, 'P');
    /* ---- vfork and exec (issue 3) ---- */
    case FC_ARG_SIGHOW: return parse_enum(word, kSigHows);
    case FC_ARG_SIGSET: return parse_sigset(word);
    case FC_ARG_IDTYPE: return parse_enum(word, kIdTypes);
    case FC_ARG_WHENCE: return parse_enum(word, kWhence);
    case FC_ARG_MAPKIND: return parse_enum(word, kMapKinds);
    /* ---- inheritance (issue 3) ---- */
    case FC_ARG_LOCKKIND: return parse_enum(word, kLockKinds);
    case FC_ARG_MADVICE: return parse_enum(word, kMadvices);
    case FC_ARG_ITIMER: return parse_enum(word, kItimers);
    case FC_ARG_ALTSTACK: return parse_enum(word, kAltstacks);
    case FC_ARG_PROBE: return parse_enum(word, kProbes);  // issue 3, clone_flags
    default: return parse_int(word);
  }
}

}  // namespace

std::variant<Program, ParseError> parse_fcp(std::string_view text) {
  Program program;
  std::vector<int> step_lines;
  int line_number = 0;
  while (!text.empty()) {
    ++line_number;
    std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    LineParser parser(line, line_number);
    if (parser.at_end()) continue;

    Step step;
    int actor_column = parser.column();
    std::string_view actor = parser.word();
    /* ---- pid namespaces (issue 4, pidns) ---- */
    // `pidns` on a line of its own, before the first step: P0 is the init of
    // a new pid namespace (Program::pidns).
    if (actor == "pidns") {
      if (!parser.at_end()) return parser.error("the pidns directive takes no arguments");
      if (!program.steps.empty()) {
        return parser.error("the pidns directive must come before the first step", actor_column);
      }
      if (program.pidns) return parser.error("pidns given twice", actor_column);
      program.pidns = true;
      continue;
    }
    auto actor_id = parse_named(actor, 'P');
    if (!actor_id || *actor_id >= FC_MAX_ACTORS) {
      return parser.error("expected an actor P0..P" + std::to_string(FC_MAX_ACTORS - 1) +
                              ", found '" + std::string(actor) + "'",
                          actor_column);
    }
    step.actor = static_cast<ActorId>(*actor_id);

    if (parser.at_end()) return parser.error("missing op after " + std::string(actor));
    int op_column = parser.column();
    std::string_view op_name = parser.word();
    auto op = op_by_name(op_name);
    if (!op) return parser.error("unknown op '" + std::string(op_name) + "'", op_column);
    step.op = *op;
    const OpInfo& op_info = info(*op);

    for (int a = 0; a < 3; ++a) {
      int kind = op_info.arg_kinds[a];
      if (kind == FC_ARG_NONE) continue;
      if (parser.at_end()) {
        return parser.error(std::string(op_name) + ": missing argument " + std::to_string(a + 1) +
                            ", expected " + kind_description(kind));
      }
      if (kind == FC_ARG_BYTES) {
        if (auto error = parser.quoted(step.data)) return *error;
        continue;
      }
      int column = parser.column();
      std::string_view word = parser.word();
      auto value = parse_arg(kind, word);
      if (!value) {
        return parser.error(std::string(op_name) + ": '" + std::string(word) + "' is not " +
                                kind_description(kind),
                            column);
      }
      step.args[a] = *value;
    }

    bool creates = op_info.flags & (FC_OPF_CREATES_ACTOR | FC_OPF_CREATES_REGION);
    if (creates) {
      int column = parser.column();
      if (parser.at_end() || parser.word() != "->") {
        return parser.error(std::string(op_name) + " must name what it creates: '-> " +
                                (op_info.flags & FC_OPF_CREATES_ACTOR ? "P<n>'" : "M<n>'"),
                            column);
      }
      column = parser.column();
      std::string_view name = parser.word();
      auto id = parse_named(name, op_info.flags & FC_OPF_CREATES_ACTOR ? 'P' : 'M');
      if (!id || *id > 1000) {
        return parser.error("bad name '" + std::string(name) + "' after '->'", column);
      }
      step.out = static_cast<int>(*id);
    }
    if (!parser.at_end()) {
      return parser.error("unexpected text after " + std::string(op_name) + " arguments");
    }
    program.steps.push_back(std::move(step));
    step_lines.push_back(line_number);
  }
  if (auto error = structural_error(program)) {
    int line = error->step < step_lines.size() ? step_lines[error->step] : line_number;
    return ParseError{line, 1, error->message};
  }
  return program;
}

}  // namespace fc
