/* forkconf wire protocol between the runner and the executor.
 *
 * Plain C (no C++ headers): the executor includes it and builds against
 * glibc and musl for x86_64, i386 and aarch64.
 *
 * ======================================================================
 * Runner -> executor (stdin of `fcp-exec serve`), one program at a time:
 *
 *   PROG <id> <nsteps> <timeout_ms> [pidns]
 *   S <actor> <op> <a0> <a1> <a2> <out> <unblock_by> <hexdata>
 *   ...                       (exactly nsteps S lines, step index = order)
 *   END
 *
 *   pidns        (issue 4, pidns) P0 is created as the init (pid 1) of a new
 *                pid namespace; the reaper stays outside it. Without pid
 *                namespaces the program ends with "E error" (pid namespaces
 *                unavailable).
 *   <op>         index into ops.def (FC_OP row order, from 0).
 *   <actor>      actor executing the step (0 = root actor P0).
 *   <a0..a2>     numeric arguments, abstract encodings below (FC_*).
 *   <out>        actor created (fork) or region created (mmap); else -1.
 *   <unblock_by> sync plan from the model: -1 the step returns without
 *                blocking; k >= 0 the step blocks until step k has started
 *                (k > index); FC_BLOCKS_FOREVER the step is still blocked
 *                when the program ends.
 *   <hexdata>    data bytes as lowercase hex, or "-" when empty.
 *                exit, _exit, kill, pidfd_send_signal: the sync expectation
 *                from the plan (FC_SYNC_*, and FC_SYNC_DEATHS with actors).
 *
 * Executor -> runner (stdout), for every program, after it has finished:
 *
 *   BEGIN <id>
 *   H <mode> <reaper_pid>         mode: pidns | subreaper
 *   A <actor> <pid>               one line per actor that was created
 *   R <step> <state> <ret> <err> <a0> <a1> <a2> <a3> <hexdata>
 *   ...                           one line per step that was started
 *   E <end> <turn> <message...>
 *
 *   <state>   done    the step returned (or, for exit steps, was entered)
 *             blocked the step was started and never returned
 *             late    the step returned, but only after the executor had
 *                     given up waiting for it at its sync point
 *   <ret>     raw return value (long); for load: the value read.
 *   <err>     errno when ret == -1, else 0.
 *   <a0..a3>  raw auxiliary values, per op:
 *               fork            a0 = return value seen by the child,
 *                               a1 = 1 if the child reported at all
 *               wait/waitpid/wait4  a0 = raw wait status
 *               waitid          a0 = si_pid, a1 = si_code, a2 = si_status
 *               kill            a1 = 1 if the effect in <hexdata> (FC_SYNC_*,
 *                               one byte, from the plan) was seen (issue 4)
 *               caught          a0 = bit s set: signal s was caught (issue 4)
 *               pidfd_open      a2 = the pidfd's inode (issue 4, pidfd)
 *               pidfd_poll      a0 = revents
 *               pidfd_send_signal  a1 as for kill
 *               waitid_pidfd    as waitid
 *               get_pdeathsig   a0 = the signal (Linux number)
 *               vfork/clone_vfork  as fork, and a2 = the word in the caller's
 *                               frame after the call (the child stores its
 *                               pid there: the stack is shared) (issue 3)
 *               sigprocmask     a0 = old mask, bit s: signal s (issue 3)
 *               sigpending      a0 = pending set, bit s: signal s (issue 3)
 *               _Fork           as fork (issue 3)
 *               vfork_exit      a0 = the child's raw wait status (issue 3)
 *               fopen           a0 = inode of the stream's descriptor (issue 3)
 *               posix_spawn     a0 = the new image's blocked signals (bit s),
 *                               a1 = 1 if it reported; hexdata: its fd
 *                               report, as exec's (issue 3)
 *               pipe/pipe2      a0 = fds[0], a1 = fds[1], a2 = inode
 *               itimer          ret = 1 if the timer was armed before, else 0
 *               sigaltstack     ret = FC_ALTSTACK_OFF/SMALL/LARGE/OTHER before
 *               childtimes      ret = 0 if the children's usage is all zero,
 *                               else 1 (issue 3)
 *               getsched        ret = FC_SCHED_* (issue 3)
 *               getaffinity     ret = FC_AFFINITY_ONE / MANY (issue 3)
 *               open/openat/dup/dup2/dup3/dupfd*  a0 = inode of the result
 *             and for every op
 *               a3 = progress: the highest step index that had started when
 *                    the call returned (used to check blocking).
 *   <hexdata> read: the bytes read. atfork_log (issue 3): the log, one
 *             byte per event (FC_ATFORK_EV_* << 4 | id). exec: the report of the new image, a
 *             ';'-separated list of "fd:ino:type:fdflags:flflags:offset"
 *             (type 'p' pipe, 'f' regular file, 'c' char device, '?' other;
 *             fdflags raw F_GETFD; flflags abstract FC_O_* of F_GETFL;
 *             offset from lseek(fd, 0, SEEK_CUR) or -1), fds ascending.
 *   <end>     ok       all steps ran
 *             timeout  the watchdog fired (<turn> = next step not started)
 *             error    the executor could not run the program (message)
 *
 * Malformed input gets "E error 0 <message>" and exit status FC_EXIT_USAGE
 * if it cannot be resynchronised.
 * ====================================================================== */
