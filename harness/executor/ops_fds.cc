// Fds area of ops.def: pipes, open, close, dup family, read/write/lseek and
// the fcntl commands. Raw ret and errno; a0 = inode of a new descriptor, so
// the runner can tell which object a descriptor refers to.
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64  // 64-bit off_t for lseek on 32-bit glibc
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/executor/actor.h"
#include "harness/executor/util.h"

namespace fcp {

namespace {

int64_t InodeOf(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return -1;
  return static_cast<int64_t>(st.st_ino);
}

// Records ret/errno of a call that returns a new descriptor, and a0 = ino.
StepEnd NewFdReturned(StepCall& call, int fd, int err) {
  call.Returned(fd, err);
  if (fd >= 0) call.SetAux(0, InodeOf(fd));
  return StepEnd::kFinish;
}

StepEnd PipeReturned(StepCall& call, int ret, int err, const int fds[2]) {
  call.Returned(ret, err);
  if (ret == 0) {
    call.SetAux(0, fds[0]);
    call.SetAux(1, fds[1]);
    call.SetAux(2, InodeOf(fds[0]));
  }
  return StepEnd::kFinish;
}

// "f<n>", the scratch file names.
void FileName(int64_t index, char name[8]) {
  snprintf(name, 8, "f%d", static_cast<int>(index));
}

int Fd(StepCall& call, int i) {
  return static_cast<int>(call.arg(i));
}

}  // namespace

StepEnd OpPipe(StepCall& call) {
  int fds[2] = {-1, -1};
  int ret = pipe(fds);
  return PipeReturned(call, ret, errno, fds);
}

StepEnd OpPipe2(StepCall& call) {
  // Every bit goes to the kernel: pipe2(2) "EINVAL Invalid value in flags".
  int fds[2] = {-1, -1};
  int ret = pipe2(fds, NativeOpenFlags(call.arg(0)));
  return PipeReturned(call, ret, errno, fds);
}

// open(name, flags, 0600), relative to the cwd = the run's scratch dir.
StepEnd OpOpen(StepCall& call) {
  char name[8];
  FileName(call.arg(0), name);
  int fd = open(name, NativeOpenFlags(call.arg(1)), 0600);
  return NewFdReturned(call, fd, errno);
}

// openat(scratch dir fd, name, flags, 0600)
StepEnd OpOpenAt(StepCall& call) {
  char name[8];
  FileName(call.arg(0), name);
  int fd = openat(kScratchDirFd, name, NativeOpenFlags(call.arg(1)), 0600);
  return NewFdReturned(call, fd, errno);
}

StepEnd OpClose(StepCall& call) {
  int ret = close(Fd(call, 0));
  call.Returned(ret, errno);
  return StepEnd::kFinish;
}

StepEnd OpDup(StepCall& call) {
  int fd = dup(Fd(call, 0));
  return NewFdReturned(call, fd, errno);
}

StepEnd OpDup2(StepCall& call) {
  int fd = dup2(Fd(call, 0), Fd(call, 1));
  return NewFdReturned(call, fd, errno);
}

StepEnd OpDup3(StepCall& call) {
  // Every bit goes to the kernel: dup3(2) "EINVAL flags contain an invalid value".
  int fd = dup3(Fd(call, 0), Fd(call, 1), NativeOpenFlags(call.arg(2)));
  return NewFdReturned(call, fd, errno);
}

// read(fd, buf, count): data = the bytes read.
StepEnd OpRead(StepCall& call) {
  unsigned char buf[FC_MAX_IO];
  size_t count = static_cast<size_t>(call.arg(1));
  ssize_t n = read(Fd(call, 0), buf, count);
  call.Returned(n, errno);
  if (n > 0 && !call.SetData(buf, static_cast<uint32_t>(n)))
    return call.Fail("step data arena full");
  return StepEnd::kFinish;
}

// write(fd, data, len(data))
StepEnd OpWrite(StepCall& call) {
  const StepSpec& spec = call.spec();
  ssize_t n = write(Fd(call, 0), spec.data, spec.data_len);
  call.Returned(n, errno);
  return StepEnd::kFinish;
}

StepEnd OpLseek(StepCall& call) {
  int whence = call.arg(2) == FC_SEEK_SET   ? SEEK_SET
               : call.arg(2) == FC_SEEK_CUR ? SEEK_CUR
                                            : SEEK_END;
  off_t off = lseek(Fd(call, 0), static_cast<off_t>(call.arg(1)), whence);
  call.Returned(off, errno);
  return StepEnd::kFinish;
}

// fcntl(fd, F_GETFD): the raw descriptor flags (FD_CLOEXEC).
StepEnd OpGetFd(StepCall& call) {
  int ret = fcntl(Fd(call, 0), F_GETFD);
  call.Returned(ret, errno);
  return StepEnd::kFinish;
}

StepEnd OpSetFd(StepCall& call) {
  int flags = (call.arg(1) & FC_FD_CLOEXEC) ? FD_CLOEXEC : 0;
  int ret = fcntl(Fd(call, 0), F_SETFD, flags);
  call.Returned(ret, errno);
  return StepEnd::kFinish;
}

// fcntl(fd, F_GETFL), mapped to FC_O_ACCMODE bits | FC_O_APPEND | FC_O_NONBLOCK.
StepEnd OpGetFl(StepCall& call) {
  int ret = fcntl(Fd(call, 0), F_GETFL);
  int err = errno;
  call.Returned(ret == -1 ? -1 : AbstractStatusFlags(ret), err);
  return StepEnd::kFinish;
}

// fcntl(fd, F_SETFL, mapped flags). fcntl(2): "File access mode (O_RDONLY,
// O_WRONLY, O_RDWR) and file creation flags (i.e., O_CREAT, O_EXCL,
// O_NOCTTY, O_TRUNC) in arg are ignored."
StepEnd OpSetFl(StepCall& call) {
  int ret = fcntl(Fd(call, 0), F_SETFL, NativeOpenFlags(call.arg(1)));
  call.Returned(ret, errno);
  return StepEnd::kFinish;
}

StepEnd OpDupFd(StepCall& call) {
  int fd = fcntl(Fd(call, 0), F_DUPFD, Fd(call, 1));
  return NewFdReturned(call, fd, errno);
}

StepEnd OpDupFdCloexec(StepCall& call) {
  int fd = fcntl(Fd(call, 0), F_DUPFD_CLOEXEC, Fd(call, 1));
  return NewFdReturned(call, fd, errno);
}

}  // namespace fcp
