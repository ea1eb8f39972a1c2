// Targets beyond the host (issue 6): gvisor, qemu-user:ARCH, uml[:LINUX],
// vm:KERNEL. Each is an executor server started with Boost.Process (through
// ExecutorServer) and kept alive across programs; for uml and vm the
// executor is the guest's init (fcp-exec guest DEVICE) in an initramfs the
// runner writes, and the protocol runs on a port of its own after a
// sentinel line, the kernel console going to a log whose tail explains any
// failure.
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "harness/runner/target.h"

namespace bp = boost::process;
namespace fs = std::filesystem;

namespace fc {

namespace {

constexpr const char kReadyLine[] = "FCP-GUEST-READY";

std::string sibling(const std::string& executor, const std::string& name) {
  return (fs::path(executor).parent_path() / name).string();
}

std::string search(const std::string& program) { return find_program(program).value_or(""); }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// An ELF64 x86_64 executable without a program interpreter (static).
// Returns an empty string when it is, else what is wrong.
std::string static_x86_64_problem(const std::string& path) {
  std::string elf = read_file(path);
  if (elf.size() < 64 || elf.compare(0, 4, "\x7f" "ELF") != 0) return path + " is not an ELF file";
  if (elf[4] != 2) return path + " is not a 64-bit executable";
  std::uint16_t machine;
  std::memcpy(&machine, elf.data() + 18, 2);
  if (machine != 62) return path + " is not an x86_64 executable";
  std::uint64_t phoff;
  std::uint16_t phentsize, phnum;
  std::memcpy(&phoff, elf.data() + 32, 8);
  std::memcpy(&phentsize, elf.data() + 54, 2);
  std::memcpy(&phnum, elf.data() + 56, 2);
  for (std::uint16_t i = 0; i < phnum; ++i) {
    std::uint64_t at = phoff + std::uint64_t{i} * phentsize;
    if (at + 4 > elf.size()) break;
    std::uint32_t type;
    std::memcpy(&type, elf.data() + at, 4);
    if (type == 3 /* PT_INTERP */) return path + " is dynamically linked (a guest needs a static executor: --libc glibc-static or musl)";
  }
  return "";
}

// A newc cpio archive: /init (the executor), /dev/console, and the mount
// points the guest init uses.
bool write_initramfs(const std::string& executor, const std::string& out) {
  std::string image = read_file(executor);
  if (image.empty()) return false;
  std::string archive;
  std::uint32_t ino = 1;
  auto add = [&](const std::string& name, std::uint32_t mode, const std::string& data,
                 std::uint32_t rdev_major = 0, std::uint32_t rdev_minor = 0) {
    char header[111];
    std::snprintf(header, sizeof header,
                  "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino++, mode, 0u,
                  0u, 1u, 0u, static_cast<std::uint32_t>(data.size()), 0u, 0u, rdev_major,
                  rdev_minor, static_cast<std::uint32_t>(name.size() + 1), 0u);
    archive.append(header, 110);
    archive.append(name);
    archive.push_back('\0');
    while (archive.size() % 4) archive.push_back('\0');
    archive.append(data);
    while (archive.size() % 4) archive.push_back('\0');
  };
  for (const char* dir : {"dev", "proc", "sys", "tmp"}) add(dir, 040755, "");
  add("dev/console", 020600, "", 5, 1);
  add("init", 0100755, image);
  add("TRAILER!!!", 0, "");
  std::ofstream file(out, std::ios::binary);
  file << archive;
  return static_cast<bool>(file);
}

std::string temp_path(const std::string& what) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/forkconf-" + what + ".XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  int fd = ::mkstemp(buffer.data());
  if (fd < 0) return "";
  ::close(fd);
  return buffer.data();
}

// A --target value resolved: what to run, or why it cannot run here.
struct Resolved {
  std::string error;                  // not usable here (or a bad name)
  bool unknown = false;               // not a target name at all
  std::vector<std::string> argv;      // "@INITRAMFS@" / "@CONSOLE@" filled in by make
  std::string guest_executor;         // put into the initramfs (uml, vm)
  ServerOptions options;
  std::string detail;
};

std::string resolve_kernel(const std::string& kernel) {
  if (kernel.find('/') != std::string::npos) return kernel;
  // "6.1" -> the cached vmlinuz-6.1.* (scripts/fetch-kernels).
  std::error_code ec;
  std::string best;
  for (const auto& entry : fs::directory_iterator(kernel_cache_dir(), ec)) {
    std::string name = entry.path().filename().string();
    for (const char* prefix : {"vmlinuz-", "vmlinux-"}) {
      std::string want = prefix + kernel;
      if (name.rfind(want, 0) == 0 &&
          (name.size() == want.size() || name[want.size()] == '.' || name[want.size()] == '-')) {
        if (best.empty() || name > fs::path(best).filename().string()) best = entry.path().string();
      }
    }
  }
  return best.empty() ? (fs::path(kernel_cache_dir()) / kernel).string() : best;
}

Resolved unusable(std::string why) {
  Resolved r;
  r.error = std::move(why);
  return r;
}

Resolved resolve(const TargetSpec& spec) {
  Resolved r;
  const std::string& name = spec.name;
  const std::string& exe = spec.executor_path;
  if (name == "gvisor") {
    std::string runsc = search("runsc");
    if (runsc.empty()) return unusable("runsc not installed (scripts/setup --targets)");
    if (::geteuid() != 0) return unusable("runsc do needs root here");
    r.argv = {runsc, "--platform=ptrace", "--network=none", "--ignore-cgroups", "do", exe, "serve"};
    r.options.stop_signal = SIGTERM;
    r.options.stop_grace_ms = 1000;
    r.detail = "runsc (ptrace platform) do " + fs::path(exe).filename().string();
    return r;
  }
  if (name.rfind("qemu-user:", 0) == 0) {
    std::string arch = name.substr(10);
    std::string executor;
    if (arch == "x86_64") executor = exe;
    else if (arch == "i386") executor = sibling(exe, "fcp-exec-i386");
    else if (arch == "aarch64") executor = sibling(exe, "fcp-exec-aarch64");
    else return unusable("qemu-user: unknown architecture '" + arch + "' (known: x86_64, i386, aarch64)");
    std::string qemu = search("qemu-" + arch);
    if (qemu.empty()) qemu = search("qemu-" + arch + "-static");
    if (qemu.empty()) return unusable("qemu-" + arch + " not installed (scripts/setup --targets)");
    if (!fs::exists(executor)) return unusable("no " + arch + " executor build: " + executor + " (needs its cross compiler, scripts/setup --targets)");
    r.argv = {qemu, executor, "serve"};
    r.detail = fs::path(qemu).filename().string() + " " + fs::path(executor).filename().string();
    return r;
  }
  const bool uml = name == "uml" || name.rfind("uml:", 0) == 0;
  const bool vm = name.rfind("vm:", 0) == 0;
  if (uml || vm) {
    if (std::string problem = fs::exists(exe) ? static_x86_64_problem(exe) : "no executor " + exe;
        !problem.empty()) {
      return unusable(problem);
    }
    r.guest_executor = exe;
    // $FORKCONF_BOOT_TIMEOUT_MS overrides the boot deadlines below.
    const char* boot_env = std::getenv("FORKCONF_BOOT_TIMEOUT_MS");
    const int boot_override = boot_env ? std::atoi(boot_env) : 0;
    r.options.ready_line = kReadyLine;
    r.options.stop_grace_ms = 300;
    r.options.stop_signal = SIGTERM;
    if (uml) {
      std::string uml_binary = name == "uml" ? search("linux.uml") : name.substr(4);
      if (name == "uml" && uml_binary.empty()) uml_binary = search("linux");
      if (uml_binary.empty() || !fs::exists(uml_binary)) {
        return unusable(name == "uml" ? "user-mode-linux not installed (scripts/setup --targets)"
                              : "no user-mode-linux binary " + uml_binary);
      }
      r.argv = {uml_binary, "mem=256M", "initrd=@INITRAMFS@", "rdinit=/init", "con=null",
                "con0=null,fd:2", "con1=fd:0,fd:1", "ssl=null", "quiet", "loglevel=3", "panic=-1",
                "fcp_guest=/dev/tty1"};
      r.options.stderr_log = "@CONSOLE@";
      r.options.own_process_group = true;
      r.options.boot_timeout_ms = boot_override > 0 ? boot_override : 60000;
      r.detail = uml_binary + " (user-mode-linux), executor on /dev/tty1";
      return r;
    }
    std::string kernel = resolve_kernel(name.substr(3));
    if (name.size() == 3) return unusable("vm: needs a kernel image, e.g. vm:6.12 or vm:/path/bzImage");
    if (!fs::exists(kernel)) return unusable("no kernel image " + kernel + " (scripts/fetch-kernels)");
    std::string qemu = search("qemu-system-x86_64");
    if (qemu.empty()) return unusable("qemu-system-x86_64 not installed (scripts/setup --targets)");
    r.argv = {qemu, "-accel", "tcg", "-m", "256", "-smp", "1", "-nodefaults", "-display", "none",
              "-no-reboot", "-monitor", "none", "-kernel", kernel, "-initrd", "@INITRAMFS@",
              "-append",
              "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init fcp_guest=/dev/ttyS1",
              "-serial", "file:@CONSOLE@", "-serial", "stdio"};
    r.options.console_log = "@CONSOLE@";
    r.options.stderr_log = "@STDERR@";   // qemu's own messages
    r.options.boot_timeout_ms = boot_override > 0 ? boot_override : 180000;  // TCG
    r.detail = "qemu-system-x86_64 (TCG) -kernel " + kernel + ", executor on ttyS1";
    return r;
  }
  r.unknown = true;
  r.error = "unknown target '" + name +
            "' (known: host, wrap:CMD, gvisor, qemu-user:ARCH, uml[:LINUX], vm:KERNEL)";
  return r;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
    text.replace(at, from.size(), to);
}

}  // namespace