#ifndef FORKCONF_WIRE_H
#define FORKCONF_WIRE_H

/* Argument kinds (ops.def) */
#define FC_ARG_NONE 0
#define FC_ARG_FD 1        /* descriptor number, 0..FC_MAX_PROGRAM_FD */
#define FC_ARG_INT 2       /* signed integer literal */
#define FC_ARG_PIDSEL 3    /* actor index >= 0, FC_PIDSEL_ANY, FC_PIDSEL_PGRP, FC_PIDSEL_GROUP(n) */
#define FC_ARG_REGION 4    /* region index (M<n>) */
#define FC_ARG_SLOT 5      /* 0..FC_REGION_SLOTS-1 */
#define FC_ARG_VALUE 6     /* 64-bit value */
#define FC_ARG_FILE 7      /* scratch file index: name "f<n>" */
#define FC_ARG_OFLAGS 8    /* FC_O_* */
#define FC_ARG_PIPEFLAGS 9 /* FC_O_CLOEXEC | FC_O_NONBLOCK */
#define FC_ARG_DUPFLAGS 10 /* FC_O_CLOEXEC */
#define FC_ARG_WAITOPTS 11 /* FC_W* */
#define FC_ARG_IDTYPE 12   /* FC_P_* */
#define FC_ARG_FDFLAGS 13  /* FC_FD_CLOEXEC */
#define FC_ARG_WHENCE 14   /* FC_SEEK_* */
#define FC_ARG_MAPKIND 15  /* FC_MAP_* */
#define FC_ARG_COUNT 16    /* byte count, 0..FC_MAX_IO */
#define FC_ARG_BYTES 17    /* the step's data string */
/* ---- clone / clone3 (issue 3) ---- */
#define FC_ARG_CLONEFLAGS 18 /* FC_CLONE_* */
#define FC_ARG_EXITSIG 19    /* FC_EXITSIG_* */
#define FC_ARG_CLONE3ARGS 20 /* FC_C3_*: size and fields of struct clone_args */
/* ---- signals (issue 4) ---- */
#define FC_ARG_SIGNAL 21   /* a signal number (FC_SIG*, Linux numbering) or 0 */
#define FC_ARG_DISP 22     /* FC_DISP_*: SIG_DFL, SIG_IGN or the recording handler */
#define FC_ARG_SAFLAGS 23  /* FC_SA_* */
/* ---- process groups and sessions (issue 4, groups) ---- */
#define FC_ARG_PROCSEL 24  /* actor index >= 0 (its pid), or FC_PROCSEL_SELF (pid 0) */
#define FC_ARG_PGID 25     /* actor index >= 0 (its pid), FC_PGID_SAME (0), FC_PGID_NEGATIVE (-1) */
/* ---- vfork and exec (issue 3) ---- */
#define FC_ARG_SIGHOW 32   /* FC_SIG_BLOCK / FC_SIG_UNBLOCK / FC_SIG_SETMASK / FC_SIG_HOW_BAD */
#define FC_ARG_SIGSET 33   /* bit s: signal s; only bits of FC_SIGSET_MASKABLE */
/* ---- libc layer (issue 3) ---- */
#define FC_ARG_ATFORK 36   /* FC_ATFORK_*: the pthread_atfork handlers passed non-NULL */
#define FC_ARG_SPAWNFA 37  /* FC_SPAWN_FA_*: a posix_spawn file action */
#define FC_ARG_SPAWNATTR 38 /* FC_SPAWN_*: posix_spawn attributes and binary */

