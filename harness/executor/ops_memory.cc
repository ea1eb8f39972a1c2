// Memory area of ops.def: mmap, store, load.
//
// Regions live in g_process.regions, a plain array in the process's own
// memory: fork copies it along with the mappings, exec discards both.
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#include "harness/executor/actor.h"

namespace fcp {

constexpr size_t kRegionBytes = 4096;

// mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_SHARED |
// MAP_ANONYMOUS, -1, 0). ret is 0 on success (the address would only add
// noise), -1 with errno on failure.
StepEnd OpMmap(StepCall& call) {
  int kind = call.arg(0) == FC_MAP_SHARED ? MAP_SHARED : MAP_PRIVATE;
  void* addr = mmap(nullptr, kRegionBytes, PROT_READ | PROT_WRITE, kind | MAP_ANONYMOUS, -1, 0);
  if (addr == MAP_FAILED) {
    call.Returned(-1, errno);
    return StepEnd::kFinish;
  }
  g_process.regions[call.spec().out] = addr;
  call.Returned(0, 0);
  return StepEnd::kFinish;
}

namespace {

volatile int64_t* SlotOf(StepCall& call) {
  void* base = g_process.regions[call.arg(0)];
  if (base == nullptr) {
    call.Fail("region M%lld is not mapped in actor P%d", static_cast<long long>(call.arg(0)),
              g_process.actor);
    return nullptr;
  }
  return static_cast<volatile int64_t*>(base) + call.arg(1);
}

}  // namespace

StepEnd OpStore(StepCall& call) {
  volatile int64_t* slot = SlotOf(call);
  if (slot == nullptr) return StepEnd::kAbort;
  *slot = call.arg(2);
  call.Returned(0, 0);
  return StepEnd::kFinish;
}

// ret = the value read (may be -1; err stays 0).
StepEnd OpLoad(StepCall& call) {
  volatile int64_t* slot = SlotOf(call);
  if (slot == nullptr) return StepEnd::kAbort;
  int64_t value = *slot;
  call.Returned(value, 0);
  return StepEnd::kFinish;
}

}  // namespace fcp