std::string executor_for_libc(const std::string& default_path, const std::string& libc) {
  if (libc == "glibc-static") return default_path;
  if (libc == "glibc") return sibling(default_path, "fcp-exec-glibc");
  if (libc == "musl") return sibling(default_path, "fcp-exec-musl");
  return "";
}

std::string kernel_cache_dir() {
  if (const char* env = std::getenv("FORKCONF_KERNELS"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.cache/forkconf/kernels";
}

std::variant<std::unique_ptr<Target>, std::string> make_guest_or_tool_target(
    const TargetSpec& spec) {
  Resolved r = resolve(spec);
  if (!r.error.empty()) return r.error;
  if (!r.guest_executor.empty()) {
    std::string initramfs = temp_path("initramfs");
    std::string console = temp_path("console");
    std::string errors = temp_path("stderr");
    if (initramfs.empty() || console.empty() || errors.empty() ||
        !write_initramfs(r.guest_executor, initramfs)) {
      for (const std::string& file : {initramfs, console, errors})
        if (!file.empty()) ::unlink(file.c_str());
      return "cannot write the guest's initramfs in $TMPDIR";
    }
    for (std::string& arg : r.argv) {
      replace_all(arg, "@INITRAMFS@", initramfs);
      replace_all(arg, "@CONSOLE@", console);
    }
    replace_all(r.options.console_log, "@CONSOLE@", console);
    replace_all(r.options.stderr_log, "@CONSOLE@", console);
    replace_all(r.options.stderr_log, "@STDERR@", errors);
    r.options.owned_files = {initramfs, console, errors};
  }
  // A guest dies with the runner even when the runner is killed: setpriv
  // sets its parent-death signal before exec'ing it.
  if (!r.guest_executor.empty()) {
    if (std::string setpriv = search("setpriv"); !setpriv.empty()) {
      r.argv.insert(r.argv.begin(), {setpriv, "--pdeathsig", "KILL"});
    }
  }
  return std::unique_ptr<Target>(
      std::make_unique<ExecutorServer>(spec.name, std::move(r.argv), std::move(r.options)));
}

TargetStatus probe_target(const TargetSpec& spec) {
  TargetStatus status{spec.name, false, ""};
  if (spec.name == "host" || spec.name.rfind("wrap:", 0) == 0) {
    status.usable = fs::exists(spec.executor_path);
    status.detail = status.usable ? spec.executor_path + " serve"
                                  : "no executor " + spec.executor_path;
    if (status.usable && spec.name != "host") {
      std::string words = spec.name.substr(5);
      std::string first = words.substr(0, words.find(' '));
      if (first.empty() || search(first).empty()) {
        status.usable = false;
        status.detail = "wrap: command not found: " + first;
      }
    }
    return status;
  }
  Resolved r = resolve(spec);
  status.usable = r.error.empty();
  status.detail = status.usable ? r.detail : r.error;
  return status;
}

std::vector<TargetStatus> list_targets(const std::string& executor_path) {
  std::vector<TargetStatus> all;
  auto add = [&](const std::string& name, const std::string& executor) {
    all.push_back(probe_target(TargetSpec{name, executor}));
  };
  add("host", executor_path);
  for (const char* libc : {"glibc", "musl"}) {
    TargetStatus s = probe_target(TargetSpec{"host", executor_for_libc(executor_path, libc)});
    s.name = std::string("host --libc ") + libc;
    all.push_back(s);
  }
  add("wrap:env", executor_path);
  add("wrap:strace -f", executor_path);
  add("wrap:valgrind", executor_path);
  add("gvisor", executor_path);
  for (const char* arch : {"x86_64", "i386", "aarch64"}) add(std::string("qemu-user:") + arch, executor_path);
  add("uml", executor_path);
  add("vm:6.1", executor_path);
  add("vm:6.12", executor_path);
  return all;
}

}  // namespace fc