/* ---- inheritance (issue 3) ---- */
#define FC_ARG_LOCKKIND 40 /* FC_LOCK_* */
#define FC_ARG_MADVICE 41  /* FC_MADV_* */
#define FC_ARG_ITIMER 42   /* FC_ITIMER_* */
#define FC_ARG_ALTSTACK 43 /* FC_ALTSTACK_SET_* */
/* ---- clone flags (issue 3, clone_flags) ---- */
#define FC_ARG_PROBE 48     /* FC_PROBE_*: what a clone_probe child does */

/* Op flags (ops.def) */
#define FC_OPF_CREATES_ACTOR 1  /* <out> names a new actor */
#define FC_OPF_CREATES_REGION 2 /* <out> names a new region */
#define FC_OPF_NORETURN 4       /* the actor does not come back from it */
#define FC_OPF_MAY_BLOCK 8      /* the model may predict that it blocks */

/* Pid selectors */
#define FC_PIDSEL_ANY (-1)  /* waitpid(-1, ...) / P_ALL */
#define FC_PIDSEL_PGRP (-2) /* waitpid(0, ...): the caller's process group */
/* ---- process groups and sessions (issue 4, groups) ---- */
#define FC_PROCSEL_SELF (-1)  /* setpgid/getpgid/getsid pid argument 0: the caller */
#define FC_PGID_SAME (-1)     /* setpgid pgid argument 0: the target's own pid */
#define FC_PGID_NEGATIVE (-2) /* setpgid pgid argument -1: EINVAL */
/* waitpid/wait4 pid selector -pid(P<n>): the process group whose id is
 * P<n>'s pid. Encoded as FC_PIDSEL_GROUP(n) = -16 - n. */
#define FC_PIDSEL_GROUP(n) (-16 - (n))
#define FC_PIDSEL_IS_GROUP(v) ((v) <= -16 && (v) > -16 - FC_MAX_ACTORS)
#define FC_PIDSEL_GROUP_ACTOR(v) (-16 - (v))

/* Abstract open/status flags; the executor maps them to native values. */
#define FC_O_RDONLY 0x0
#define FC_O_WRONLY 0x1
#define FC_O_RDWR 0x2
#define FC_O_ACCMODE 0x3
#define FC_O_CREAT 0x4
#define FC_O_TRUNC 0x8
#define FC_O_APPEND 0x10
#define FC_O_CLOEXEC 0x20
#define FC_O_NONBLOCK 0x40
#define FC_O_EXCL 0x80

/* Abstract wait options */
#define FC_WNOHANG 0x1
#define FC_WNOWAIT 0x2
#define FC_WEXITED 0x4
/* ---- signals (issue 4) ---- */
#define FC_WUNTRACED 0x8   /* waitpid WUNTRACED; waitid WSTOPPED (same bit) */
#define FC_WCONTINUED 0x10

/* waitid idtype */
#define FC_P_ALL 0
#define FC_P_PID 1
#define FC_P_PGID 2
#define FC_P_PIDFD 3 /* issue 4, pidfd: the waitid_pidfd op (its id is a descriptor) */

#define FC_FD_CLOEXEC 0x1

/* ---- signals (issue 4) ----
 * Signals a program may name, by their Linux numbers (the same on x86_64,
 * i386 and aarch64); the executor maps them to its libc's constants. The
 * executor's own SIGALRM (safety alarm) and SIGPIPE (ignored) stay out. */
#define FC_SIGHUP 1
#define FC_SIGINT 2
#define FC_SIGQUIT 3
#define FC_SIGKILL 9
#define FC_SIGUSR1 10
#define FC_SIGSEGV 11
#define FC_SIGUSR2 12
#define FC_SIGTERM 15
#define FC_SIGCHLD 17
#define FC_SIGCONT 18
#define FC_SIGSTOP 19
#define FC_MAX_SIGNAL 31
/* sigaction dispositions */
#define FC_DISP_DFL 0
#define FC_DISP_IGN 1
#define FC_DISP_HANDLER 2 /* the executor's recording handler, SA_RESTART */
/* sigaction flags */
#define FC_SA_NOCLDSTOP 0x1
#define FC_SA_NOCLDWAIT 0x2
/* The sync expectation of a kill step (the S line's hexdata, from the
 * model's plan): the executor's kill waits, bounded, until it holds, and
 * reports a1 = 1 if it did. */
