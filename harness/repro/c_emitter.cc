#include "harness/repro/c_emitter.h"

#include <cstdio>
#include <limits>
#include <set>
#include <stdexcept>

#include "harness/ir/fcp.h"
#include "harness/ir/observation.h"
#include "harness/repro/c_runtime.inc"

namespace fc {
namespace {

// ---- C text helpers --------------------------------------------------------

// A C string literal. '?' is escaped against trigraphs (-std=c11), and every
// other unprintable byte is a 3-digit octal escape, which cannot swallow the
// character after it the way \x can.
std::string c_string(const std::string& bytes) {
  std::string out = "\"";
  for (unsigned char c : bytes) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '?': out += "\\?"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\%03o", c);
          out += buf;
        }
    }
  }
  return out + "\"";
}

// Text that is safe inside a /* */ comment.
std::string comment_safe(std::string text) {
  for (std::size_t at; (at = text.find("*/")) != std::string::npos;) text.replace(at, 2, "* /");
  for (std::size_t at; (at = text.find("/*")) != std::string::npos;) text.replace(at, 2, "/ *");
  return text;
}

std::string int_literal(std::int64_t v) {
  if (v == std::numeric_limits<std::int64_t>::min()) return "(-9223372036854775807LL - 1)";
  if (v >= std::numeric_limits<int>::min() && v <= std::numeric_limits<int>::max()) {
    return std::to_string(v);
  }
  return std::to_string(v) + "LL";
}

// An int argument (exit status): the executor passes static_cast<int>(arg).
std::string int_arg(std::int64_t v) {
  return v == static_cast<int>(v) ? std::to_string(v) : "(int)" + int_literal(v);
}

std::string join_flags(const std::vector<std::string>& names) {
  if (names.empty()) return "0";
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : " | ") + name;
  return out;
}

// FC_O_* -> the native O_* expression (executor ops.cc NativeOpenFlags).
std::string open_flags(std::int64_t fc) {
  static const char* const kModes[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "3"};
  std::vector<std::string> names{kModes[fc & FC_O_ACCMODE]};
  if (fc & FC_O_CREAT) names.push_back("O_CREAT");
  if (fc & FC_O_TRUNC) names.push_back("O_TRUNC");
  if (fc & FC_O_APPEND) names.push_back("O_APPEND");
  if (fc & FC_O_CLOEXEC) names.push_back("O_CLOEXEC");
  if (fc & FC_O_NONBLOCK) names.push_back("O_NONBLOCK");
  if (fc & FC_O_EXCL) names.push_back("O_EXCL");
  return join_flags(names);
}

// pipe2 flags (ops_fds.cc OpPipe2): only O_CLOEXEC and O_NONBLOCK.
std::string pipe_flags(std::int64_t fc) {
  std::vector<std::string> names;
  if (fc & FC_O_CLOEXEC) names.push_back("O_CLOEXEC");
  if (fc & FC_O_NONBLOCK) names.push_back("O_NONBLOCK");
  return join_flags(names);
}

std::string wait_options(std::int64_t fc) {
  std::vector<std::string> names;
  if (fc & FC_WNOHANG) names.push_back("WNOHANG");
  if (fc & FC_WNOWAIT) names.push_back("WNOWAIT");  // waitpid/wait4: the kernel rejects it
  if (fc & FC_WEXITED) names.push_back("WEXITED");
  if (fc & FC_WUNTRACED) names.push_back("WUNTRACED");  // issue 4 (waitid: WSTOPPED)
  if (fc & FC_WCONTINUED) names.push_back("WCONTINUED");
  return join_flags(names);
}

/* ---- process groups and sessions (issue 4, groups) ---- */
// FC_ARG_PROCSEL as C: 0 for the caller, else the actor's pid.
std::string procsel(std::int64_t selector) {
  if (selector == FC_PROCSEL_SELF) return "0";
  return "fc_pid(" + std::to_string(selector) + ")";
}

// Pid selector -> the pid argument of waitpid/wait4.
std::string waitpid_target(std::int64_t selector) {
  if (selector == FC_PIDSEL_ANY) return "-1";
  if (selector == FC_PIDSEL_PGRP) return "0";
  if (FC_PIDSEL_IS_GROUP(selector)) {  // issue 4 (groups): -pgid
    return "-fc_pid(" + std::to_string(FC_PIDSEL_GROUP_ACTOR(selector)) + ")";
  }
  return "fc_pid(" + std::to_string(selector) + ")";
}

std::string whence(std::int64_t fc) {
  return fc == FC_SEEK_SET ? "SEEK_SET" : fc == FC_SEEK_CUR ? "SEEK_CUR" : "SEEK_END";
}

std::string file_name(std::int64_t index) {
  return c_string("f" + std::to_string(index));
}

// ---- steps -------------------------------------------------------------------

