/* PLANTED BUG (tests only): an LD_PRELOAD shim that drops the close-on-exec
 * flag from every call that creates a descriptor atomically close-on-exec
 * (issue 5, suite cloexec_race). With it, a dynamically linked executor
 * (fcp-exec-glibc) behaves like a libc that ignores O_CLOEXEC & co., and the
 * suite must report the atomic paths' leaks as divergences.
 *
 *   wrap:env LD_PRELOAD=<build>/harness/executor/libfcp-drop-cloexec.so
 *
 * Marking a descriptor afterwards (fcntl F_SETFD, close_range) is left alone:
 * only the atomic creation flags are dropped. */
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

static int open_mode(int flags, va_list ap) {
  return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, int) : 0;
}

int open(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  int mode = open_mode(flags, ap);
  va_end(ap);
  return REAL(open)(path, flags & ~O_CLOEXEC, mode);
}
int open64(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  int mode = open_mode(flags, ap);
  va_end(ap);
  return REAL(open64)(path, flags & ~O_CLOEXEC, mode);
}
int openat(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  int mode = open_mode(flags, ap);
  va_end(ap);
  return REAL(openat)(dirfd, path, flags & ~O_CLOEXEC, mode);
}
int openat64(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  int mode = open_mode(flags, ap);
  va_end(ap);
  return REAL(openat64)(dirfd, path, flags & ~O_CLOEXEC, mode);
}
int pipe2(int fds[2], int flags) { return REAL(pipe2)(fds, flags & ~O_CLOEXEC); }
int dup3(int oldfd, int newfd, int flags) { return REAL(dup3)(oldfd, newfd, flags & ~O_CLOEXEC); }

static int fcntl_impl(const char* name, int fd, int cmd, va_list ap) {
  void* arg = va_arg(ap, void*);
  int (*real)(int, int, ...) = (int (*)(int, int, ...))dlsym(RTLD_NEXT, name);
  if (cmd == F_DUPFD_CLOEXEC) cmd = F_DUPFD;
  return real(fd, cmd, arg);
}
int fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  int r = fcntl_impl("fcntl", fd, cmd, ap);
  va_end(ap);
  return r;
}
int fcntl64(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  int r = fcntl_impl("fcntl64", fd, cmd, ap);
  va_end(ap);
  return r;
}
int socket(int domain, int type, int protocol) {
  return REAL(socket)(domain, type & ~SOCK_CLOEXEC, protocol);
}
int socketpair(int domain, int type, int protocol, int sv[2]) {
  return REAL(socketpair)(domain, type & ~SOCK_CLOEXEC, protocol, sv);
}
int accept4(int fd, struct sockaddr* addr, socklen_t* len, int flags) {
  return REAL(accept4)(fd, addr, len, flags & ~SOCK_CLOEXEC);
}
int memfd_create(const char* name, unsigned flags) {
  return REAL(memfd_create)(name, flags & ~MFD_CLOEXEC);
}
int eventfd(unsigned initval, int flags) { return REAL(eventfd)(initval, flags & ~EFD_CLOEXEC); }
int epoll_create1(int flags) { return REAL(epoll_create1)(flags & ~EPOLL_CLOEXEC); }
int signalfd(int fd, const sigset_t* mask, int flags) {
  return REAL(signalfd)(fd, mask, flags & ~SFD_CLOEXEC);
}
int timerfd_create(int clockid, int flags) {
  return REAL(timerfd_create)(clockid, flags & ~TFD_CLOEXEC);
}
int inotify_init1(int flags) { return REAL(inotify_init1)(flags & ~IN_CLOEXEC); }
