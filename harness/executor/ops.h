// The op table: one row per ops.def entry, one function per op.
//
// Op numbers on the wire are ops.def row order from 0. Every op function is
// defined in ops_<area>.cc, mirroring the area column of ops.def. Adding an
// op = one row in ops.def + one `StepEnd Op<Enum>(StepCall&)` in its area
// file; the table below picks it up.
#pragma once

#include <stdint.h>

#include "harness/executor/control.h"

namespace fcp {

class StepCall;

// What the actor loop does after an op function returns.
enum class StepEnd {
  kFinish,          // record the result (done/late) and go on
  kChildContinues,  // fork child: this process is now actor `out`; go on
  kAbort,           // executor error recorded with StepCall::Fail
};

using OpFn = StepEnd (*)(StepCall&);

enum OpIndex : int {
#define FC_OP(Enum, Text, Area, A0, A1, A2, Flags) kOp##Enum,
#include "harness/ir/ops.def"
#undef FC_OP
  kOpCount
};

#define FC_OP(Enum, Text, Area, A0, A1, A2, Flags) StepEnd Op##Enum(StepCall& call);
#include "harness/ir/ops.def"
#undef FC_OP

struct OpInfo {
  const char* name;
  int arg_kind[3];  // FC_ARG_*
  unsigned flags;   // FC_OPF_*
  OpFn fn;
};

extern const OpInfo kOpTable[kOpCount];

// ---- abstract <-> native flag maps (wire.h FC_*) ----------------------
int NativeOpenFlags(int64_t fc_flags);   // FC_O_* -> O_*
int AbstractStatusFlags(int native);     // F_GETFL -> accmode|append|nonblock
int NativeWaitOptions(int64_t fc_opts);  // FC_W* -> W*
// issue 4, pidfd (ops_signal.cc): FC_SIG* -> this libc's number (-1 if
// forkconf does not use it), and back (a number not mapped stays as it is).
int NativeSignalNumber(int64_t fc);
int64_t LinuxSignalNumber(int native);

// Exec report of the calling process (wire.h: "fd:ino:type:fdflags:flflags:
// offset" for every open fd 0..999, ';'-separated, ascending) into `out`.
// Returns the number of bytes written (at most `size`).
uint32_t WriteFdReport(char* out, uint32_t size);

}  // namespace fcp
