// Suite spawn (issue 3, libc layer): see suites/registry.cc for the claim and the clauses.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(Spawn, "spawn")

// POSIX.1-2024 posix_spawn_file_actions_adddup2: "If fildes and newfildes are equal, then
// the action shall ensure that newfildes is inherited by the new process with FD_CLOEXEC
// clear". A model that leaves the flag set (the descriptor closed by the exec) is caught by
// the new image's descriptor report.
TEST(Spawn, CatchesPlantedDup2SelfKeepsCloexec) {
  testing::expect_caught("spawn", oracle::Profile::PlantedBug::SpawnDup2SelfKeepsCloexec,
                         "posix_spawn", 4);
}

}  // namespace
}  // namespace fc