// How the runtime shows the step's raw result (enum fc_show).
const char* show_kind(Op op) {
  switch (op) {
    case Op::Fork: return "FC_SHOW_FORK";
    case Op::Exit:
    case Op::UExit: return "FC_SHOW_NORETURN";
    case Op::GetPid:
    case Op::GetPpid: return "FC_SHOW_PID";
    case Op::Wait:
    case Op::WaitPid:
    case Op::Wait4: return "FC_SHOW_WAIT";
    case Op::WaitId: return "FC_SHOW_WAITID";
    case Op::Mmap:
    case Op::Store: return "FC_SHOW_OK";
    case Op::Load: return "FC_SHOW_LOAD";
    case Op::Pipe:
    case Op::Pipe2: return "FC_SHOW_PIPE";
    case Op::Open:
    case Op::OpenAt: return "FC_SHOW_OPEN";
    case Op::Read: return "FC_SHOW_READ";
    case Op::GetFl: return "FC_SHOW_GETFL";
    case Op::Exec: return "FC_SHOW_EXEC";
    case Op::Close:
    case Op::Dup:
    case Op::Dup2:
    case Op::Dup3:
    case Op::Write:
    case Op::Lseek:
    case Op::GetFd:
    case Op::SetFd:
    case Op::SetFl:
    case Op::DupFd:
    case Op::DupFdCloexec: return "FC_SHOW_RET";
    case Op::Clone:
    case Op::Clone3: return "FC_SHOW_CLONE";  // issue 3
    case Op::Kill: return "FC_SHOW_KILL";  // issue 4
    case Op::Subreaper: return "FC_SHOW_RET";
    case Op::Sigaction: return "FC_SHOW_RET";
    case Op::Caught: return "FC_SHOW_CAUGHT";
    /* ---- issue 4, pidfd ---- */
    case Op::PidfdOpen: return "FC_SHOW_PIDFD";
    case Op::PidfdPoll: return "FC_SHOW_POLL";
    case Op::PidfdSendSignal: return "FC_SHOW_KILL";
    case Op::WaitIdPidfd: return "FC_SHOW_WAITID";
    case Op::SetPdeathsig: return "FC_SHOW_RET";
    case Op::GetPdeathsig: return "FC_SHOW_PDEATHSIG";
    /* ---- process groups and sessions (issue 4, groups) ---- */
    case Op::SetPgid: return "FC_SHOW_RET";
    case Op::SetSid:
    case Op::GetPgid:
    case Op::GetSid:
    case Op::GetPgrp: return "FC_SHOW_PID";
    /* ---- vfork and exec (issue 3) ---- */
    case Op::Vfork:
    case Op::CloneVfork: return "FC_SHOW_VFORK";
    case Op::Sigprocmask: return "FC_SHOW_SIGMASK";
    case Op::Sigpending: return "FC_SHOW_SIGPENDING";
    /* ---- libc layer (issue 3) ---- */
    case Op::Atfork: return "FC_SHOW_RET";
    case Op::AtforkLog: return "FC_SHOW_ATFORK_LOG";
    case Op::UFork: return "FC_SHOW_FORK";
    case Op::VforkExit: return "FC_SHOW_VFORK_EXIT";
    case Op::CloneProbe: return "FC_SHOW_VFORK_EXIT";  // issue 3, clone_flags: ret=new status=
    case Op::Fopen: return "FC_SHOW_OPEN";
    case Op::Fputs: return "FC_SHOW_OK";
    case Op::Fflush: return "FC_SHOW_RET";
    case Op::Spawn: return "FC_SHOW_SPAWN";
    /* ---- inheritance (issue 3): ret is the abstract result ---- */
    case Op::Lock:
    case Op::Madvise:
    case Op::Itimer:
    case Op::Sigaltstack:
    case Op::ChildTimes:
    case Op::SetSched:
    case Op::GetSched:
    case Op::SetAffinity:
    case Op::GetAffinity: return "FC_SHOW_RET";
  }
  throw std::invalid_argument("emit_c: op without a C form");
}

// C identifier part for an op: "_exit" stays "_exit" (step3__exit).
std::string op_ident(Op op) {
  return std::string(info(op).name);
}

