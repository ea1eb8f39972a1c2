// Reading programs (PROG / S / END) and writing result blocks (BEGIN / H / A /
// R / E), as specified in harness/ir/wire.h. No stdio: the executor never
// touches the libc FILE objects, so exit(3) in an actor flushes or seeks
// nothing behind the program's back (musl's exit lseeks a read stream back).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "harness/executor/control.h"

namespace fcp {

constexpr size_t kMaxLineBytes = 4096;
constexpr size_t kMaxIdBytes = 64;
constexpr int64_t kMaxTimeoutMs = 24LL * 3600 * 1000;

// A program as read from the wire, before it is copied into the control block.
struct Program {
  char id[kMaxIdBytes + 1];
  int32_t nsteps;
  int64_t timeout_ms;
  int32_t pidns;  // issue 4, pidns: the PROG line's 4th field
  StepSpec steps[FC_MAX_STEPS];
};

// Reads '\n'-terminated lines from a descriptor with its own buffer.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  enum Status { kLine, kEof, kTooLong, kNulByte, kReadError };
  // On kLine, `*line` points to the NUL-terminated line without its '\n'
  // (a trailing '\r' is dropped too); valid until the next call.
  Status Next(char** line);
  long line_number() const { return line_number_; }

 private:
  int fd_;
  char buf_[2 * kMaxLineBytes + 2];
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  long line_number_ = 0;
};

enum class ParseStatus {
  kProgram,  // *program holds a well-formed program
  kEof,      // clean end of input between programs
  kSyntax,   // malformed input: message says which line and why
  kInvalid,  // well-formed but not runnable (e.g. fd >= 1000): skip it
};

// Reads the next program. Blank lines and lines starting with '#' are
// ignored. On kSyntax/kInvalid, `message` (size `message_size`) explains.
ParseStatus ReadProgram(LineReader& reader, Program* program, char* message, size_t message_size);

// Buffered writer to a descriptor; Flush() after every result block.
class OutputBuffer {
 public:
  explicit OutputBuffer(int fd) : fd_(fd) {}
  void Put(const char* s, size_t n);
  void Put(const char* s);
  void PutChar(char c);
  void PutInt(int64_t v);
  void PutHex(const uint8_t* data, size_t n);  // "-" when n == 0
  bool Flush();                                // false if the reader is gone
  bool failed() const { return failed_; }

 private:
  int fd_;
  bool failed_ = false;
  size_t used_ = 0;
  char buf_[64 * 1024];
};

// "name: message" to stderr (diagnostics are prefixed "fcp-exec:").
void Diag(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace fcp