#define FC_SYNC_NONE 0
#define FC_SYNC_DEATH 1    /* the target has died */
#define FC_SYNC_STOP 2     /* the target (a child of the caller) is stopped */
#define FC_SYNC_CONT 3     /* the target (a child of the caller) was continued */
/* ---- asynchronous deaths (issue 4: pidfd and groups) ----
 * Deaths a step causes beyond its own target (a parent-death signal, or the
 * SIGHUP an exit sends a newly orphaned process group with a stopped member,
 * whose action is to terminate): the step's data is then
 *   <sync byte (FC_SYNC_*, maybe FC_SYNC_NONE)> FC_SYNC_DEATHS <actor>...
 * (one byte per actor, in the order they die) and, before the next step,
 * its actor waits (bounded) until each listed actor has died. Only exit,
 * _exit, kill and pidfd_send_signal steps carry it. */
#define FC_SYNC_DEATHS 12
/* ---- vfork and exec (issue 3) ---- */
/* sigprocmask (issue 3): the call unblocks a pending signal whose action is
 * to terminate, so the caller dies in it; the next step waits (bounded) for
 * that death. */
#define FC_SYNC_SELF_DEATH 14

/* ---- vfork and exec (issue 3): sigprocmask ----
 * how: SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK, or a value no libc defines
 * (EINVAL). Sets hold only signals whose default action terminates and
 * that the executor does not use itself. */
#define FC_SIG_BLOCK 0
#define FC_SIG_UNBLOCK 1
#define FC_SIG_SETMASK 2
#define FC_SIG_HOW_BAD 3
#define FC_SIGSET_MASKABLE \
  ((1u << FC_SIGHUP) | (1u << FC_SIGINT) | (1u << FC_SIGUSR1) | (1u << FC_SIGUSR2) | (1u << FC_SIGTERM))

#define FC_SEEK_SET 0
#define FC_SEEK_CUR 1
#define FC_SEEK_END 2

#define FC_MAP_PRIVATE 0
#define FC_MAP_SHARED 1

/* ---- clone / clone3 (issue 3) ----
 * Abstract clone flags; the executor maps them to CLONE_*. UNKNOWN is a flag
 * bit the kernel does not define (1 << 40, clone3 only); CSIGNAL puts a
 * signal number into the flags word (clone3 only, where it is not allowed). */
#define FC_CLONE_VM 0x1
#define FC_CLONE_FS 0x2
#define FC_CLONE_FILES 0x4
#define FC_CLONE_SIGHAND 0x8
#define FC_CLONE_THREAD 0x10
#define FC_CLONE_VFORK 0x20
#define FC_CLONE_PARENT 0x40
#define FC_CLONE_SYSVSEM 0x80
#define FC_CLONE_PARENT_SETTID 0x100
#define FC_CLONE_CHILD_SETTID 0x200
#define FC_CLONE_CHILD_CLEARTID 0x400
#define FC_CLONE_PIDFD 0x800
#define FC_CLONE_DETACHED 0x1000
#define FC_CLONE_CLEAR_SIGHAND 0x2000
#define FC_CLONE_INTO_CGROUP 0x4000
#define FC_CLONE_NEWNS 0x8000
#define FC_CLONE_NEWUSER 0x10000
#define FC_CLONE_NEWPID 0x20000
#define FC_CLONE_NEWIPC 0x40000
#define FC_CLONE_NEWUTS 0x80000
#define FC_CLONE_NEWNET 0x100000
#define FC_CLONE_UNKNOWN 0x200000
#define FC_CLONE_CSIGNAL 0x400000
#define FC_CLONE_ALL 0x7fffff

/* Exit signal of a clone child (clone: low byte of flags; clone3:
 * cl_args.exit_signal). OTHER is SIGURG (default action: ignore).
 * INVALID (65) and WIDE (0x100 | SIGCHLD) are for clone3 only. */