// The body of the function that makes step `s`'s call, one tab indented.
// Each records the raw result exactly as the executor's op function does
// (harness/executor/ops_<area>.cc).
std::string step_body(const Step& s, int sync) {
  auto fd = [&](int k) { return std::to_string(s.args[k]); };
  const std::string ret_next = "\treturn FC_NEXT;\n";
  switch (s.op) {
    case Op::Fork:
      return "\tpid_t pid = fork();\n"
             "\tif (pid == 0)\n"
             "\t\treturn fc_fork_child(i, pid, " +
             std::to_string(s.out) + "); /* this process is P" + std::to_string(s.out) +
             " from now on */\n"
             "\treturn fc_fork_parent(i, pid, errno, " +
             std::to_string(s.out) + ");\n";
    case Op::Exit: return "\tfc_exiting(i);\n\texit(" + int_arg(s.args[0]) + ");\n";
    case Op::UExit: return "\tfc_exiting(i);\n\t_exit(" + int_arg(s.args[0]) + ");\n";
    case Op::GetPid: return "\tpid_t ret = getpid();\n\tfc_returned(i, ret, errno);\n" + ret_next;
    case Op::GetPpid: return "\tpid_t ret = getppid();\n\tfc_returned(i, ret, errno);\n" + ret_next;
    case Op::Wait:
      return "\tint status = 0;\n"
             "\tpid_t ret = wait(&status);\n"
             "\tfc_returned(i, ret, errno);\n"
             "\tfc_set_aux(i, 0, status);\n" +
             ret_next;
    case Op::WaitPid:
      return "\tint status = 0;\n"
             "\tpid_t ret = waitpid(" +
             waitpid_target(s.args[0]) + ", &status, " + wait_options(s.args[1]) +
             ");\n"
             "\tfc_returned(i, ret, errno);\n"
             "\tfc_set_aux(i, 0, status);\n" +
             ret_next;
    case Op::Wait4:
      return "\tint status = 0;\n"
             "\tstruct rusage usage;\n"
             "\tpid_t ret;\n"
             "\tmemset(&usage, 0, sizeof usage);\n"
             "\tret = wait4(" +
             waitpid_target(s.args[0]) + ", &status, " + wait_options(s.args[1]) +
             ", &usage);\n"
             "\tfc_returned(i, ret, errno);\n"
             "\tfc_set_aux(i, 0, status);\n" +
             ret_next;
    case Op::WaitId: {
      // waitid: P_ALL ignores id; P_PID/P_PGID take the actor's pid, and the
      // selectors any and pgrp give id 0 (ops_process.cc OpWaitId).
      std::string idtype = s.args[0] == FC_P_ALL   ? "P_ALL"
                           : s.args[0] == FC_P_PID ? "P_PID"
                                                   : "P_PGID";
      std::string id = s.args[1] >= 0 ? "(id_t)fc_pid(" + std::to_string(s.args[1]) + ")" : "0";
      return "\tsiginfo_t info;\n"
             "\tint ret;\n"
             "\tmemset(&info, 0, sizeof info); /* si_pid stays 0 if nothing is reported */\n"
             "\tret = waitid(" +
             idtype + ", " + id + ", &info, " + wait_options(s.args[2]) +
             ");\n"
             "\tfc_returned(i, ret, errno);\n"
             "\tfc_set_aux(i, 0, info.si_pid);\n"
             "\tfc_set_aux(i, 1, info.si_code);\n"
             "\tfc_set_aux(i, 2, info.si_status);\n" +
             ret_next;
    }
    case Op::Mmap:
      return "\tvoid *addr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, " +
             std::string(s.args[0] == FC_MAP_SHARED ? "MAP_SHARED" : "MAP_PRIVATE") +
             " | MAP_ANONYMOUS, -1, 0);\n"
             "\tif (addr == MAP_FAILED) {\n"
             "\t\tfc_returned(i, -1, errno);\n"
             "\t\treturn FC_NEXT;\n"
             "\t}\n"
             "\tfc_region[" +
             std::to_string(s.out) + "] = addr; /* M" + std::to_string(s.out) +
             " */\n"
             "\tfc_returned(i, 0, 0);\n" +
             ret_next;
    case Op::Store:
      return "\t*fc_slot(" + std::to_string(s.args[0]) + ", " + std::to_string(s.args[1]) +
             ") = " + int_literal(s.args[2]) +
             ";\n"
             "\tfc_returned(i, 0, 0);\n" +
             ret_next;
    case Op::Load:
      return "\tint64_t value = *fc_slot(" + std::to_string(s.args[0]) + ", " +
             std::to_string(s.args[1]) +
             ");\n"
             "\tfc_returned(i, value, 0);\n" +
             ret_next;
    case Op::Pipe:
      return "\tint fds[2] = {-1, -1};\n"
             "\tint ret = pipe(fds);\n"
             "\treturn fc_returned_pipe(i, ret, errno, fds);\n";
    case Op::Pipe2:
      return "\tint fds[2] = {-1, -1};\n"
             "\tint ret = pipe2(fds, " +
             pipe_flags(s.args[0]) +
             ");\n"
             "\treturn fc_returned_pipe(i, ret, errno, fds);\n";
    case Op::Open:
      return "\tint fd = open(" + file_name(s.args[0]) + ", " + open_flags(s.args[1]) +
             ", 0600);\n"
             "\treturn fc_returned_fd(i, fd, errno);\n";
    case Op::OpenAt:
      return "\tint fd = openat(FC_SCRATCH_FD, " + file_name(s.args[0]) + ", " +
             open_flags(s.args[1]) +
             ", 0600);\n"
             "\treturn fc_returned_fd(i, fd, errno);\n";
    case Op::Close:
      return "\tint ret = close(" + fd(0) + ");\n\tfc_returned(i, ret, errno);\n" + ret_next;
    case Op::Dup: return "\tint fd = dup(" + fd(0) + ");\n\treturn fc_returned_fd(i, fd, errno);\n";
    case Op::Dup2:
      return "\tint fd = dup2(" + fd(0) + ", " + fd(1) +
             ");\n\treturn fc_returned_fd(i, fd, errno);\n";
    case Op::Dup3:
      return "\tint fd = dup3(" + fd(0) + ", " + fd(1) + ", " +
             std::string((s.args[2] & FC_O_CLOEXEC) ? "O_CLOEXEC" : "0") +
             ");\n\treturn fc_returned_fd(i, fd, errno);\n";
    case Op::Read:
      return "\tchar buf[FC_MAX_IO];\n"
             "\tssize_t n = read(" +
             fd(0) + ", buf, " + std::to_string(s.args[1]) +
             ");\n"
             "\tfc_returned(i, n, errno);\n"
             "\tif (n > 0)\n"
             "\t\tfc_set_data(i, buf, (uint32_t)n);\n" +
             ret_next;
    case Op::Write:
      return "\tssize_t n = write(" + fd(0) + ", " + c_string(s.data) + ", " +
             std::to_string(s.data.size()) +
             ");\n"
             "\tfc_returned(i, n, errno);\n" +
             ret_next;
    case Op::Lseek:
      return "\toff_t off = lseek(" + fd(0) + ", " + int_literal(s.args[1]) + ", " +
             whence(s.args[2]) +
             ");\n"
             "\tfc_returned(i, off, errno);\n" +
             ret_next;
    case Op::GetFd:
      return "\tint ret = fcntl(" + fd(0) + ", F_GETFD);\n\tfc_returned(i, ret, errno);\n" +
             ret_next;
    case Op::SetFd:
      return "\tint ret = fcntl(" + fd(0) + ", F_SETFD, " +
             std::string((s.args[1] & FC_FD_CLOEXEC) ? "FD_CLOEXEC" : "0") +
             ");\n\tfc_returned(i, ret, errno);\n" + ret_next;
    case Op::GetFl:
      return "\tint ret = fcntl(" + fd(0) +
             ", F_GETFL);\n"
             "\tint err = errno;\n"
             "\tfc_returned(i, ret == -1 ? -1 : fc_abstract_flags(ret), err);\n" +
             ret_next;
    case Op::SetFl:
      return "\tint ret = fcntl(" + fd(0) + ", F_SETFL, " + open_flags(s.args[1]) +
             ");\n\tfc_returned(i, ret, errno);\n" + ret_next;
    case Op::DupFd:
      return "\tint fd = fcntl(" + fd(0) + ", F_DUPFD, " + fd(1) +
             ");\n\treturn fc_returned_fd(i, fd, errno);\n";
    case Op::DupFdCloexec:
      return "\tint fd = fcntl(" + fd(0) + ", F_DUPFD_CLOEXEC, " + fd(1) +
             ");\n\treturn fc_returned_fd(i, fd, errno);\n";
    case Op::Exec:
      return "\treturn fc_exec(i); /* returns only if execve failed */\n";
    case Op::Clone:  // issue 3
    case Op::Clone3:
      return "\treturn fc_clone_step(i, " + std::to_string(s.args[0]) + ", " +
             std::to_string(s.args[1]) + ", " + std::to_string(s.op == Op::Clone3 ? s.args[2] : 0) +
             ", " + std::string(s.op == Op::Clone3 ? "1" : "0") + ");\n";
    /* ---- signals (issue 4) ---- */
    case Op::Kill:
      return "\treturn fc_kill(i, " + std::to_string(s.args[0]) + ", " + std::to_string(s.args[1]) +
             " /* " + obs::signal_name(static_cast<int>(s.args[1])) + " */, " +
             std::to_string(sync) + " /* the effect to wait for */);\n";
    case Op::Sigaction: {
      std::string flags;
      if (s.args[2] & FC_SA_NOCLDSTOP) flags += "SA_NOCLDSTOP";
      if (s.args[2] & FC_SA_NOCLDWAIT) flags += std::string(flags.empty() ? "" : " | ") + "SA_NOCLDWAIT";
      if (flags.empty()) flags = "0";
      return "\treturn fc_sigaction(i, " + std::to_string(s.args[0]) + " /* " +
             obs::signal_name(static_cast<int>(s.args[0])) + " */, " + std::to_string(s.args[1]) +
             " /* 0 SIG_DFL, 1 SIG_IGN, 2 handler */, " + flags + ");\n";
    }
    case Op::Caught: return "\treturn fc_caught_step(i);\n";
    /* ---- vfork and exec (issue 3) ---- */
    case Op::Vfork:
      return "\tint self = FC_LOAD(&fc_actor);\n"
             "\tvolatile long word = 0;\n"
             "\tpid_t pid = vfork();\n"
             "\tif (pid == 0)\n"
             "\t\tfc_vfork_child(i, " +
             std::to_string(s.out) + ", pid, &word); /* never returns: P" + std::to_string(s.out) +
             " runs its steps below this frame, until exec or _exit */\n"
             "\treturn fc_vfork_parent(i, self, pid, errno, " +
             std::to_string(s.out) + ", word);\n";
    case Op::CloneVfork:
      return "\treturn fc_clone_vfork(i, " + std::to_string(s.out) + ");\n";
    case Op::Sigprocmask:
      return "\treturn fc_sigprocmask(i, " + std::to_string(s.args[0]) +
             " /* 0 SIG_BLOCK, 1 SIG_UNBLOCK, 2 SIG_SETMASK, 3 invalid */, " +
             std::to_string(s.args[1]) + " /* " + format_arg(FC_ARG_SIGSET, s.args[1], s) + " */);\n";
    case Op::Sigpending: return "\treturn fc_sigpending(i);\n";
    /* ---- libc layer (issue 3) ---- */
    case Op::Atfork:
      return "\treturn fc_atfork_step(i, " + std::to_string(s.args[0]) + ", " +
             std::to_string(s.args[1]) + " /* 1 prepare, 2 parent, 4 child */);\n";
    case Op::AtforkLog: return "\treturn fc_atfork_log_step(i);\n";
    case Op::UFork:
      return "\tpid_t pid = _Fork();\n"
             "\tif (pid == 0)\n"
             "\t\treturn fc_fork_child(i, pid, " +
             std::to_string(s.out) + "); /* this process is P" + std::to_string(s.out) +
             " from now on */\n"
             "\treturn fc_fork_parent(i, pid, errno, " +
             std::to_string(s.out) + ");\n";
    case Op::VforkExit: return "\treturn fc_vfork_step(i);\n";
    case Op::CloneProbe: {  // issue 3, clone_flags: native CLONE_* flags, exit signal 0
      std::string flags;
      auto add = [&](std::int64_t bit, const char* name) {
        if (s.args[0] & bit) flags += std::string(flags.empty() ? "" : " | ") + name;
      };
      add(FC_CLONE_VM, "CLONE_VM");
      add(FC_CLONE_FS, "CLONE_FS");
      add(FC_CLONE_FILES, "CLONE_FILES");
      add(FC_CLONE_SIGHAND, "CLONE_SIGHAND");
      add(FC_CLONE_VFORK, "CLONE_VFORK");
      if (flags.empty()) flags = "0";
      return "\treturn fc_clone_probe_step(i, " + flags + ", " + std::to_string(s.args[1]) +
             " /* " + format_arg(FC_ARG_PROBE, s.args[1], s) + " */, " + std::to_string(s.args[2]) +
             ");\n";
    }
    case Op::Fopen: return "\treturn fc_fopen_step(i, " + std::to_string(s.args[0]) + ");\n";
    case Op::Fputs:
      return "\treturn fc_fputs_step(i, " + std::to_string(s.args[0]) + ", " + c_string(s.data) +
             ");\n";
    case Op::Fflush: return "\treturn fc_fflush_step(i, " + std::to_string(s.args[0]) + ");\n";
    case Op::Spawn:
      return "\treturn fc_spawn_step(i, " + std::to_string(s.args[0]) +
             " /* 0 none, 1 addopen, 2 addclose, 3 adddup2(fd, 0), 4 adddup2(fd, fd) */, " +
             std::to_string(s.args[1]) + ", " +
             std::string((s.args[2] & FC_SPAWN_SETSIGMASK) ? "1" : "0") + " /* SETSIGMASK */, " +
             std::string((s.args[2] & FC_SPAWN_BIN_SCRATCH) ? "1" : "0") + " /* binary f0 */, " +
             std::to_string(s.out) + ");\n";
    case Op::Subreaper:
      return std::string("\tint ret = prctl(PR_SET_CHILD_SUBREAPER, ") +
             (s.args[0] != 0 ? "1UL" : "0UL") + ", 0UL, 0UL, 0UL);\n\tfc_returned(i, ret, errno);\n" +
             ret_next;
    /* ---- pidfds and the parent-death signal (issue 4, pidfd) ---- */
    case Op::PidfdOpen: {
      std::string flags;
      if (s.args[1] & FC_O_NONBLOCK) flags = "O_NONBLOCK /* PIDFD_NONBLOCK */";
      const std::int64_t other = s.args[1] & ~static_cast<std::int64_t>(FC_O_NONBLOCK);
      if (other & FC_O_CLOEXEC) flags += std::string(flags.empty() ? "" : " | ") + "O_CLOEXEC";
      if (other & ~static_cast<std::int64_t>(FC_O_CLOEXEC)) {
        flags += std::string(flags.empty() ? "" : " | ") + "0x" + [&] {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(other & ~static_cast<std::int64_t>(FC_O_CLOEXEC)));
          return std::string(buf);
        }() + " /* abstract FC_O_* bits: not pidfd_open flags */";
      }
      if (flags.empty()) flags = "0";
      return "\treturn fc_pidfd_open(i, " + std::to_string(s.args[0]) +
             " /* actor; -1: pid -1, -2: pid 0 */, " + flags + ");\n";
    }
    case Op::PidfdPoll: return "\treturn fc_pidfd_poll(i, " + fd(0) + ");\n";
    case Op::PidfdSendSignal:
      return "\treturn fc_pidfd_send_signal(i, " + fd(0) + ", " + std::to_string(s.args[1]) +
             " /* " + obs::signal_name(static_cast<int>(s.args[1])) + " */, " +
             std::to_string(sync) + " /* the effect to wait for */);\n";
    case Op::WaitIdPidfd:
      return "\treturn fc_waitid_pidfd(i, " + fd(0) + ", " + wait_options(s.args[1]) + ");\n";
    case Op::SetPdeathsig:
      return "\treturn fc_set_pdeathsig(i, " + std::to_string(s.args[0]) + " /* " +
             obs::signal_name(static_cast<int>(s.args[0])) + " */);\n";
    case Op::GetPdeathsig: return "\treturn fc_get_pdeathsig(i);\n";
    /* ---- process groups and sessions (issue 4, groups) ---- */
    case Op::SetPgid:
      return "\tint ret = setpgid(" + procsel(s.args[0]) + ", " +
             (s.args[1] == FC_PGID_SAME       ? std::string("0")
              : s.args[1] == FC_PGID_NEGATIVE ? std::string("-1")
                                              : "fc_pid(" + std::to_string(s.args[1]) + ")") +
             ");\n\tfc_returned(i, ret, errno);\n" + ret_next;
    case Op::SetSid: return "\tpid_t ret = setsid();\n\tfc_returned(i, ret, errno);\n" + ret_next;
    case Op::GetPgid:
      return "\tpid_t ret = getpgid(" + procsel(s.args[0]) + ");\n\tfc_returned(i, ret, errno);\n" +
             ret_next;
    case Op::GetSid:
      return "\tpid_t ret = getsid(" + procsel(s.args[0]) + ");\n\tfc_returned(i, ret, errno);\n" +
             ret_next;
    case Op::GetPgrp: return "\tpid_t ret = getpgrp();\n\tfc_returned(i, ret, errno);\n" + ret_next;
    /* ---- inheritance (issue 3) ---- */
    case Op::Lock: {
      std::string call;
      switch (s.args[1]) {
        case FC_LOCK_POSIX: call = "fc_whole_file_lock(" + fd(0) + ", F_SETLK, F_WRLCK)"; break;
        case FC_LOCK_POSIX_UN: call = "fc_whole_file_lock(" + fd(0) + ", F_SETLK, F_UNLCK)"; break;
        case FC_LOCK_OFD: call = "fc_whole_file_lock(" + fd(0) + ", F_OFD_SETLK, F_WRLCK)"; break;
        case FC_LOCK_OFD_UN: call = "fc_whole_file_lock(" + fd(0) + ", F_OFD_SETLK, F_UNLCK)"; break;
        case FC_LOCK_FLOCK: call = "flock(" + fd(0) + ", LOCK_EX | LOCK_NB)"; break;
        default: call = "flock(" + fd(0) + ", LOCK_UN)"; break;
      }
      return "\tint ret = " + call + ";\n\tfc_returned(i, ret, errno);\n" + ret_next;
    }
    case Op::Madvise:
      return "\tint ret = madvise(fc_region[" + std::to_string(s.args[0]) + "], 4096, " +
             std::string(s.args[1] == FC_MADV_WIPEONFORK ? "MADV_WIPEONFORK" : "MADV_KEEPONFORK") +
             ");\n\tfc_returned(i, ret, errno);\n" + ret_next;
    case Op::Itimer:
      return "\treturn fc_itimer(i, " +
             std::string(s.args[0] >= FC_ITIMER_PROF_GET ? "ITIMER_PROF" : "ITIMER_VIRTUAL") + ", " +
             std::to_string(s.args[0] % 3) + " /* 0 get, 1 arm 1000 s, 2 disarm */);\n";
    case Op::Sigaltstack:
      return "\treturn fc_sigaltstack(i, " + std::to_string(s.args[0]) +
             " /* 0 query, 1 64 KiB, 2 128 KiB, 3 SS_DISABLE */);\n";
    case Op::ChildTimes: return "\treturn fc_childtimes(i);\n";
    case Op::SetSched:
      return "\treturn fc_setsched(i, " + std::to_string(s.args[0]) +
             " /* 1 SCHED_BATCH, 2 SCHED_RESET_ON_FORK */);\n";
    case Op::GetSched: return "\treturn fc_getsched(i);\n";
    case Op::SetAffinity:
      return "\treturn fc_setaffinity(i, " + std::to_string(s.args[0]) +
             " /* 0 every CPU, 1 the first */);\n";
    case Op::GetAffinity: return "\treturn fc_getaffinity(i);\n";
  }
  throw std::invalid_argument("emit_c: op without a C form");
}

