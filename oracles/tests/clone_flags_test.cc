// clone_probe (issue 3, clone_flags): what each sharing flag of clone(2)
// shares, seen by the caller after the child's one probe. Each test quotes
// the sentence it checks (oracles/spec/clone.md).
#include <gtest/gtest.h>

#include "oracles/tests/oracle_test_util.h"

namespace fc::oracle::testing {
namespace {

// CLONE_FILES: "if one of the processes closes a file descriptor ... the other
// process is also affected." Without it: "Subsequent operations that ... close
// file descriptors ... do not affect the other process."
TEST(CloneFlags, CloseSeenByTheCallerOnlyWithCloneFiles) {
  EXPECT_EQ(allowed_last("P0 open f0 O_RDWR|O_CREAT\n"
                         "P0 clone_probe CLONE_FILES close 3\n"
                         "P0 getfd 3\n"),
            (std::set<std::string>{"ret=-1 errno=EBADF"}));
  EXPECT_EQ(allowed_last("P0 open f0 O_RDWR|O_CREAT\n"
                         "P0 clone_probe CLONE_VM close 3\n"
                         "P0 getfd 3\n"),
            (std::set<std::string>{"ret=0"}));
}

// CLONE_FILES: "or changes its associated flags (using the fcntl(2) F_SETFD
// operation), the other process is also affected."
TEST(CloneFlags, SetfdSeenByTheCallerOnlyWithCloneFiles) {
  EXPECT_EQ(allowed_last("P0 open f0 O_RDWR|O_CREAT\n"
                         "P0 clone_probe CLONE_VM|CLONE_FILES setfd 3\n"
                         "P0 getfd 3\n"),
            (std::set<std::string>{"ret=1"}));
  EXPECT_EQ(allowed_last("P0 open f0 O_RDWR|O_CREAT\n"
                         "P0 clone_probe CLONE_FS setfd 3\n"
                         "P0 getfd 3\n"),
            (std::set<std::string>{"ret=0"}));
}

// "the duplicated file descriptors in the child refer to the same open file
// descriptions ... and thus share file offsets": with or without CLONE_FILES.
TEST(CloneFlags, LseekAlwaysSeenByTheCaller) {
  for (const char* flags : {"0", "CLONE_FILES"}) {
    EXPECT_EQ(allowed_last(std::string("P0 open f0 O_RDWR|O_CREAT\n"
                                       "P0 clone_probe ") +
                           flags +
                           " lseek 3\n"
                           "P0 lseek 3 0 SEEK_CUR\n"),
              (std::set<std::string>{"ret=5"}))
        << flags;
  }
}

// CLONE_VM: "memory writes performed by the calling process or by the child
// process are also visible in the other process"; without it "Memory writes
// ... performed by one of the processes do not affect the other", but for a
// MAP_SHARED region, whose copy maps the same object.
TEST(CloneFlags, StoreSeenByTheCallerWithCloneVmOrSharedMapping) {
  EXPECT_EQ(allowed_last("P0 mmap private -> M0\n"
                         "P0 clone_probe CLONE_VM store 0\n"
                         "P0 load M0 0\n"),
            (std::set<std::string>{"ret=4242"}));
  EXPECT_EQ(allowed_last("P0 mmap private -> M0\n"
                         "P0 clone_probe CLONE_FILES store 0\n"
                         "P0 load M0 0\n"),
            (std::set<std::string>{"ret=0"}));
  EXPECT_EQ(allowed_last("P0 mmap shared -> M0\n"
                         "P0 clone_probe 0 store 0\n"
                         "P0 load M0 0\n"),
            (std::set<std::string>{"ret=4242"}));
}

// "The integer returned by fn is the exit status for the child process": the
// child returns 1 when its probe fails (EBADF, ESPIPE).
TEST(CloneFlags, FailedProbeIsTheChildsExitStatus) {
  EXPECT_EQ(allowed_last("P0 clone_probe CLONE_FILES close 7\n"),
            (std::set<std::string>{"ret=new status=exited(1)"}));
  EXPECT_EQ(allowed_last("P0 pipe\nP0 clone_probe 0 lseek 3\n"),
            (std::set<std::string>{"ret=new status=exited(1)"}));
  EXPECT_EQ(allowed_last("P0 pipe\nP0 clone_probe CLONE_VM|CLONE_VFORK close 4\n"),
            (std::set<std::string>{"ret=new status=exited(0)"}));
}

// "EINVAL CLONE_SIGHAND was specified in the flags mask, but CLONE_VM was not."
TEST(CloneFlags, SighandWithoutVmIsEinval) {
  EXPECT_EQ(allowed_last("P0 pipe\nP0 clone_probe CLONE_SIGHAND close 3\n"),
            (std::set<std::string>{"ret=-1 errno=EINVAL"}));
  EXPECT_EQ(allowed_last("P0 pipe\nP0 clone_probe CLONE_SIGHAND close 3\nP0 getfd 3\n"),
            (std::set<std::string>{"ret=0"}));
}

// Flags outside the probe's set, or a store into no region, are not programs.
TEST(CloneFlags, OtherFlagsAndUnmappedRegionsAreInvalid) {
  EXPECT_EQ(special_of_last("P0 clone_probe CLONE_THREAD close 0\n"), "Invalid");
  EXPECT_EQ(special_of_last("P0 clone_probe CLONE_VM store 0\n"), "Invalid");
}

// The planted bug copies the table for CLONE_FILES: the close is not seen.
TEST(CloneFlags, PlantedCloneFilesCopiesTableMissesTheClose) {
  Profile bug;
  bug.planted_bug = Profile::PlantedBug::CloneFilesCopiesTable;
  EXPECT_EQ(allowed_last("P0 open f0 O_RDWR|O_CREAT\n"
                         "P0 clone_probe CLONE_FILES close 3\n"
                         "P0 getfd 3\n",
                         bug),
            (std::set<std::string>{"ret=0"}));
}

}  // namespace
}  // namespace fc::oracle::testing
