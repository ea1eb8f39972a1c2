// Small libc-only helpers for fcp-exec: RAII for descriptors and mappings,
// EINTR retry, atomics on shared memory, futexes and CLOCK_MONOTONIC time.
//
// No C++ standard library: the executor is built with -nostdinc++ and linked
// by the C driver, so everything here is plain templates over libc.
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

// musl's toolchain ships no kernel headers: futex(2) ABI values, if needed.
#if __has_include(<linux/futex.h>)
#include <linux/futex.h>
#endif
#ifndef FUTEX_WAKE
#define FUTEX_WAKE 1
#endif
#ifndef FUTEX_WAIT_BITSET
#define FUTEX_WAIT_BITSET 9
#endif
#ifndef FUTEX_BITSET_MATCH_ANY
#define FUTEX_BITSET_MATCH_ANY 0xffffffff
#endif

namespace fcp {

// ---- descriptors reserved for the executor -------------------------------
// wire.h: "the executor's own are >= 1000". None of them is FD_CLOEXEC except
// kFirstPrivateFd and above: the three below must survive exec (the resumed
// image needs them), and every actor may hold them; a program can never name
// them because the parser refuses fd arguments >= FC_FIRST_RESERVED_FD.
constexpr int kControlFd = 1000;     // memfd holding the ControlBlock
constexpr int kSelfExeFd = 1001;     // this binary, for execveat(AT_EMPTY_PATH)
constexpr int kScratchDirFd = 1002;  // the program's scratch directory
// Server-private descriptors (input file, janitor pipe, server pidfd ...) are
// moved to >= kFirstPrivateFd with FD_CLOEXEC; the reaper closes them.
constexpr int kFirstPrivateFd = 1003;

// Retries a libc call while it fails with EINTR.
template <typename Fn>
auto RetryEintr(Fn fn) -> decltype(fn()) {
  decltype(fn()) result;
  do {
    result = fn();
  } while (result == -1 && errno == EINTR);
  return result;
}

// Owns one descriptor; closes it when destroyed.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) {
    Reset(other.Release());
    return *this;
  }
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// Owns one mmap'd range; unmaps it when destroyed.
class Mapping {
 public:
  Mapping() = default;
  Mapping(void* addr, size_t length) : addr_(addr), length_(length) {}
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  Mapping(Mapping&& other) : addr_(other.addr_), length_(other.length_) {
    other.addr_ = nullptr;
    other.length_ = 0;
  }
  ~Mapping() {
    if (addr_ != nullptr) munmap(addr_, length_);
  }
  void* get() const { return addr_; }
  bool valid() const { return addr_ != nullptr; }
  // Keeps the mapping alive for the rest of the process.
  void* Release() {
    void* addr = addr_;
    addr_ = nullptr;
    return addr;
  }

 private:
  void* addr_ = nullptr;
  size_t length_ = 0;
};

// Moves `fd` to the lowest free descriptor >= `min_fd`, closing the original.
// Returns the new descriptor or -1.
inline int MoveFdAbove(int fd, int min_fd, bool cloexec) {
  if (fd < 0) return -1;
  int moved = fcntl(fd, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, min_fd);
  int saved = errno;
  close(fd);
  errno = saved;
  return moved;
}

// Moves `fd` to exactly `target` (no FD_CLOEXEC), closing the original.
inline bool MoveFdTo(int fd, int target) {
  if (fd < 0) return false;
  if (fd == target) return fcntl(fd, F_SETFD, 0) == 0;
  int moved = dup2(fd, target);
  close(fd);
  return moved == target;
}

// ---- atomics on (possibly shared) memory ---------------------------------
template <typename T>
inline T LoadAcquire(const T* p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
template <typename T>
inline void StoreRelease(T* p, T v) {
  __atomic_store_n(p, v, __ATOMIC_RELEASE);
}
template <typename T>
inline T LoadSeqCst(const T* p) {
  return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}
template <typename T>
inline void StoreSeqCst(T* p, T v) {
  __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}
template <typename T>
inline bool CompareExchange(T* p, T expected, T desired) {
  return __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST);
}
template <typename T>
inline T FetchAdd(T* p, T v) {
  return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
}
// *p = max(*p, v)
template <typename T>
inline void AtomicMax(T* p, T v) {
  T seen = __atomic_load_n(p, __ATOMIC_SEQ_CST);
  while (seen < v &&
         !__atomic_compare_exchange_n(p, &seen, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
  }
}

// ---- time -------------------------------------------------------------
inline int64_t MonotonicNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

inline struct timespec NsToTimespec(int64_t ns) {
  struct timespec ts;
  if (ns < 0) ns = 0;
  ts.tv_sec = static_cast<time_t>(ns / 1000000000LL);
  ts.tv_nsec = static_cast<long>(ns % 1000000000LL);
  return ts;
}

inline void SleepNs(int64_t ns) {
  struct timespec ts = NsToTimespec(ns);
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

// ---- futex on shared (not process-private) memory -------------------------
// The control block is a MAP_SHARED memfd mapping, also re-mapped by exec'd
// images, so the futex key must be the file page: no FUTEX_PRIVATE_FLAG.

// Waits while *word == expected, at most until the absolute CLOCK_MONOTONIC
// time `deadline_ns`. FUTEX_WAIT_BITSET takes an absolute timeout measured
// against CLOCK_MONOTONIC (futex(2)). Returns false once the deadline passed.
inline bool FutexWaitUntil(uint32_t* word, uint32_t expected, int64_t deadline_ns) {
  if (MonotonicNs() >= deadline_ns) return false;
  struct timespec abs = NsToTimespec(deadline_ns);
#if defined(SYS_futex_time64) && !defined(__LP64__)
  // 32-bit ABIs with a 64-bit time_t (musl >= 1.2) must use futex_time64.
  long nr = sizeof(abs.tv_sec) == 8 ? SYS_futex_time64 : SYS_futex;
#else
  long nr = SYS_futex;
#endif
  syscall(nr, word, FUTEX_WAIT_BITSET, expected, &abs, nullptr, FUTEX_BITSET_MATCH_ANY);
  return MonotonicNs() < deadline_ns;
}

inline void FutexWakeAll(uint32_t* word) {
  syscall(SYS_futex, word, FUTEX_WAKE, 0x7fffffff, nullptr, nullptr, 0);
}

// ---- small text helpers (no snprintf in hot paths needed, but allowed) ----
inline size_t CStrLen(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') ++n;
  return n;
}

}  // namespace fcp