// issue 4, pidfd: ", \"<actor + 1 as octal escapes>\"" when step i causes
// deaths beyond its target (Plan::deaths), else ", NULL".
std::string deaths_literal(const Plan& plan, std::size_t i) {
  if (i >= plan.deaths.size() || plan.deaths[i].empty()) return ", NULL";
  std::string text = ", \"";
  for (int actor : plan.deaths[i]) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\%03o", actor + 1);
    text += buf;
  }
  return text + "\" /* actors whose death the next step waits for */";
}

// '\n'-separated alternatives as adjacent C string literals.
std::string expect_literal(const std::vector<std::string>* allowed) {
  if (allowed == nullptr) return "NULL";
  std::string joined;
  for (std::size_t k = 0; k < allowed->size(); ++k) joined += (k ? "\n" : "") + (*allowed)[k];
  return c_string(joined);
}

// The program section: one function per step, the step table, and (for the
// caller) the fc_programs[] row. `prefix` keeps names unique in a batch.
std::string emit_program(const Program& program, const Plan& plan, const std::string& prefix,
                         const std::vector<std::vector<std::string>>* allowed,
                         std::string* table_row, int index) {
  if (program.steps.size() > FC_MAX_STEPS) {
    throw std::invalid_argument("emit_c: more than FC_MAX_STEPS steps");
  }
  /* ---- pid namespaces (issue 4, pidns) ---- */
  // The C runtime runs P0 as a child of a subreaper, never as a namespace's
  // init: a pidns program has no faithful C form (yet), so none is made.
  if (program.pidns) {
    throw std::invalid_argument(
        "emit_c: pidns programs (P0 as the init of a pid namespace) have no C reproducer");
  }
  if (plan.unblock_by.size() != program.steps.size()) {
    throw std::invalid_argument("emit_c: the plan does not match the program");
  }
  std::string out;
  std::string table;
  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    const Step& s = program.steps[i];
    const std::string name = prefix + "step" + std::to_string(i) + "_" + op_ident(s.op);
    const std::string text = print_step(s);
    out += "/* step " + std::to_string(i) + ": " + comment_safe(text);
    if (plan.unblock_by[i] == FC_BLOCKS_FOREVER) {
      out += "\n * blocks until the program ends (the turn is handed on before the call)";
    } else if (plan.unblock_by[i] >= 0) {
      out += "\n * blocks until step " + std::to_string(plan.unblock_by[i]) +
             " (the turn is handed on before the call)";
    }
    if (allowed != nullptr) {
      const std::vector<std::string>& alts = (*allowed)[i];
      for (std::size_t k = 0; k < alts.size(); ++k) {
        out += std::string(k == 0 ? "\n * expect: " : "\n *     or: ") + comment_safe(alts[k]);
      }
    }
    out += " */\nstatic int " + name + "(int i)\n{\n" + step_body(s, i < plan.sync.size() ? plan.sync[i] : 0) + "}\n\n";
    table += "\t{" + std::to_string(s.actor) + ", " + std::to_string(plan.unblock_by[i]) + ", " +
             // issue 3: a sigprocmask that kills its caller: the next step waits for the death
             (s.op == Op::Sigprocmask && i < plan.sync.size() && plan.sync[i] == FC_SYNC_SELF_DEATH
                  ? "FC_SHOW_SIGMASK_DIES"
                  : show_kind(s.op)) +
             ", " +
             std::to_string(s.op == Op::Open || s.op == Op::OpenAt || s.op == Op::Clone ||
                                    s.op == Op::Clone3 ||  // issue 3: the abstract flags
                                    s.op == Op::Fopen ||   // issue 3: names the object f<n>
                                    s.op == Op::PidfdOpen  // issue 4: the target actor
                                ? s.args[0]
                                : s.op == Op::Spawn && s.args[0] == FC_SPAWN_FA_OPEN
                                    ? s.args[1]  // issue 3: addopen's fd names f1
                                    : -1) +
             ", " +
             name + ",\n\t " + c_string(text) + ",\n\t " +
             expect_literal(allowed ? &(*allowed)[i] : nullptr) + deaths_literal(plan, i) + "},\n";
  }
  const std::string steps = prefix + "fc_steps";
  if (program.steps.empty()) {
    out += "static const struct fc_step *const " + steps + " = NULL; /* no steps */\n\n";
  } else {
    out += "/* actor, unblock_by, show, file, run, text, expect, deaths */\n";
    out += "static const struct fc_step " + steps + "[] = {\n" + table + "};\n\n";
  }
  *table_row = "\t{" + c_string("program " + std::to_string(index)) + ", " +
               std::to_string(program.steps.size()) + ", " + steps + "},\n";
  return out;
}

