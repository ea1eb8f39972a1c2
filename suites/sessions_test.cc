// Suite sessions (issue 4, groups): see suites/registry.cc for the claim and the clauses
// it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(Sessions, "sessions")

// setsid: "[EPERM] The calling process is already a process group leader": a model that
// lets a group leader (P0, and any process after setpgid(0, 0)) create a session is
// caught, at the setsid step or at a getsid/getpgid/getpgrp that reports its effect.
TEST(Sessions, CatchesPlantedSetsidByGroupLeader) {
  testing::expect_caught("sessions", oracle::Profile::PlantedBug::SetsidByGroupLeader,
                         "setsid|getsid|getpgid|getpgrp|setpgid|waitpid|waitid", 4);
}

}  // namespace
}  // namespace fc