#define FC_EXITSIG_NONE 0
#define FC_EXITSIG_SIGCHLD 1
#define FC_EXITSIG_OTHER 2
#define FC_EXITSIG_INVALID 3
#define FC_EXITSIG_WIDE 4

/* clone3: how struct clone_args is passed (size argument and odd fields). */
#define FC_C3_VER2 0          /* size = CLONE_ARGS_SIZE_VER2 (88) */
#define FC_C3_VER0 1          /* size = CLONE_ARGS_SIZE_VER0 (64) */
#define FC_C3_SHORT 2         /* size = 56, below VER0 */
#define FC_C3_HUGE 3          /* size = page size + 8 */
#define FC_C3_TAIL_NONZERO 4  /* size = 96, a nonzero byte past VER2 */
#define FC_C3_TAIL_ZERO 5     /* size = 96, zero bytes past VER2 */
#define FC_C3_STACK_SIZE_ONLY 6 /* stack = 0, stack_size = 4096 */
#define FC_C3_SET_TID_NULL 7  /* set_tid = NULL, set_tid_size = 1 */
#define FC_C3_SET_TID_EMPTY 8 /* set_tid = an array, set_tid_size = 0 */
#define FC_C3_SET_TID_DEEP 9  /* set_tid = an array, set_tid_size = 33 */
#define FC_C3_CGROUP_HUGE 10  /* cgroup = 1 << 32 (> INT_MAX) */
#define FC_C3_LAST 10

/* ---- clone flags (issue 3, clone_flags) ----
 * clone_probe FLAGS PROBE TARGET: the one effect its child makes before it
 * _exit(0)s (or _exit(1)s when the call fails). TARGET is a descriptor, or
 * for STORE a region (slot 0 gets FC_PROBE_VALUE). FLAGS are a subset of
 * FC_PROBE_FLAGS. */
#define FC_PROBE_STORE 0  /* region[0] = FC_PROBE_VALUE */
#define FC_PROBE_CLOSE 1  /* close(fd) */
#define FC_PROBE_SETFD 2  /* fcntl(fd, F_SETFD, FD_CLOEXEC) */
#define FC_PROBE_LSEEK 3  /* lseek(fd, FC_PROBE_OFFSET, SEEK_SET) */
#define FC_PROBE_LAST 3
#define FC_PROBE_VALUE 4242
#define FC_PROBE_OFFSET 5
#define FC_PROBE_FLAGS (FC_CLONE_VM | FC_CLONE_FS | FC_CLONE_FILES | FC_CLONE_SIGHAND | FC_CLONE_VFORK)

/* ---- libc layer (issue 3) ----
 * pthread_atfork handlers passed non-NULL (the rest are NULL), and the log
 * the executor's recording handlers keep per process image: one byte per
 * event, (FC_ATFORK_EV_* << 4) | id, at most FC_ATFORK_LOG_MAX events
 * (the atfork_log step's hexdata). */
#define FC_ATFORK_PREPARE 0x1
#define FC_ATFORK_PARENT 0x2
#define FC_ATFORK_CHILD 0x4
#define FC_ATFORK_ALL 0x7
#define FC_MAX_ATFORK_ID 7
#define FC_ATFORK_EV_PREPARE 1
#define FC_ATFORK_EV_PARENT 2
#define FC_ATFORK_EV_CHILD 3
#define FC_ATFORK_LOG_MAX 128
/* stdio: the buffer setvbuf gives each stream (bytes); the model keeps
 * programs below it, so no stream is flushed because it is full. */
#define FC_STDIO_BUFSIZ 4096
/* posix_spawn: the one file action (on the step's fd) ... */
#define FC_SPAWN_FA_NONE 0
#define FC_SPAWN_FA_OPEN 1      /* addopen(fd, "f1", O_RDWR|O_CREAT, 0600) */
#define FC_SPAWN_FA_CLOSE 2     /* addclose(fd) */
#define FC_SPAWN_FA_DUP2 3      /* adddup2(fd, 0) */
#define FC_SPAWN_FA_DUP2_SELF 4 /* adddup2(fd, fd): FD_CLOEXEC cleared (POSIX.1-2024) */
#define FC_SPAWN_FA_LAST 4
/* ... and the attributes */
#define FC_SPAWN_SETSIGMASK 0x1  /* POSIX_SPAWN_SETSIGMASK with the mask {SIGUSR2} */
#define FC_SPAWN_BIN_SCRATCH 0x2 /* the binary is f0: missing, or not executable */
#define FC_SPAWN_ALL 0x3