// errno names exactly as obs::errno_name spells them, as a table of the
// target's own values.
std::string errno_table() {
  std::string out =
      "struct fc_errno_name {\n\tint number;\n\tconst char *name;\n};\n\n"
      "/* The names the observations use (harness/ir/observation.cc); others show as E<n>. */\n"
      "static const struct fc_errno_name fc_errno_names[] = {\n";
  std::set<std::string> seen;
  int on_line = 0;
  for (int e = 1; e < 256; ++e) {
    std::string name = obs::errno_name(e);
    if (name == "E" + std::to_string(e) || !seen.insert(name).second) continue;
    if (on_line == 0) out += "\t";
    out += "{" + name + ", \"" + name + "\"},";
    if (++on_line == 4) {
      out += "\n";
      on_line = 0;
    } else {
      out += " ";
    }
  }
  if (on_line != 0) out.back() = '\n';
  return out + "};\n\n";
}

std::string config(bool batch, int timeout_ms) {
  return "/* ==== configuration ==== */\n"
         "#define FC_BATCH " +
         std::string(batch ? "1" : "0") +
         "\n"
         "#ifndef FC_TIMEOUT_MS\n#define FC_TIMEOUT_MS " +
         std::to_string(timeout_ms) + "\n#endif\n\n";
}

