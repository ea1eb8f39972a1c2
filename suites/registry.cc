#include "suites/registry.h"

namespace fc::suites {
namespace {

// Background mix every suite carries a little of, so areas meet each other.
GenProfile base() {
  GenProfile p;
  p.weight(Op::Fork, 6).weight(Op::UExit, 3).weight(Op::Exit, 2);
  p.weight(Op::GetPid, 1).weight(Op::GetPpid, 1).weight(Op::WaitPid, 3);
  return p;
}

SuiteDef fork_basics() {
  GenProfile p = base();
  p.weight(Op::Fork, 14).weight(Op::GetPid, 8).weight(Op::GetPpid, 8);
  p.weight(Op::Wait, 3).weight(Op::WaitPid, 4).weight(Op::Mmap, 2).weight(Op::Store, 2);
  p.weight(Op::Load, 2).weight(Op::Pipe, 2).weight(Op::Write, 2).weight(Op::Read, 2);
  p.max_actors = 6;
  return {"fork_basics",
          "fork returns the child's pid in the parent and 0 in the child; the child has a new "
          "pid, the caller as parent, and copies of memory and descriptors",
          {"posix:fork RETURN VALUE", "posix:fork DESCRIPTION (child's pid, ppid, memory, fds)",
           "man:getpid(2)", "man:getppid(2)"},
          p};
}

SuiteDef memory_cow() {
  GenProfile p = base();
  p.weight(Op::Mmap, 6).weight(Op::Store, 16).weight(Op::Load, 16).weight(Op::Fork, 8);
  p.weight(Op::Exec, 1);
  p.max_actors = 5;
  return {"memory_cow",
          "MAP_PRIVATE writes after fork stay in the writing process; MAP_SHARED writes are seen "
          "by every process sharing the mapping",
          {"posix:fork (copy of the address space)", "man:mmap(2) MAP_PRIVATE copy-on-write",
           "man:mmap(2) MAP_SHARED", "man:fork(2) memory writes"},
          p};
}

SuiteDef fd_inheritance() {
  GenProfile p = base();
  p.weight(Op::Pipe, 5).weight(Op::Pipe2, 3).weight(Op::Open, 6).weight(Op::OpenAt, 3);
  p.weight(Op::Close, 4).weight(Op::Dup, 3).weight(Op::Dup2, 3).weight(Op::Dup3, 2);
  p.weight(Op::Read, 8).weight(Op::Write, 8).weight(Op::Lseek, 5).weight(Op::GetFl, 3);
  p.weight(Op::SetFl, 2).weight(Op::DupFd, 2).weight(Op::Fork, 8);
  p.max_actors = 4;
  return {"fd_inheritance",
          "the child's descriptors refer to the same open file descriptions as the parent's: "
          "offsets and status flags are shared, descriptors are not",
          {"posix:fork (copies of the parent's file descriptors)", "man:open(2) lowest fd",
           "man:dup(2)", "man:lseek(2)", "man:fcntl(2) F_GETFL/F_SETFL", "man:pipe(2)",
           "posix:read", "posix:write O_APPEND"},
          p};
}

SuiteDef exec_cloexec() {
  GenProfile p = base();
  p.weight(Op::Open, 6).weight(Op::Pipe2, 4).weight(Op::Pipe, 3).weight(Op::Dup, 3);
  p.weight(Op::Dup2, 3).weight(Op::Dup3, 3).weight(Op::DupFdCloexec, 3).weight(Op::DupFd, 2);
  p.weight(Op::SetFd, 5).weight(Op::GetFd, 4).weight(Op::Close, 2).weight(Op::Exec, 8);
  p.weight(Op::Lseek, 2).weight(Op::Write, 2).weight(Op::Fork, 6);
  p.max_actors = 4;
  return {"exec_cloexec",
          "exec keeps every descriptor except those with FD_CLOEXEC, with their open file "
          "descriptions; O_CLOEXEC, pipe2, dup3 and F_DUPFD_CLOEXEC set the flag, dup and dup2 "
          "clear it, and fork copies it",
          {"posix:exec (FD_CLOEXEC descriptors closed)", "man:open(2) O_CLOEXEC",
           "man:dup(2) dup3 O_CLOEXEC, dup clears FD_CLOEXEC", "man:fcntl(2) F_DUPFD_CLOEXEC",
           "man:execve(2) pid kept"},
          p};
}

SuiteDef exit_wait() {
  GenProfile p = base();
  p.weight(Op::Fork, 12).weight(Op::UExit, 8).weight(Op::Exit, 6).weight(Op::Wait, 5);
  p.weight(Op::WaitPid, 8).weight(Op::Wait4, 5).weight(Op::WaitId, 7);
  p.exit_status_max = 511;
  p.max_actors = 6;
  return {"exit_wait",
          "a parent reaps each exited child exactly once with its status cut to 8 bits; wait "
          "blocks until a child exits, WNOHANG returns 0, no child gives ECHILD",
          {"posix:_exit (status & 0377)", "posix:wait/waitpid", "man:waitid(2)", "man:wait4(2)",
           "man:wait(2) ECHILD EINVAL"},
          p};
}

SuiteDef reparent_basic() {
  GenProfile p = base();
  p.weight(Op::Fork, 14).weight(Op::GetPpid, 12).weight(Op::UExit, 8).weight(Op::Exit, 3);
  p.weight(Op::WaitPid, 4).weight(Op::Wait, 2).weight(Op::GetPid, 2);
  p.max_actors = 7;
  return {"reparent_basic",
          "when a parent exits its children are reparented to the run's reaper: getppid returns "
          "it and the reaper, not the dead parent, collects them",
          {"posix:_exit (children get an implementation-defined parent)",
           "man:prctl(2) PR_SET_CHILD_SUBREAPER", "man:pid_namespaces(7) init adopts orphans",
           "man:getppid(2)"},
          p};
}

/* ---- close-on-exec races (issue 5) ---- */
SuiteDef cloexec_race() {
  SuiteDef s{"cloexec_race",
             "while other threads fork+exec, vfork+exec or posix_spawn, a descriptor created "
             "close-on-exec atomically (O_CLOEXEC, pipe2, dup3, F_DUPFD_CLOEXEC, accept4, "
             "SOCK_CLOEXEC, MFD_CLOEXEC, eventfd/epoll/signalfd/timerfd/inotify flags) is never "
             "held by the exec'd image; open-then-fcntl or close_range(CLOSE_RANGE_CLOEXEC) may "
             "leak (rate measured); posix_spawn adddup2(fd, fd) keeps, addclose closes; "
             "pthread_atfork handlers' descriptors follow their own flags",
             {"man:open(2) O_CLOEXEC (multithreaded fork+execve race)", "man:fcntl(2) FD_CLOEXEC",
              "man:pipe2(2) man:dup3(2) man:accept4(2) man:socket(2) man:socketpair(2)",
              "man:memfd_create(2) man:eventfd(2) man:epoll_create1(2) man:signalfd(2)",
              "man:timerfd_create(2) man:inotify_init1(2) man:close_range(2)",
              "posix:posix_spawn_file_actions_adddup2 (2024) / addclose", "posix:pthread_atfork",
              "posix:exec (FD_CLOEXEC descriptors closed)"},
             GenProfile{}};
  s.race = true;
  s.race_threads = 2;
  return s;
}

/* ---- clone / clone3 (issue 3) ---- */
SuiteDef clone_errors() {
  GenProfile p = base();
  p.weight(Op::Clone, 12).weight(Op::Clone3, 16).weight(Op::Open, 2).weight(Op::Pipe, 2);
  p.weight(Op::Close, 2).weight(Op::Dup2, 1);
  p.max_actors = 3;
  p.max_steps = 24;
  return {"clone_errors",
          "raw clone and clone3 refuse every invalid flag combination, unknown flag, exit "
          "signal and clone_args layout with the documented errno, and otherwise create a "
          "child with the new tid, a close-on-exec pidfd and the tid words as requested, which "
          "a plain wait sees only if its exit signal is SIGCHLD",
          {"man:clone(2) ERRORS", "man:clone(2) CLONE_PIDFD CLONE_PARENT_SETTID "
           "CLONE_CHILD_SETTID CLONE_CHILD_CLEARTID",
           "linux:kernel/fork.c copy_clone_args_from_user clone3_args_valid copy_process",
           "man:wait(2) __WALL __WCLONE"},
          p};
}

/* ---- signals (issue 4) ---- */
SuiteDef wait_options() {
  GenProfile p = base();
  p.weight(Op::Fork, 12).weight(Op::Kill, 12).weight(Op::WaitPid, 10).weight(Op::Wait4, 4);
  p.weight(Op::WaitId, 10).weight(Op::Wait, 2).weight(Op::UExit, 4);
  p.max_actors = 5;
  return {"wait_options",
          "a child killed by a signal is reported as signalled (never with a core dump here), a "
          "stopped child once to WUNTRACED/WSTOPPED, a continued one once to WCONTINUED; WNOWAIT "
          "leaves the status waitable; waitid's si_code and si_status say which",
          {"posix:waitpid WUNTRACED WCONTINUED", "posix:waitid WSTOPPED WCONTINUED WNOWAIT",
           "posix:<signal.h> si_code CLD_*", "posix:kill", "man:core(5) no dump"},
          p};
}

SuiteDef sigchld() {
  GenProfile p = base();
  p.weight(Op::Fork, 12).weight(Op::Sigaction, 10).weight(Op::Kill, 8).weight(Op::Caught, 6);
  p.weight(Op::WaitPid, 6).weight(Op::Wait, 4).weight(Op::WaitId, 3).weight(Op::UExit, 8);
  p.max_actors = 5;
  return {"sigchld",
          "a parent gets SIGCHLD when a child exits, is killed, stops or continues (not the last "
          "two with SA_NOCLDSTOP); with SIGCHLD ignored or SA_NOCLDWAIT children are reaped on "
          "their own and wait blocks until all are gone, then fails with ECHILD",
          {"posix:sigaction SA_NOCLDSTOP SA_NOCLDWAIT", "posix:wait (SIGCHLD ignored: ECHILD)",
           "posix:2.4.3 SIGCHLD SIG_IGN", "posix:kill"},
          p};
}

SuiteDef signals_fork() {
  GenProfile p = base();
  p.weight(Op::Fork, 12).weight(Op::Sigaction, 10).weight(Op::Kill, 10).weight(Op::Caught, 10);
  p.weight(Op::Exec, 6).weight(Op::WaitPid, 4);
  p.max_actors = 5;
  return {"signals_fork",
          "fork copies signal dispositions and the handler's memory; exec resets caught signals "
          "to the default, keeps ignored ones ignored (SIGCHLD: either) and clears sa_flags; a "
          "signal a process sends itself is handled before kill returns",
          {"posix:fork (signal handling settings)", "posix:exec (caught signals reset)",
           "posix:kill (delivered before kill returns)", "posix:sigaction"},
          p};
}

SuiteDef wait_selectors() {
  GenProfile p = base();
  p.weight(Op::Fork, 14).weight(Op::UExit, 8).weight(Op::Kill, 4).weight(Op::WaitPid, 12);
  p.weight(Op::Wait4, 6).weight(Op::WaitId, 8).weight(Op::Wait, 3);
  p.max_actors = 6;
  return {"wait_selectors",
          "waitpid/wait4 with pid -1, 0 and a child's pid, waitid with P_ALL, P_PID and "
          "P_PGID 0 collect exactly the children they select, any of several zombies when more "
          "than one matches, and fail with ECHILD when none is a child",
          {"posix:waitpid (pid -1, 0, > 0)", "posix:waitid P_ALL P_PID P_PGID",
           "man:wait(2) P_PGID 0 since Linux 5.4", "posix:wait (order unspecified)"},
          p};
}

SuiteDef reparent() {
  GenProfile p = base();
  p.weight(Op::Fork, 14).weight(Op::Subreaper, 6).weight(Op::GetPpid, 10).weight(Op::UExit, 8);
  p.weight(Op::Kill, 4).weight(Op::WaitPid, 6).weight(Op::Wait, 3).weight(Op::Sigaction, 2);
  p.weight(Op::Caught, 2).weight(Op::Exec, 1);
  p.max_actors = 7;
  return {"reparent",
          "orphans go to the nearest living subreaper ancestor, else to the run's reaper; "
          "getppid follows, the new parent gets SIGCHLD and waits for them; the subreaper "
          "attribute is not inherited by fork and survives exec",
          {"man:prctl(2) PR_SET_CHILD_SUBREAPER", "posix:_exit (orphans' new parent)",
           "man:getppid(2)", "kernel/exit.c reparent_leader"},
          p};
}

/* ---- pidfds and the parent-death signal (issue 4, pidfd) ---- */
SuiteDef pidfd() {
  GenProfile p = base();
  p.weight(Op::Fork, 12).weight(Op::PidfdOpen, 12).weight(Op::PidfdPoll, 10);
  p.weight(Op::PidfdSendSignal, 10).weight(Op::WaitIdPidfd, 10).weight(Op::UExit, 8);
  p.weight(Op::Sigaction, 3).weight(Op::Caught, 3).weight(Op::Exec, 3).weight(Op::SetFd, 2);
  p.weight(Op::Dup, 2).weight(Op::Close, 2).weight(Op::GetFl, 2).weight(Op::Kill, 2);
  p.weight(Op::WaitPid, 4);
  p.max_actors = 5;
  p.min_steps = 8;
  return {"pidfd",
          "a pidfd refers to its process for as long as it is open: it is close-on-exec, "
          "inherited by fork, polls readable once the process has exited, signals it while it "
          "exists (a zombie too) and fails with ESRCH once it has been waited for; "
          "waitid(P_PIDFD) waits for that child only (ECHILD for others, EAGAIN when nonblocking)",
          {"man:pidfd_open(2)", "man:pidfd_send_signal(2)", "man:wait(2) P_PIDFD",
           "posix:poll", "posix:kill (zombies)"},
          p};
}

SuiteDef pdeathsig() {
  GenProfile p = base();
  p.weight(Op::Fork, 14).weight(Op::SetPdeathsig, 14).weight(Op::GetPdeathsig, 6);
  p.weight(Op::UExit, 14).weight(Op::Exit, 3).weight(Op::Subreaper, 4).weight(Op::GetPpid, 6);
  p.weight(Op::Sigaction, 6).weight(Op::Caught, 6).weight(Op::Kill, 3).weight(Op::WaitPid, 5);
  p.weight(Op::Wait, 2).weight(Op::Exec, 3).weight(Op::PidfdOpen, 2).weight(Op::PidfdPoll, 2);
  p.max_actors = 6;
  p.min_steps = 10;
  return {"pdeathsig",
          "a process that set a parent-death signal gets it when its parent (or a subreaper "
          "that adopted it) dies, after it was reparented; the setting is cleared in a fork "
          "child and kept across exec",
          {"man:PR_SET_PDEATHSIG(2const)", "man:PR_GET_PDEATHSIG(2const)",
           "man:prctl(2) PR_SET_CHILD_SUBREAPER", "kernel/exit.c forget_original_parent"},
          p};
}

/* ---- process groups and sessions (issue 4, groups) ---- */
SuiteDef sessions() {
  GenProfile p = base();
  p.weight(Op::Fork, 12).weight(Op::SetPgid, 14).weight(Op::SetSid, 8).weight(Op::GetPgid, 6);
  p.weight(Op::GetSid, 6).weight(Op::GetPgrp, 4).weight(Op::WaitPid, 6).weight(Op::WaitId, 5);
  p.weight(Op::Exec, 4).weight(Op::UExit, 5);
  p.max_actors = 6;
  return {"sessions",
          "fork inherits the process group and session; setpgid joins or creates a group in "
          "the caller's session for itself or a child that has not exec'd, setsid makes a "
          "process that leads no group the leader of a new session and group, each failing "
          "with the documented errno otherwise; getpgid, getsid and getpgrp report them; "
          "waitpid(0) and waitid(P_PGID) select children by their current group",
          {"posix:setpgid (EACCES EINVAL EPERM ESRCH)", "posix:setsid (EPERM)",
           "posix:getpgid", "posix:getsid", "posix:getpgrp", "man:getsid(2) Linux never EPERM",
           "man:setpgid(2) fork inherits the PGID", "posix:waitpid pid 0",
           "posix:waitid P_PGID"},
          p};
}

SuiteDef pgrp_orphans() {
  GenProfile p = base();
  p.weight(Op::Fork, 14).weight(Op::SetSid, 8).weight(Op::SetPgid, 10).weight(Op::Kill, 10);
  p.weight(Op::UExit, 10).weight(Op::Exit, 3).weight(Op::Sigaction, 5).weight(Op::Caught, 5);
  p.weight(Op::WaitPid, 6).weight(Op::WaitId, 3).weight(Op::Subreaper, 6).weight(Op::GetPgid, 1);
  p.max_actors = 6;
  // Short programs: the orphaning shape takes ~6 steps, and each stop and
  // death is a bounded wait; long programs only risk the watchdog.
  p.max_steps = 24;
  p.job_control_bias = true;
  return {"pgrp_orphans",
          "when an exit orphans a process group (no member has a parent in another group of "
          "the same session) that has a stopped member, every member gets SIGHUP then SIGCONT: "
          "by default it dies of SIGHUP, with a handler it records both and is continued, "
          "ignoring SIGHUP it is continued; groups orphaned without a stopped member, or "
          "already orphaned, get nothing",
          {"posix:_exit (newly orphaned process group: SIGHUP then SIGCONT)",
           "posix:XBD 3.254 orphaned process group", "kernel/exit.c kill_orphaned_pgrp",
           "posix:2.4.3 SIGCONT continues a stopped process", "posix:setsid", "posix:setpgid"},
          p};
}

/* ---- vfork and exec (issue 3) ---- */
SuiteDef vfork() {
  GenProfile p = base();
  p.weight(Op::Vfork, 12).weight(Op::CloneVfork, 8).weight(Op::Fork, 3);
  p.weight(Op::Mmap, 6).weight(Op::Store, 16).weight(Op::Load, 14);
  p.weight(Op::UExit, 6).weight(Op::Exit, 1).weight(Op::Exec, 6).weight(Op::GetPid, 4);
  p.weight(Op::GetPpid, 4);
  p.weight(Op::Pipe, 3).weight(Op::Write, 3).weight(Op::Read, 2).weight(Op::Close, 3);
  p.weight(Op::Dup2, 2).weight(Op::Sigaction, 3).weight(Op::Caught, 3);
  p.weight(Op::WaitPid, 6).weight(Op::Wait, 3).weight(Op::Kill, 3);
  p.max_actors = 5;
  return {"vfork",
          "vfork and clone(CLONE_VM|CLONE_VFORK) suspend the caller until the child calls exec "
          "or _exit; until then the child shares the caller's memory (its stores to private "
          "mappings and to the caller's stack are seen by the caller); it inherits descriptors "
          "and dispositions; its exit sends SIGCHLD; after exec it is a process of its own",
          {"man:vfork(2) (suspended, shares memory and stack, exit(3) forbidden)",
           "posix:vfork (undefined unless exec or _exit)", "man:clone(2) CLONE_VFORK CLONE_VM"},
          p};
}

SuiteDef exec() {
  GenProfile p = base();
  p.weight(Op::Exec, 10).weight(Op::Sigprocmask, 12).weight(Op::Sigpending, 10);
  p.weight(Op::Kill, 10).weight(Op::Sigaction, 8).weight(Op::Caught, 6);
  p.weight(Op::Fork, 8).weight(Op::GetPid, 4).weight(Op::GetPpid, 4);
  p.weight(Op::WaitPid, 4).weight(Op::UExit, 2).weight(Op::Exit, 1);
  p.max_actors = 4;
  return {"exec",
          "exec keeps the signal mask, the pending signals, ignored dispositions, the pid and "
          "the parent; it resets caught signals; fork copies the mask and empties the pending "
          "set; a blocked signal stays pending until unblocked, then is delivered",
          {"posix:exec (signal mask, pending signals, pid, ppid kept)", "man:signal(7)",
           "posix:sigprocmask", "posix:sigpending", "posix:fork (pending set empty)"},
          p};
}

/* ---- libc layer (issue 3) ---- */
SuiteDef atfork() {
  GenProfile p = base();
  p.weight(Op::Fork, 10).weight(Op::Atfork, 12).weight(Op::AtforkLog, 12).weight(Op::UFork, 4);
  // No raw clone in the mix: the executor has it for x86-64 and arm64 only, and
  // atfork runs on every target (the corpus covers clone: no handlers run).
  p.weight(Op::VforkExit, 4).weight(Op::Exec, 3).weight(Op::WaitPid, 3);
  p.max_actors = 5;
  p.keep_root = true;
  return {"atfork",
          "pthread_atfork prepare handlers run in reverse registration order before fork, "
          "parent and child handlers in registration order after, NULL handlers are skipped; "
          "_Fork, vfork and a raw clone run none; a child's handlers carry over to its own "
          "forks, and exec removes them along with their log",
          {"posix:pthread_atfork", "posix:_Fork (POSIX.1-2024)", "man:vfork(2) NOTES (fork handlers)",
           "man:clone(2) (raw system call)", "posix:exec (new process image)"},
          p};
}

SuiteDef stdio() {
  GenProfile p = base();
  p.weight(Op::Fopen, 6).weight(Op::Fputs, 14).weight(Op::Fflush, 5).weight(Op::Fork, 8);
  p.weight(Op::Exit, 8).weight(Op::UExit, 6).weight(Op::Exec, 3).weight(Op::Open, 3);
  p.weight(Op::Read, 8).weight(Op::Lseek, 3).weight(Op::Wait, 2);
  p.max_actors = 4;
  p.keep_root = true;
  return {"stdio",
          "a fully buffered stream's unflushed bytes are process memory: fork duplicates them "
          "(written twice once both processes flush), exit flushes them, _exit and exec "
          "discard them; fflush writes them at the shared file offset",
          {"posix:exit (streams flushed)", "posix:_Exit/_exit (streams not flushed)",
           "posix:fflush", "posix:setvbuf _IOFBF", "posix:fopen \"w\"", "posix:fork (copy of memory)",
           "posix:exec (new process image)"},
          p};
}

SuiteDef spawn() {
  GenProfile p = base();
  p.weight(Op::Spawn, 14).weight(Op::Open, 6).weight(Op::Pipe2, 3).weight(Op::SetFd, 4);
  p.weight(Op::Dup, 2).weight(Op::Write, 2).weight(Op::Read, 2).weight(Op::Atfork, 3);
  p.weight(Op::AtforkLog, 3).weight(Op::WaitPid, 5).weight(Op::Exec, 1);
  p.max_actors = 5;
  return {"spawn",
          "posix_spawn makes a child running a new image: the caller's descriptors after the "
          "file action (addopen, addclose, adddup2, adddup2(fd, fd) clearing FD_CLOEXEC), "
          "then close-on-exec; SETSIGMASK sets its mask; a binary that is missing or not "
          "executable is an error return (or a child exiting 127); fork handlers may or may "
          "not run",
          {"posix:posix_spawn", "posix:posix_spawn_file_actions_addopen/addclose",
           "posix:posix_spawn_file_actions_adddup2 (POSIX.1-2024: fildes == newfildes)",
           "posix:posix_spawnattr_setsigmask", "posix:exec (FD_CLOEXEC, ENOENT, EACCES)"},
          p};
}

/* ---- inheritance across fork and exec (issue 3) ---- */
SuiteDef inheritance() {
  GenProfile p = base();
  p.weight(Op::Fork, 12).weight(Op::Open, 8).weight(Op::Close, 2).weight(Op::Dup, 1);
  p.weight(Op::Dup2, 1).weight(Op::Lock, 20).weight(Op::Mmap, 4).weight(Op::Store, 8);
  p.weight(Op::Load, 10).weight(Op::Madvise, 5).weight(Op::Itimer, 4).weight(Op::Sigaltstack, 3);
  p.weight(Op::ChildTimes, 2).weight(Op::Exec, 2).weight(Op::Wait, 2);
  p.weight(Op::SetSched, 3).weight(Op::GetSched, 4).weight(Op::SetAffinity, 3);
  p.weight(Op::GetAffinity, 4);
  // Fewer exits than the background mix: locks and timers need live holders.
  p.weight(Op::UExit, 2).weight(Op::Exit, 1).weight(Op::GetPid, 0).weight(Op::GetPpid, 0);
  p.max_actors = 5;
  p.min_steps = 10;
  return {"inheritance",
          "a child does not inherit record locks, interval timers or its parent's usage "
          "counters, and sees MADV_WIPEONFORK regions zero-filled; it shares OFD and flock "
          "locks through the open file descriptions and inherits the alternate signal stack; "
          "exec keeps record locks (but for close-on-exec files), timers and usage, and drops "
          "the alternate signal stack; the scheduling policy (not the reset-on-fork flag) and "
          "the CPU affinity are inherited and kept by exec",
          {"posix:fork (file locks, interval timers, tms_* not inherited)",
           "man:fork(2) The child does not inherit ...", "man:fcntl(2) record and OFD locks",
           "man:flock(2)", "man:madvise(2) MADV_WIPEONFORK", "man:getitimer(2)",
           "man:sigaltstack(2)", "man:getrusage(2) RUSAGE_CHILDREN", "man:times(2)",
           "man:sched(7) SCHED_RESET_ON_FORK", "man:sched_setaffinity(2)"},
          p};
}

/* ---- clone flags (issue 3, clone_flags) ---- */
SuiteDef clone_flags() {
  GenProfile p = base();
  p.weight(Op::CloneProbe, 16).weight(Op::Open, 6).weight(Op::Pipe, 2).weight(Op::Mmap, 4);
  p.weight(Op::Load, 8).weight(Op::GetFd, 8).weight(Op::Lseek, 6).weight(Op::Close, 3);
  p.weight(Op::Dup, 2).weight(Op::Store, 3).weight(Op::Write, 2).weight(Op::Read, 2);
  p.max_actors = 3;
  p.min_steps = 8;
  p.max_steps = 24;
  return {"clone_flags",
          "a clone child's store is seen by the caller iff CLONE_VM (or the region is "
          "MAP_SHARED); its close and F_SETFD iff CLONE_FILES; its lseek always (the open file "
          "descriptions are shared); CLONE_SIGHAND without CLONE_VM is EINVAL",
          {"man:clone(2) CLONE_VM CLONE_FILES CLONE_FS CLONE_SIGHAND CLONE_VFORK",
           "man:clone(2) the integer returned by fn is the child's exit status",
           "posix:mmap MAP_SHARED MAP_PRIVATE", "man:wait(2) __WALL"},
          p};
}

}  // namespace

/* ---- pid namespaces (issue 4, pidns) ---- */
SuiteDef pidns() {
  GenProfile p = base();
  p.pidns = true;
  p.weight(Op::Fork, 14).weight(Op::UExit, 8).weight(Op::GetPpid, 10).weight(Op::GetPid, 4);
  p.weight(Op::Kill, 8).weight(Op::Sigaction, 5).weight(Op::Caught, 4).weight(Op::Wait, 4);
  p.weight(Op::WaitPid, 6).weight(Op::Subreaper, 2);
  p.max_actors = 6;
  p.min_steps = 6;
  return {"pidns",
          "P0 is the init of a pid namespace of its own: getpid is 1, getppid 0; orphans of the "
          "namespace are reparented to P0 (unless a nearer subreaper takes them) and stay "
          "zombies until P0 waits; signals from inside reach P0 only if it has a handler "
          "(SIGKILL and SIGSTOP neither); when P0 ends every other process of the namespace is "
          "killed",
          {"man:pid_namespaces(7) The namespace init process", "man:getppid(2) NOTES",
           "kernel/signal.c sig_task_ignored (SIGNAL_UNKILLABLE)",
           "kernel/pid_namespace.c zap_pid_ns_processes"},
          p};
}

const std::vector<SuiteDef>& all() {
  static const std::vector<SuiteDef> suites = {fork_basics(), memory_cow(),  fd_inheritance(),
                                               exec_cloexec(), exit_wait(), reparent_basic(),
                                               cloexec_race(),
                                               clone_errors() /* issue 3 */,
                                               /* issue 4 */ wait_options(), sigchld(),
                                               signals_fork(), wait_selectors(), reparent(),
                                               /* issue 4, pidfd */ pidfd(), pdeathsig(),
                                               /* issue 4, groups */ sessions(), pgrp_orphans(),
                                               /* issue 3 */ vfork(), exec(),
                                               /* issue 3 (libc layer) */ atfork(), stdio(), spawn(),
                                               /* issue 3 */ inheritance(),
                                               /* issue 3, clone_flags */ clone_flags(),
                                               /* issue 4, pidns */ pidns()};
  return suites;
}

std::optional<SuiteDef> find(const std::string& name) {
  for (const SuiteDef& suite : all()) {
    if (suite.name == name) return suite;
  }
  return std::nullopt;
}

std::vector<std::string> names() {
  std::vector<std::string> result;
  for (const SuiteDef& suite : all()) result.push_back(suite.name);
  return result;
}

}  // namespace fc::suites
