// The server: containment, per-program reaper, watchdog, output.
//
// Once per server: PR_SET_PDEATHSIG, SIGPIPE ignored, a pids cgroup (or
// RLIMIT_NPROC), a janitor that cleans up after a SIGKILLed server, a user
// namespace if needed, a private mount namespace with a tmpfs on /tmp for
// the scratch files, and the shared control block.
//
// Per program: a new pid namespace whose init is the run's reaper (or, when
// pid namespaces are not available, a child subreaper). The reaper puts
// /dev/null on fds 0-2, closes everything else below 1000, enters the
// scratch dir, forks P0, reaps every process that dies under it, and once
// the last step has run kills whatever is left and reaps it all.
#pragma once

namespace fcp {

// `fcp-exec serve` (input_path == nullptr: stdin) and `fcp-exec run FILE`.
int ServeMain(const char* input_path, const char* argv0);

// `fcp-exec probe`: one line per capability.
int ProbeMain();

// `fcp-exec guest DEVICE` (issue 6): init of a guest kernel, wire protocol
// on DEVICE after a sentinel line (guest.cc).
int GuestMain(const char* device, const char* argv0);

}  // namespace fcp
