// Suite fd_inheritance: see suites/registry.cc for the claim and the clauses it covers.
#include "suites/support/property.h"

namespace fc {
namespace {

FORKCONF_SUITE_PROPERTY(FdInheritance, "fd_inheritance")

// A model whose fork leaks one extra descriptor into the child is caught (the child's
// next descriptor number differs): posix:fork "The child process shall have its own copy of
// the parent's file descriptors."
TEST(FdInheritance, CatchesPlantedChildLeaksFd) {
  testing::expect_caught("fd_inheritance", oracle::Profile::PlantedBug::ChildLeaksFd, "open|openat|pipe|pipe2|dup|dupfd|dup3|dupfd_cloexec", 6);
}

}  // namespace
}  // namespace fc
