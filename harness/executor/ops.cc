// The op table (built from ops.def) and the abstract <-> native flag maps.
#include "harness/executor/ops.h"

#include <fcntl.h>

namespace fcp {

const OpInfo kOpTable[kOpCount] = {
#define FC_OP(Enum, Text, Area, A0, A1, A2, Flags) {Text, {A0, A1, A2}, Flags, Op##Enum},
#include "harness/ir/ops.def"
#undef FC_OP
};

// FC_O_* (wire.h) -> O_*. The access modes have the same values on Linux
// (O_RDONLY 0, O_WRONLY 1, O_RDWR 2); the rest is mapped bit by bit.
int NativeOpenFlags(int64_t fc_flags) {
  int native = static_cast<int>(fc_flags & FC_O_ACCMODE);
  if (fc_flags & FC_O_CREAT) native |= O_CREAT;
  if (fc_flags & FC_O_TRUNC) native |= O_TRUNC;
  if (fc_flags & FC_O_APPEND) native |= O_APPEND;
  if (fc_flags & FC_O_CLOEXEC) native |= O_CLOEXEC;
  if (fc_flags & FC_O_NONBLOCK) native |= O_NONBLOCK;
  if (fc_flags & FC_O_EXCL) native |= O_EXCL;
  return native;
}

// F_GETFL result -> FC_O_ACCMODE bits | FC_O_APPEND | FC_O_NONBLOCK. Other
// status bits the kernel reports (O_LARGEFILE, ...) are not modelled.
int AbstractStatusFlags(int native) {
  int fc = 0;
  switch (native & O_ACCMODE) {
    case O_RDONLY: fc = FC_O_RDONLY; break;
    case O_WRONLY: fc = FC_O_WRONLY; break;
    case O_RDWR: fc = FC_O_RDWR; break;
    default: fc = FC_O_ACCMODE; break;
  }
  if (native & O_APPEND) fc |= FC_O_APPEND;
  if (native & O_NONBLOCK) fc |= FC_O_NONBLOCK;
  return fc;
}

}  // namespace fcp