const char kHowItWorks[] =
    " * How it runs (the executor's own protocol, harness/executor/actor.cc and\n"
    " * supervisor.cc in subreaper mode, re-stated in C; see harness/repro/):\n"
    " *   - main creates a control block (a memfd at fd 1000, MAP_SHARED) with a\n"
    " *     turn counter, and a fresh reaper child (PR_SET_CHILD_SUBREAPER) that\n"
    " *     puts /dev/null on fds 0-2, closes fds 3-999 and forks P0;\n"
    " *   - every actor P<n> is a process; step i waits on a futex until\n"
    " *     turn == i, makes its call through the libc wrapper, records the raw\n"
    " *     result and sets turn = i + 1. A step the model says blocks hands the\n"
    " *     turn on before its call; after another actor's exit step, the next\n"
    " *     step waits until that process is dead (pidfd_open + poll); a fork\n"
    " *     child reports before its parent hands the turn on; exec re-executes\n"
    " *     this binary (`resume <actor> <step> <program>`), which lists its fds\n"
    " *     0..999 and carries on with the actor's remaining steps;\n"
    " *   - every wait is bounded by the program's deadline (FC_TIMEOUT_MS);\n"
    " *   - main then prints each step's observation in forkconf's canonical\n"
    " *     text (pids as P<n> / REAPER, objects as f<n> / pipe@<step> / null).\n";

