// Suite pgrp_orphans (issue 4, groups): see suites/registry.cc for the claim and the
// clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(PgrpOrphans, "pgrp_orphans")

// _exit: "If the exit of the process causes a process group to become orphaned, and if
// any member of the newly-orphaned process group is stopped, then a SIGHUP signal
// followed by a SIGCONT signal shall be sent to each process in the newly-orphaned
// process group": a model that leaves the stopped member alone is caught (its parent's
// wait sees it killed by SIGHUP or continued, its own steps run, or a probe finds it
// gone), and shrunk to the few steps that make such a group.
TEST(PgrpOrphans, CatchesPlantedOrphanedStopNoHup) {
  testing::expect_caught("pgrp_orphans", oracle::Profile::PlantedBug::OrphanedStopNoHup,
                         "waitpid|waitid|wait|wait4|caught|kill|getpgid|_exit|exit|setpgid|"
                         "setsid|fork|getppid|sigaction|subreaper",
                         8, 600);
}

}  // namespace
}  // namespace fc
