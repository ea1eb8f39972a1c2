// Exec area of ops.def: exec of the executor itself in report mode.
//
// The actor execs `fcp-exec resume <actor> <step>` from the descriptor
// kSelfExeFd. The control memfd (kControlFd), the binary (kSelfExeFd) and the
// scratch dir (kScratchDirFd) are not FD_CLOEXEC, so the new image inherits
// them; it re-maps the control block, writes the report of the descriptors
// it holds into the step's data, marks the step done and carries on with the
// actor's remaining steps (ResumeMain, actor.cc).
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness/executor/actor.h"
#include "harness/executor/util.h"

namespace fcp {

StepEnd OpExec(StepCall& call) {
  char actor[16];
  char step[16];
  snprintf(actor, sizeof actor, "%d", g_process.actor);
  snprintf(step, sizeof step, "%d", call.index());
  char arg0[] = "fcp-exec";
  char arg1[] = "resume";
  char* argv[] = {arg0, arg1, actor, step, nullptr};
  // execveat(2): "If pathname is an empty string and the AT_EMPTY_PATH flag
  // is specified, then the file descriptor dirfd specifies the file to be
  // executed".
  syscall(SYS_execveat, kSelfExeFd, "", argv, environ, AT_EMPTY_PATH);
  int err = errno;
  if (err == ENOSYS) {
    // Linux < 3.19: fexecve through /proc (needs /proc mounted).
    char path[32];
    snprintf(path, sizeof path, "/proc/self/fd/%d", kSelfExeFd);
    execve(path, argv, environ);
    err = errno;
  }
  // Only returns on failure: the actor goes on in this image.
  call.Returned(-1, err);
  return StepEnd::kFinish;
}

namespace {

char TypeLetter(mode_t mode) {
  if (S_ISFIFO(mode)) return 'p';
  if (S_ISREG(mode)) return 'f';
  if (S_ISCHR(mode)) return 'c';
  return '?';
}

}  // namespace

// wire.h: "fd:ino:type:fdflags:flflags:offset" for every open fd 0..999,
// ';'-separated, ascending. Descriptors are found by probing F_GETFD (the
// /proc visible here may belong to another pid namespace).
uint32_t WriteFdReport(char* out, uint32_t size) {
  uint32_t used = 0;
  for (int fd = 0; fd <= FC_MAX_PROGRAM_FD; ++fd) {
    int fdflags = fcntl(fd, F_GETFD);
    if (fdflags == -1) continue;
    struct stat st;
    long long ino = -1;
    char type = '?';
    if (fstat(fd, &st) == 0) {
      ino = static_cast<long long>(st.st_ino);
      type = TypeLetter(st.st_mode);
    }
    int flflags = fcntl(fd, F_GETFL);
    int abstract = flflags == -1 ? 0 : AbstractStatusFlags(flflags);
    long long offset = static_cast<long long>(lseek(fd, 0, SEEK_CUR));
    if (offset < 0) offset = -1;
    char entry[128];
    int n = snprintf(entry, sizeof entry, "%s%d:%lld:%c:%d:%d:%lld", used > 0 ? ";" : "", fd, ino,
                     type, fdflags, abstract, offset);
    if (n <= 0 || static_cast<uint32_t>(n) > size - used) break;
    for (int i = 0; i < n; ++i) out[used + i] = entry[i];
    used += static_cast<uint32_t>(n);
  }
  return used;
}

}  // namespace fcp
