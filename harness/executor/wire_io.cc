#include "harness/executor/wire_io.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/executor/ops.h"
#include "harness/executor/util.h"

namespace fcp {

// ---- diagnostics ---------------------------------------------------------

void Diag(const char* fmt, ...) {
  char buf[512];
  int prefix = snprintf(buf, sizeof buf, "fcp-exec: ");
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf + prefix, sizeof buf - prefix - 1, fmt, ap);
  va_end(ap);
  size_t len = prefix + (n < 0 ? 0
                               : (static_cast<size_t>(n) < sizeof buf - prefix - 1
                                      ? static_cast<size_t>(n)
                                      : sizeof buf - prefix - 2));
  buf[len++] = '\n';
  ssize_t ignored = write(STDERR_FILENO, buf, len);
  (void)ignored;
}

// ---- LineReader ------------------------------------------------------------

LineReader::Status LineReader::Next(char** line) {
  for (;;) {
    // A complete line in the buffer?
    for (size_t i = begin_; i < end_; ++i) {
      if (buf_[i] == '\0') return kNulByte;
      if (buf_[i] == '\n') {
        if (i - begin_ > kMaxLineBytes) return kTooLong;
        buf_[i] = '\0';
        if (i > begin_ && buf_[i - 1] == '\r') buf_[i - 1] = '\0';
        *line = buf_ + begin_;
        begin_ = i + 1;
        ++line_number_;
        return kLine;
      }
    }
    if (end_ - begin_ > kMaxLineBytes) return kTooLong;
    if (eof_) {
      if (begin_ == end_) return kEof;
      // Last line without '\n'.
      buf_[end_] = '\0';
      *line = buf_ + begin_;
      begin_ = end_;
      ++line_number_;
      return kLine;
    }
    // Compact and read more.
    if (begin_ > 0) {
      memmove(buf_, buf_ + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    ssize_t n = RetryEintr([&] { return read(fd_, buf_ + end_, sizeof buf_ - 1 - end_); });
    if (n < 0) return kReadError;
    if (n == 0) eof_ = true;
    end_ += static_cast<size_t>(n);
  }
}

// ---- parsing helpers ---------------------------------------------------------

namespace {

// Splits `line` in place on spaces/tabs; returns the number of tokens (at most
// max_tokens + 1, so callers can detect extra tokens).
int Tokenize(char* line, char** tokens, int max_tokens) {
  int count = 0;
  char* p = line;
  while (*p != '\0') {
    while (*p == ' ' || *p == '\t') *p++ = '\0';
    if (*p == '\0') break;
    if (count > max_tokens) return count;
    tokens[count++] = p;
    while (*p != '\0' && *p != ' ' && *p != '\t') ++p;
  }
  return count;
}

// Strict decimal: optional '-', digits, no overflow. Values above INT64_MAX
// up to UINT64_MAX are accepted only when `allow_unsigned` (FC_ARG_VALUE),
// and wrap to the same 64-bit pattern.
bool ParseInt64(const char* s, int64_t* out, bool allow_unsigned = false) {
  bool negative = false;
  if (*s == '-') {
    negative = true;
    ++s;
  }
  if (*s == '\0') return false;
  uint64_t value = 0;
  for (; *s != '\0'; ++s) {
    if (*s < '0' || *s > '9') return false;
    uint64_t digit = static_cast<uint64_t>(*s - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
  }
  if (negative) {
    if (value > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - value);
    return true;
  }
  if (value > static_cast<uint64_t>(INT64_MAX) && !allow_unsigned) return false;
  *out = static_cast<int64_t>(value);
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseHex(const char* s, StepSpec* step) {
  step->data_len = 0;
  if (strcmp(s, "-") == 0) return true;
  size_t n = strlen(s);
  if (n % 2 != 0 || n / 2 > FC_MAX_IO) return false;
  for (size_t i = 0; i < n; i += 2) {
    int hi = HexDigit(s[i]);
    int lo = HexDigit(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    step->data[step->data_len++] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return true;
}

bool ValidId(const char* id) {
  size_t n = strlen(id);
  if (n == 0 || n > kMaxIdBytes || id[0] == '.') return false;
  for (size_t i = 0; i < n; ++i) {
    char c = id[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool FitsInt(int64_t v) {
  return v >= -2147483648LL && v <= 2147483647LL;
}

// Checks one numeric argument against its kind; false + message if invalid.
bool CheckArg(int kind, int64_t v, char* why, size_t why_size) {
  auto subset = [&](int64_t mask) { return v >= 0 && (v & ~mask) == 0; };
  switch (kind) {
    case FC_ARG_NONE:
    case FC_ARG_BYTES:
    case FC_ARG_VALUE: return true;
    case FC_ARG_INT: return true;  // any 64-bit literal; ops narrow where they must
    case FC_ARG_FD:
      if (v >= FC_FIRST_RESERVED_FD) {
        snprintf(why, why_size, "fd %lld is reserved for the executor (>= FC_FIRST_RESERVED_FD %d)",
                 static_cast<long long>(v), FC_FIRST_RESERVED_FD);
        return false;
      }
      if (!FitsInt(v)) break;
      return true;
    case FC_ARG_PIDSEL:
      if ((v >= 0 && v < FC_MAX_ACTORS) || v == FC_PIDSEL_ANY || v == FC_PIDSEL_PGRP) return true;
      if (FC_PIDSEL_IS_GROUP(v)) return true;  // issue 4 (groups): waitpid(-pgid)
      break;
    case FC_ARG_REGION:
      if (v >= 0 && v < FC_MAX_REGIONS) return true;
      break;
    case FC_ARG_SLOT:
      if (v >= 0 && v < FC_REGION_SLOTS) return true;
      break;
    case FC_ARG_FILE:
      if (v >= 0 && v < FC_MAX_FILES) return true;
      break;
    // pipe2 and dup3 take the whole FC_O_* set: bits they do not accept are
    // passed to the kernel, whose EINVAL is what the program checks.
    case FC_ARG_OFLAGS:
    case FC_ARG_PIPEFLAGS:
    case FC_ARG_DUPFLAGS:
      if (subset(FC_O_ACCMODE | FC_O_CREAT | FC_O_TRUNC | FC_O_APPEND | FC_O_CLOEXEC |
                 FC_O_NONBLOCK | FC_O_EXCL))
        return true;
      break;
    case FC_ARG_WAITOPTS:
      if (subset(FC_WNOHANG | FC_WNOWAIT | FC_WEXITED | FC_WUNTRACED | FC_WCONTINUED)) return true;
      break;
    /* ---- signals (issue 4) ---- */
    case FC_ARG_SIGNAL:
      if (v >= 0 && v <= FC_MAX_SIGNAL) return true;
      break;
    case FC_ARG_DISP:
      if (v == FC_DISP_DFL || v == FC_DISP_IGN || v == FC_DISP_HANDLER) return true;
      break;
    case FC_ARG_SAFLAGS:
      if (subset(FC_SA_NOCLDSTOP | FC_SA_NOCLDWAIT)) return true;
      break;
    case FC_ARG_IDTYPE:
      if (v == FC_P_ALL || v == FC_P_PID || v == FC_P_PGID) return true;
      break;
    case FC_ARG_FDFLAGS:
      if (subset(FC_FD_CLOEXEC)) return true;
      break;
    case FC_ARG_WHENCE:
      if (v == FC_SEEK_SET || v == FC_SEEK_CUR || v == FC_SEEK_END) return true;
      break;
    case FC_ARG_MAPKIND:
      if (v == FC_MAP_PRIVATE || v == FC_MAP_SHARED) return true;
      break;
    case FC_ARG_COUNT:
      if (v >= 0 && v <= FC_MAX_IO) return true;
      break;
    /* ---- clone / clone3 (issue 3) ---- */
    case FC_ARG_CLONEFLAGS:
      if (subset(FC_CLONE_ALL)) return true;
      break;
    case FC_ARG_EXITSIG:
      if (v >= 0 && v <= FC_EXITSIG_WIDE) return true;
      break;
    case FC_ARG_CLONE3ARGS:
      if (v >= 0 && v <= FC_C3_LAST) return true;
      break;
    /* ---- process groups and sessions (issue 4, groups) ---- */
    case FC_ARG_PROCSEL:
      if ((v >= 0 && v < FC_MAX_ACTORS) || v == FC_PROCSEL_SELF) return true;
      break;
    case FC_ARG_PGID:
      if ((v >= 0 && v < FC_MAX_ACTORS) || v == FC_PGID_SAME || v == FC_PGID_NEGATIVE) return true;
      break;
    /* ---- vfork and exec (issue 3) ---- */
    case FC_ARG_SIGHOW:
      if (v >= FC_SIG_BLOCK && v <= FC_SIG_HOW_BAD) return true;
      break;
    case FC_ARG_SIGSET:
      if (subset(FC_SIGSET_MASKABLE)) return true;
      break;
    /* ---- libc layer (issue 3) ---- */
    case FC_ARG_ATFORK:
      if (subset(FC_ATFORK_ALL)) return true;
      break;
    case FC_ARG_SPAWNFA:
      if (v >= 0 && v <= FC_SPAWN_FA_LAST) return true;
      break;
    case FC_ARG_SPAWNATTR:
      if (subset(FC_SPAWN_ALL)) return true;
      break;
    /* ---- inheritance (issue 3) ---- */
    case FC_ARG_LOCKKIND:
      if (v >= 0 && v <= FC_LOCK_LAST) return true;
      break;
    case FC_ARG_MADVICE:
      if (v == FC_MADV_WIPEONFORK || v == FC_MADV_KEEPONFORK) return true;
      break;
    case FC_ARG_ITIMER:
      if (v >= 0 && v <= FC_ITIMER_LAST) return true;
      break;
    case FC_ARG_ALTSTACK:
      if (v >= 0 && v <= FC_ALTSTACK_LAST) return true;
      break;
    /* ---- clone flags (issue 3, clone_flags) ---- */
    case FC_ARG_PROBE:
      if (v >= 0 && v <= FC_PROBE_LAST) return true;
      break;
    default: snprintf(why, why_size, "unknown argument kind %d in ops.def", kind); return false;
  }
  snprintf(why, why_size, "value %lld out of range for its argument kind %d",
           static_cast<long long>(v), kind);
  return false;
}

// Semantic checks of a whole, well-formed program. Writes the first problem.
bool CheckProgram(const Program& p, char* message, size_t size) {
  bool actor_exists[FC_MAX_ACTORS] = {};
  actor_exists[0] = true;
  for (int i = 0; i < p.nsteps; ++i) {
    const StepSpec& s = p.steps[i];
    char why[160];
    if (s.actor < 0 || s.actor >= FC_MAX_ACTORS) {
      snprintf(message, size, "step %d: actor %d out of range 0..%d", i, s.actor,
               FC_MAX_ACTORS - 1);
      return false;
    }
    if (!actor_exists[s.actor]) {
      snprintf(message, size, "step %d: actor P%d has not been created by an earlier fork", i,
               s.actor);
      return false;
    }
    if (s.op < 0 || s.op >= kOpCount) {
      snprintf(message, size, "step %d: unknown op %d (ops.def has %d rows)", i, s.op, kOpCount);
      return false;
    }
    const OpInfo& info = kOpTable[s.op];
    for (int a = 0; a < 3; ++a) {
      if (!CheckArg(info.arg_kind[a], s.arg[a], why, sizeof why)) {
        snprintf(message, size, "step %d (%s): a%d: %s", i, info.name, a, why);
        return false;
      }
    }
    if ((info.flags & FC_OPF_NORETURN) && !FitsInt(s.arg[0])) {
      snprintf(message, size, "step %d (%s): status %lld does not fit in an int", i, info.name,
               static_cast<long long>(s.arg[0]));
      return false;
    }
    if (info.flags & FC_OPF_CREATES_ACTOR) {
      if (s.out < 1 || s.out >= FC_MAX_ACTORS || actor_exists[s.out]) {
        snprintf(message, size, "step %d (%s): out %d is not a new actor 1..%d", i, info.name,
                 s.out, FC_MAX_ACTORS - 1);
        return false;
      }
      actor_exists[s.out] = true;
    } else if (info.flags & FC_OPF_CREATES_REGION) {
      if (s.out < 0 || s.out >= FC_MAX_REGIONS) {
        snprintf(message, size, "step %d (%s): out %d is not a region 0..%d", i, info.name, s.out,
                 FC_MAX_REGIONS - 1);
        return false;
      }
    } else if (s.out != -1) {
      snprintf(message, size, "step %d (%s): out must be -1, got %d", i, info.name, s.out);
      return false;
    }
    bool special_turn =
        (info.flags & (FC_OPF_NORETURN | FC_OPF_CREATES_ACTOR)) != 0 || s.op == kOpExec;
    // issue 3: vfork blocks its caller until the child execs or exits; the
    // child runs its own steps meanwhile (ops_vfork.cc).
    if (s.op == kOpVfork || s.op == kOpCloneVfork) special_turn = false;
    if (s.unblock_by != -1) {
      bool in_range =
          s.unblock_by == FC_BLOCKS_FOREVER || (s.unblock_by > i && s.unblock_by < p.nsteps);
      if (!in_range || special_turn) {
        snprintf(message, size, "step %d (%s): unblock_by %d invalid (need -1, %d or %d..%d%s)", i,
                 info.name, s.unblock_by, FC_BLOCKS_FOREVER, i + 1, p.nsteps - 1,
                 special_turn ? "; this op must be -1" : "");
        return false;
      }
    }
  }
  return true;
}

}  // namespace

ParseStatus ReadProgram(LineReader& reader, Program* program, char* message, size_t size) {
  char* line = nullptr;
  char* tok[12];
  bool in_program = false;
  int steps_read = 0;
  for (;;) {
    LineReader::Status st = reader.Next(&line);
    long ln = reader.line_number() + (st == LineReader::kLine ? 0 : 1);
    switch (st) {
      case LineReader::kLine: break;
      case LineReader::kEof:
        if (!in_program) return ParseStatus::kEof;
        snprintf(message, size, "line %ld: end of input inside program %s (%d of %d steps, no END)",
                 ln, program->id, steps_read, program->nsteps);
        return ParseStatus::kSyntax;
      case LineReader::kTooLong:
        snprintf(message, size, "line %ld: line longer than %zu bytes", ln, kMaxLineBytes);
        return ParseStatus::kSyntax;
      case LineReader::kNulByte:
        snprintf(message, size, "line %ld: NUL byte in input", ln);
        return ParseStatus::kSyntax;
      case LineReader::kReadError:
        snprintf(message, size, "line %ld: read error: %s", ln, strerror(errno));
        return ParseStatus::kSyntax;
    }
    int n = Tokenize(line, tok, 10);
    if (n == 0 || tok[0][0] == '#') continue;  // blank or comment

    if (!in_program) {
      if (strcmp(tok[0], "PROG") != 0) {
        snprintf(message, size, "line %ld: expected PROG, got '%.32s'", ln, tok[0]);
        return ParseStatus::kSyntax;
      }
      int64_t nsteps = 0, timeout = 0;
      /* ---- pid namespaces (issue 4, pidns): an optional 4th field ---- */
      program->pidns = 0;
      if (n == 5 && strcmp(tok[4], "pidns") == 0) {
        program->pidns = 1;
      } else if (n == 5) {
        snprintf(message, size, "line %ld: PROG's 4th field must be 'pidns', got '%.24s'", ln,
                 tok[4]);
        return ParseStatus::kSyntax;
      } else if (n != 4) {
        snprintf(message, size,
                 "line %ld: PROG needs 3 fields (id nsteps timeout_ms) and maybe 'pidns', got %d",
                 ln, n - 1);
        return ParseStatus::kSyntax;
      }
      if (!ValidId(tok[1])) {
        snprintf(message, size, "line %ld: bad program id (1..%zu chars of [A-Za-z0-9_.-])", ln,
                 kMaxIdBytes);
        return ParseStatus::kSyntax;
      }
      if (!ParseInt64(tok[2], &nsteps) || nsteps < 0 || nsteps > FC_MAX_STEPS) {
        snprintf(message, size, "line %ld: nsteps '%.24s' not in 0..%d", ln, tok[2], FC_MAX_STEPS);
        return ParseStatus::kSyntax;
      }
      if (!ParseInt64(tok[3], &timeout) || timeout < 1 || timeout > kMaxTimeoutMs) {
        snprintf(message, size, "line %ld: timeout_ms '%.24s' not in 1..%lld", ln, tok[3],
                 static_cast<long long>(kMaxTimeoutMs));
        return ParseStatus::kSyntax;
      }
      memcpy(program->id, tok[1], strlen(tok[1]) + 1);
      program->nsteps = static_cast<int32_t>(nsteps);
      program->timeout_ms = timeout;
      in_program = true;
      steps_read = 0;
      continue;
    }

    if (strcmp(tok[0], "END") == 0) {
      if (n != 1) {
        snprintf(message, size, "line %ld: END takes no fields", ln);
        return ParseStatus::kSyntax;
      }
      if (steps_read != program->nsteps) {
        snprintf(message, size, "line %ld: END after %d steps, PROG announced %d", ln, steps_read,
                 program->nsteps);
        return ParseStatus::kSyntax;
      }
      if (!CheckProgram(*program, message, size)) return ParseStatus::kInvalid;
      return ParseStatus::kProgram;
    }
    if (strcmp(tok[0], "S") != 0) {
      snprintf(message, size, "line %ld: expected S or END, got '%.32s'", ln, tok[0]);
      return ParseStatus::kSyntax;
    }
    if (steps_read >= program->nsteps) {
      snprintf(message, size, "line %ld: more S lines than the %d announced by PROG", ln,
               program->nsteps);
      return ParseStatus::kSyntax;
    }
    if (n != 9) {
      snprintf(message, size,
               "line %ld: S needs 8 fields (actor op a0 a1 a2 out unblock_by hexdata), got %d", ln,
               n - 1);
      return ParseStatus::kSyntax;
    }
    StepSpec& s = program->steps[steps_read];
    memset(&s, 0, sizeof s);
    int64_t v[7];
    static const char* const kField[7] = {"actor", "op", "a0", "a1", "a2", "out", "unblock_by"};
    for (int f = 0; f < 7; ++f) {
      // a0..a2 may carry a full 64-bit unsigned pattern (FC_ARG_VALUE).
      bool is_arg = f >= 2 && f <= 4;
      if (!ParseInt64(tok[1 + f], &v[f], is_arg) || (!is_arg && !FitsInt(v[f]))) {
        snprintf(message, size, "line %ld: field %s: '%.24s' is not a valid integer", ln, kField[f],
                 tok[1 + f]);
        return ParseStatus::kSyntax;
      }
    }
    s.actor = static_cast<int32_t>(v[0]);
    s.op = static_cast<int32_t>(v[1]);
    s.arg[0] = v[2];
    s.arg[1] = v[3];
    s.arg[2] = v[4];
    s.out = static_cast<int32_t>(v[5]);
    s.unblock_by = static_cast<int32_t>(v[6]);
    if (!ParseHex(tok[8], &s)) {
      snprintf(message, size, "line %ld: hexdata must be '-' or up to %d bytes of hex", ln,
               FC_MAX_IO);
      return ParseStatus::kSyntax;
    }
    ++steps_read;
  }
}

// ---- OutputBuffer ------------------------------------------------------------

void OutputBuffer::Put(const char* s, size_t n) {
  while (n > 0) {
    if (used_ == sizeof buf_ && !Flush()) return;
    size_t room = sizeof buf_ - used_;
    size_t chunk = n < room ? n : room;
    memcpy(buf_ + used_, s, chunk);
    used_ += chunk;
    s += chunk;
    n -= chunk;
  }
}

void OutputBuffer::Put(const char* s) {
  Put(s, strlen(s));
}

void OutputBuffer::PutChar(char c) {
  Put(&c, 1);
}

void OutputBuffer::PutInt(int64_t v) {
  char tmp[24];
  int len = 0;
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    tmp[sizeof tmp - 1 - len++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (v < 0) tmp[sizeof tmp - 1 - len++] = '-';
  Put(tmp + sizeof tmp - len, static_cast<size_t>(len));
}

void OutputBuffer::PutHex(const uint8_t* data, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  if (n == 0) {
    PutChar('-');
    return;
  }
  char chunk[256];
  size_t used = 0;
  for (size_t i = 0; i < n; ++i) {
    chunk[used++] = kDigits[data[i] >> 4];
    chunk[used++] = kDigits[data[i] & 15];
    if (used == sizeof chunk) {
      Put(chunk, used);
      used = 0;
    }
  }
  Put(chunk, used);
}

bool OutputBuffer::Flush() {
  size_t off = 0;
  while (off < used_ && !failed_) {
    ssize_t n = RetryEintr([&] { return write(fd_, buf_ + off, used_ - off); });
    if (n <= 0) {
      failed_ = true;
      break;
    }
    off += static_cast<size_t>(n);
  }
  used_ = 0;
  return !failed_;
}

}  // namespace fcp