std::string header(const Program& program, const Plan& plan, const EmitOptions& options,
                   const std::vector<std::vector<std::string>>* allowed) {
  std::string out = "/*\n * " +
                    comment_safe(options.title.empty() ? "forkconf reproducer" : options.title) +
                    "\n";
  for (const std::string& line : options.comments) out += " * " + comment_safe(line) + "\n";
  PrintOptions print;
  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    std::string note;
    if (allowed != nullptr) {
      for (std::size_t k = 0; k < (*allowed)[i].size(); ++k) {
        note += (k ? " | " : "") + (*allowed)[i][k];
      }
    } else if (i < plan.expected.size()) {
      note = plan.expected[i].text();
    }
    print.comments.push_back(note.empty() ? "" : "=> " + note);
  }
  out += " *\n * The program (.fcp); after \"=>\" what the model allows:\n *\n";
  std::string fcp = print_fcp(program, print);
  std::size_t begin = 0;
  while (begin < fcp.size()) {
    std::size_t end = fcp.find('\n', begin);
    if (end == std::string::npos) end = fcp.size();
    out += " *   " + comment_safe(fcp.substr(begin, end - begin)) + "\n";
    begin = end + 1;
  }
  out +=
      " *\n * Produced by forkconf's C emitter (harness/repro/c_emitter.cc) from the\n"
      " * program above and the model's sync plan (which steps block, and until\n"
      " * which step).\n *\n";
  out += kHowItWorks;
  out +=
      " *\n"
      " * Build:  gcc -O2 -o repro repro.c\n"
      " *         (or: musl-gcc -static -O2 -o repro repro.c)\n"
      " * Run:    ./repro\n";
  if (options.check) {
    out +=
        " * Exit:   0  the target behaves as the model says\n"
        " *         1  a divergence: each \"step N: observed X, expected Y\" line names one\n"
        " *         3  could not run (setup failure, timeout)\n";
  } else {
    out +=
        " * Exit:   0  the program ran to the end (observations are printed, not checked)\n"
        " *         3  could not run (setup failure, timeout)\n";
  }
  return out + " */\n";
}

}  // namespace

