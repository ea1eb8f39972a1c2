// Suite stdio (issue 3, libc layer): see suites/registry.cc for the claim and the clauses.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(Stdio, "stdio")

// posix:_Exit/_exit "Open streams shall not be flushed." A model whose _exit flushes the
// buffer fputs filled is caught when another process reads the file back.
TEST(Stdio, CatchesPlantedUExitFlushes) {
  testing::expect_caught("stdio", oracle::Profile::PlantedBug::UExitFlushesStdio,
                         "read|lseek|exec|fopen", 8);
}

}  // namespace
}  // namespace fc