/* ---- inheritance (issue 3) ----
 * lock: whole-file locks. POSIX = fcntl F_SETLK (record lock, owned by the
 * process), OFD = fcntl F_OFD_SETLK (owned by the open file description),
 * FLOCK = flock(2) LOCK_EX|LOCK_NB (owned by the open file description);
 * the *_UN kinds release (F_UNLCK, LOCK_UN). The result is ret 0 or -1/errno. */
#define FC_LOCK_POSIX 0
#define FC_LOCK_POSIX_UN 1
#define FC_LOCK_OFD 2
#define FC_LOCK_OFD_UN 3
#define FC_LOCK_FLOCK 4
#define FC_LOCK_FLOCK_UN 5
#define FC_LOCK_LAST 5
/* madvise advice */
#define FC_MADV_WIPEONFORK 0
#define FC_MADV_KEEPONFORK 1
/* itimer: which timer and what to do; arming sets it_value to
 * FC_ITIMER_SECONDS (never reached in a run), it_interval 0. */
#define FC_ITIMER_VIRTUAL_GET 0
#define FC_ITIMER_VIRTUAL_ARM 1
#define FC_ITIMER_VIRTUAL_DISARM 2
#define FC_ITIMER_PROF_GET 3
#define FC_ITIMER_PROF_ARM 4
#define FC_ITIMER_PROF_DISARM 5
#define FC_ITIMER_LAST 5
#define FC_ITIMER_SECONDS 1000
/* sigaltstack: the argument (QUERY passes ss = NULL) ... */
#define FC_ALTSTACK_QUERY 0
#define FC_ALTSTACK_SET_SMALL 1
#define FC_ALTSTACK_SET_LARGE 2
#define FC_ALTSTACK_DISABLE 3
#define FC_ALTSTACK_LAST 3
/* ... and its result, the stack in place before the call (ret) */
#define FC_ALTSTACK_OFF 0
#define FC_ALTSTACK_SMALL 1   /* FC_ALTSTACK_SMALL_BYTES, not SS_DISABLE */
#define FC_ALTSTACK_LARGE 2   /* FC_ALTSTACK_LARGE_BYTES, not SS_DISABLE */
#define FC_ALTSTACK_OTHER 3   /* anything else (the executor never sets it) */
#define FC_ALTSTACK_SMALL_BYTES 65536
#define FC_ALTSTACK_LARGE_BYTES 131072
/* setsched / getsched: policy | flag */
#define FC_SCHED_OTHER 0
#define FC_SCHED_BATCH 1
#define FC_SCHED_RESET_ON_FORK 2
#define FC_SCHED_LAST 3      /* BATCH | RESET_ON_FORK: the largest setsched argument */
#define FC_SCHED_UNKNOWN 4   /* getsched: a policy programs never set (IDLE, FIFO, ...) */
/* setaffinity argument; getaffinity result */
#define FC_AFFINITY_ALL 0
#define FC_AFFINITY_FIRST 1
#define FC_AFFINITY_ONE 1
#define FC_AFFINITY_MANY 2

/* Limits shared by the generator, the model and the executor */
#define FC_MAX_STEPS 256
#define FC_MAX_ACTORS 32
#define FC_MAX_REGIONS 16
#define FC_REGION_SLOTS 8
#define FC_MAX_FILES 8
#define FC_MAX_IO 64          /* bytes per read or write */
#define FC_MAX_PROGRAM_FD 999 /* fds a program may name; the executor's own are >= 1000 */
#define FC_FIRST_RESERVED_FD 1000

#define FC_BLOCKS_FOREVER (-2)

/* Exit statuses of forkconf tools (CLI and executor) */
#define FC_EXIT_OK 0         /* conforms */
#define FC_EXIT_DIVERGENCE 1 /* a divergence was found */
#define FC_EXIT_USAGE 2      /* usage, input or setup error */
#define FC_EXIT_TARGET 3     /* the target failed (crash, hang, garbage) */
#define FC_EXIT_HARNESS 4    /* an internal harness bug */

#endif
