// Suite atfork (issue 3, libc layer): see suites/registry.cc for the claim and the clauses.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(Atfork, "atfork")

// posix:pthread_atfork "The parent and child fork handlers shall be called in the order in
// which they were established by calls to pthread_atfork(). The prepare fork handlers shall
// be called in the opposite order." A model that runs prepare handlers in registration order
// is caught by the log of a process with two registrations that forks.
TEST(Atfork, CatchesPlantedPrepareInRegistrationOrder) {
  testing::expect_caught("atfork", oracle::Profile::PlantedBug::AtforkPrepareInOrder,
                         "atfork_log", 6);
}

// vfork(2) NOTES: "Fork handlers established using pthread_atfork(3) are not called when a
// multithreaded program employing the NPTL threading library calls vfork()." A model that
// runs them is caught by the caller's log.
TEST(Atfork, CatchesPlantedVforkRunsHandlers) {
  testing::expect_caught("atfork", oracle::Profile::PlantedBug::VforkRunsAtfork, "atfork_log", 5);
}

}  // namespace
}  // namespace fc