std::string emit_c(const Program& program, const Plan& plan, const EmitOptions& options) {
  std::vector<std::vector<std::string>> expected;
  const std::vector<std::vector<std::string>>* allowed = nullptr;
  if (options.check) {
    if (!options.allowed.empty()) {
      if (options.allowed.size() != program.steps.size()) {
        throw std::invalid_argument("emit_c: EmitOptions::allowed needs one list per step");
      }
      allowed = &options.allowed;
    } else {
      if (plan.expected.size() != program.steps.size()) {
        throw std::invalid_argument("emit_c: the plan has no expected observations");
      }
      for (const Observation& obs : plan.expected) expected.push_back({obs.text()});
      allowed = &expected;
    }
  }
  std::string row;
  std::string steps = emit_program(program, plan, "", allowed, &row, 0);
  std::string out = header(program, plan, options, allowed);
  out += config(false, options.timeout_ms);
  out += repro_runtime::kRuntimeHead;
  out += "\n/* ==== the program: one function per step ==== */\n\n";
  out += errno_table();
  out += steps;
  out += "static const struct fc_program fc_programs[] = {\n" + row + "};\n";
  out += "#define FC_NPROGRAMS 1\n";
  out += repro_runtime::kRuntimeTail;
  return out;
}

std::string emit_c_batch(const std::vector<Program>& programs, const std::vector<Plan>& plans,
                         int timeout_ms) {
  if (programs.size() != plans.size()) {
    throw std::invalid_argument("emit_c_batch: one plan per program");
  }
  if (programs.empty()) throw std::invalid_argument("emit_c_batch: no programs");
  std::string out =
      "/*\n * forkconf benchmark batch: " + std::to_string(programs.size()) +
      " programs as plain C, run once each\n"
      " * (no checking), each in a fresh reaper child.\n *\n" +
      kHowItWorks +
      " *\n * Build:  gcc -O2 -o batch batch.c\n"
      " * Run:    ./batch [<shard> <nshards>]   (programs with index % nshards == shard)\n"
      " * Prints: fcbatch programs=<n> seconds=<s> rate=<programs/s> timeouts=<n> errors=<n>\n"
      " */\n";
  out += config(true, timeout_ms);
  out += repro_runtime::kRuntimeHead;
  out += "\n/* ==== the programs: one function per step ==== */\n\n";
  std::string rows;
  for (std::size_t p = 0; p < programs.size(); ++p) {
    std::string row;
    out += "/* ---- program " + std::to_string(p) + " ---- */\n\n";
    out += emit_program(programs[p], plans[p], "p" + std::to_string(p) + "_", nullptr, &row,
                        static_cast<int>(p));
    rows += row;
  }
  out += "static const struct fc_program fc_programs[] = {\n" + rows + "};\n";
  out += "#define FC_NPROGRAMS " + std::to_string(programs.size()) + "\n";
  out += repro_runtime::kRuntimeTail;
  return out;
}

std::vector<std::vector<std::string>> allowed_by_model(const Program& program,
                                                       const oracle::Profile& profile,
                                                       std::size_t max_paths) {
  struct Path {
    oracle::StatePtr state;
    std::set<std::size_t> pending;  // steps blocked and not yet completed
    std::string key;                // describe(state): merges equal paths
  };
  const std::size_t n = program.steps.size();
  std::vector<std::set<std::string>> sets(n);
  std::vector<Path> paths{{oracle::initial_state(profile), {}, {}}};
  const std::string blocked = Observation::blocked().text();
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<Path> next;
    for (const Path& path : paths) {
      oracle::StepResult result = oracle::apply(*path.state, program, i);
      if (result.outcomes.empty()) return {};
      for (const oracle::Outcome& o : result.outcomes) {
        Path after{o.next, path.pending, oracle::describe(*o.next)};
        if (o.obs.text() == blocked) {
          after.pending.insert(i);
        } else {
          sets[i].insert(o.obs.text());
        }
        for (const oracle::Completion& done : o.completed) {
          sets[done.step].insert(done.obs.text());
          after.pending.erase(done.step);
        }
        bool duplicate = false;
        for (const Path& kept : next) {
          if (kept.pending == after.pending && kept.key == after.key) {
            duplicate = true;
            break;
          }
        }
        if (!duplicate && next.size() < max_paths) next.push_back(std::move(after));
      }
    }
    paths = std::move(next);
  }
  for (const Path& path : paths) {
    for (std::size_t k : path.pending) sets[k].insert(blocked);
  }
  std::vector<std::vector<std::string>> allowed(n);
  for (std::size_t i = 0; i < n; ++i) allowed[i].assign(sets[i].begin(), sets[i].end());
  return allowed;
}

}  // namespace fc
