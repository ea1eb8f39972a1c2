// fcp-exec: the forkconf executor.
//
//   fcp-exec serve            programs on stdin, result blocks on stdout
//   fcp-exec run FILE         the same for the programs in FILE
//   fcp-exec probe            capabilities of this machine, one per line
//   fcp-exec guest DEVICE     init of a vm/uml guest: serve on DEVICE (issue 6)
//   fcp-exec resume A S       (internal) an exec'd actor A completing step S
//   fcp-exec spawned A S      (internal) the actor A a posix_spawn step S made (issue 3)
//   fcp-exec race P S N K T   close-on-exec race trials (race.h, issue 5)
//
// Wire format: harness/ir/wire.h. Exit status: FC_EXIT_* from wire.h.
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/executor/actor.h"
#include "harness/executor/race.h"
#include "harness/executor/supervisor.h"
#include "harness/executor/wire_io.h"

int main(int argc, char** argv) {
  const char* mode = argc >= 2 ? argv[1] : "";
  if (strcmp(mode, "resume") == 0) return fcp::ResumeMain(argc, argv);
  if (strcmp(mode, "spawned") == 0) return fcp::SpawnedMain(argc, argv);  // issue 3
  if (strcmp(mode, "serve") == 0 && argc == 2) return fcp::ServeMain(nullptr, argv[0]);
  if (strcmp(mode, "run") == 0 && argc == 3) return fcp::ServeMain(argv[2], argv[0]);
  if (strcmp(mode, "probe") == 0 && argc == 2) return fcp::ProbeMain();
  /* ---- close-on-exec races (issue 5) ---- */
  if (strcmp(mode, "race") == 0) return fcp::RaceMain(argc, argv);
  if (strcmp(mode, "race-report") == 0 && argc == 2) return fcp::RaceReportMain();
  /* ---- guest init (issue 6) ---- */
  // As a guest kernel's init: the command line's fcp_guest=DEVICE reaches
  // init as an environment variable.
  if (getpid() == 1 && getenv("fcp_guest") != nullptr) return fcp::GuestMain(getenv("fcp_guest"), argv[0]);
  if (strcmp(mode, "guest") == 0 && argc == 3) return fcp::GuestMain(argv[2], argv[0]);
  fcp::Diag("usage: fcp-exec serve | run FILE | probe | guest DEVICE | race PATH SPAWNER TRIALS THREADS TIMEOUT_MS");
  return FC_EXIT_USAGE;
}
