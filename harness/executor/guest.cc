// `fcp-exec guest DEVICE` (issue 6): the executor as the init of a guest
// kernel (vm:KERNEL, uml). Booted from the harness's initramfs as
// `rdinit=/init -- guest /dev/ttyS1`, it
//   - mounts what the server needs (proc, sys, devtmpfs, tmpfs /tmp, a pids
//     cgroup when the kernel has one),
//   - opens DEVICE, a port that carries the wire protocol only (the kernel
//     console is another port), puts it in raw mode (no echo, no CR/LF
//     translation, no line length limit),
//   - prints the sentinel line FCP-GUEST-READY (the runner ignores anything
//     before it), and serves programs in a child,
//   - reaps every orphan as init must, and powers the guest off when the
//     server ends (the runner closed the port).
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "harness/executor/supervisor.h"
#include "harness/executor/util.h"
#include "harness/executor/wire_io.h"
#include "harness/ir/wire.h"

namespace fcp {

namespace {

void MountIfPossible(const char* source, const char* target, const char* type,
                     const char* options) {
  mkdir(target, 0755);
  if (mount(source, target, type, 0, options) != 0)
    Diag("guest: mount %s on %s: %s", type, target, strerror(errno));
}

}  // namespace

int GuestMain(const char* device, const char* argv0) {
  const bool is_init = getpid() == 1;
  if (is_init) {
    MountIfPossible("proc", "/proc", "proc", nullptr);
    MountIfPossible("sysfs", "/sys", "sysfs", nullptr);
    MountIfPossible("devtmpfs", "/dev", "devtmpfs", nullptr);
    MountIfPossible("tmpfs", "/tmp", "tmpfs", "mode=1777");
    MountIfPossible("tmpfs", "/sys/fs/cgroup", "tmpfs", "mode=0755");
    MountIfPossible("pids", "/sys/fs/cgroup/pids", "cgroup", "pids");
  }
  int fd = open(device, O_RDWR | O_NOCTTY);
  if (fd < 0) {
    Diag("guest: cannot open %s: %s", device, strerror(errno));
    if (is_init) reboot(RB_POWER_OFF);
    return FC_EXIT_USAGE;
  }
  struct termios tio;
  if (tcgetattr(fd, &tio) == 0) {
    cfmakeraw(&tio);
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    tcsetattr(fd, TCSANOW, &tio);
  }
  dup2(fd, STDIN_FILENO);
  dup2(fd, STDOUT_FILENO);
  if (fd > STDOUT_FILENO) close(fd);
  static const char kReady[] = "\nFCP-GUEST-READY\n";
  ssize_t ignored = write(STDOUT_FILENO, kReady, sizeof kReady - 1);
  (void)ignored;
  if (!is_init) return ServeMain(nullptr, argv0);

  pid_t server = fork();
  if (server == 0) _exit(ServeMain(nullptr, argv0));
  // Init: reap everything; when the server is gone, power off.
  for (;;) {
    int status = 0;
    pid_t got = wait(&status);
    if (got == server || (got < 0 && errno == ECHILD)) break;
  }
  sync();
  reboot(RB_POWER_OFF);
  return 0;
}

}  // namespace fcp
