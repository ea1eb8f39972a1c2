// The fds area of the model: pipes, open/openat, close, the dup family, read,
// write, lseek and fcntl. Each test states one behaviour and quotes the
// sentence it checks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "oracles/tests/oracle_test_util.h"

namespace fc::oracle::testing {
namespace {

using ::testing::ElementsAre;

// ---- pipe, pipe2 ---------------------------------------------------------------------

// fds[0] then fds[1], each the lowest available descriptor (Linux do_pipe2;
// POSIX "lowest numbered available" allocation).
TEST(Pipe, UsesTheTwoLowestFreeDescriptors) {
  ModelRun r = run("P0 pipe\nP0 close 1\nP0 pipe\n");
  EXPECT_EQ(r.obs[0], "ret=0 fds=3,4");
  EXPECT_EQ(r.obs[2], "ret=0 fds=1,5");
}

// "fildes[0] ... for reading, fildes[1] ... for writing"; "The O_NONBLOCK and
// FD_CLOEXEC flags shall be clear on both file descriptors." - POSIX pipe
TEST(Pipe, EndsAreReadOnlyAndWriteOnlyWithFlagsClear) {
  ModelRun r = run("P0 pipe\nP0 getfl 3\nP0 getfl 4\nP0 getfd 3\nP0 getfd 4\n");
  EXPECT_EQ(r.obs[1], "ret=r");
  EXPECT_EQ(r.obs[2], "ret=w");
  EXPECT_EQ(r.obs[3], "ret=0");
  EXPECT_EQ(r.obs[4], "ret=0");
}

// "O_CLOEXEC Set the close-on-exec (FD_CLOEXEC) flag on the two new file
// descriptors." - pipe(2)
TEST(Pipe2, CloexecSetsFdCloexecOnBothEnds) {
  ModelRun r = run("P0 pipe2 O_CLOEXEC\nP0 getfd 3\nP0 getfd 4\n");
  EXPECT_EQ(r.obs[1], "ret=1");
  EXPECT_EQ(r.obs[2], "ret=1");
}

// "O_NONBLOCK Set the O_NONBLOCK file status flag on the open file
// descriptions referred to by the new file descriptors." - pipe(2)
TEST(Pipe2, NonblockSetsTheStatusFlagOnBothEnds) {
  ModelRun r = run("P0 pipe2 O_NONBLOCK\nP0 getfl 3\nP0 getfl 4\n");
  EXPECT_EQ(r.obs[1], "ret=r+nonblock");
  EXPECT_EQ(r.obs[2], "ret=w+nonblock");
}

// "EINVAL (pipe2()) Invalid value in flags." - pipe(2)
TEST(Pipe2, OtherFlagsFailWithEinval) {
  EXPECT_THAT(allowed_last("P0 pipe2 O_APPEND\n"), ElementsAre("ret=-1 errno=EINVAL"));
}

// Bytes written to the write end are read from the read end.
TEST(Pipe, ReadReturnsTheBytesWritten) {
  ModelRun r = run("P0 pipe\nP0 write 4 \"hello\"\nP0 read 3 64\n");
  EXPECT_EQ(r.obs[1], "ret=5");
  EXPECT_EQ(r.obs[2], "ret=5 data=\"hello\"");
}

// A read takes at most its count; the rest stays in the pipe.
TEST(Pipe, ReadTakesAtMostCountBytes) {
  ModelRun r = run("P0 pipe\nP0 write 4 \"hello\"\nP0 read 3 2\nP0 read 3 64\n");
  EXPECT_EQ(r.obs[2], "ret=2 data=\"he\"");
  EXPECT_EQ(r.obs[3], "ret=3 data=\"llo\"");
}

// Writes are appended in order.
TEST(Pipe, SuccessiveWritesAreReadInOrder) {
  ModelRun r = run("P0 pipe\nP0 write 4 \"ab\"\nP0 write 4 \"cd\"\nP0 read 3 64\n");
  EXPECT_EQ(r.obs[3], "ret=4 data=\"abcd\"");
}

// "If no process has the pipe open for writing, read() shall return 0 to
// indicate end-of-file." - POSIX read
TEST(Pipe, ReadOfEmptyPipeWithoutWritersIsEndOfFile) {
  EXPECT_THAT(allowed_last("P0 pipe\nP0 close 4\nP0 read 3 8\n"), ElementsAre("ret=0 data=\"\""));
}

// Buffered data is still read after the last writer closed.
TEST(Pipe, DataWrittenBeforeTheLastCloseIsStillRead) {
  ModelRun r = run("P0 pipe\nP0 write 4 \"xy\"\nP0 close 4\nP0 read 3 8\nP0 read 3 8\n");
  EXPECT_EQ(r.obs[3], "ret=2 data=\"xy\"");
  EXPECT_EQ(r.obs[4], "ret=0 data=\"\"");
}

// "If some process has the pipe open for writing and O_NONBLOCK is set,
// read() shall return -1 and set errno to [EAGAIN]." - POSIX read
TEST(Pipe, ReadOfEmptyNonblockingPipeFailsWithEagain) {
  EXPECT_THAT(allowed_last("P0 pipe2 O_NONBLOCK\nP0 read 3 8\n"), ElementsAre("ret=-1 errno=EAGAIN"));
}

// "read() shall block the calling thread until some data is written" - POSIX read
TEST(Pipe, ReadOfEmptyPipeBlocksUntilAWrite) {
  ModelRun r = run("P0 pipe\nP0 fork -> P1\nP1 read 3 3\nP0 getpid\nP0 write 4 \"hello\"\nP1 read 3 8\n");
  EXPECT_EQ(r.completed_by[2], 4);
  EXPECT_EQ(r.obs[2], "ret=3 data=\"hel\"");
  EXPECT_EQ(r.obs[5], "ret=2 data=\"lo\"");
}

// "... or the pipe is closed by all processes that had the pipe open for
// writing" - POSIX read: the last writer exiting closes it.
TEST(Pipe, BlockedReadSeesEndOfFileWhenTheLastWriterExits) {
  ModelRun r = run(
      "P0 pipe\nP0 fork -> P1\nP0 close 4\n"
      "P0 read 3 8\n"
      "P1 _exit 0\n");
  EXPECT_EQ(r.completed_by[3], 4);
  EXPECT_EQ(r.obs[3], "ret=0 data=\"\"");
}

// Closing one of two writers does not end the read; closing the last does.
TEST(Pipe, BlockedReadWaitsForTheLastWriterToClose) {
  ModelRun r = run(
      "P0 pipe\nP0 fork -> P1\n"
      "P1 close 4\nP1 read 3 8\n"
      "P0 dup 4\nP0 close 4\nP0 close 5\n");
  EXPECT_EQ(r.completed_by[3], 6);
  EXPECT_EQ(r.obs[3], "ret=0 data=\"\"");
}

// dup2 closing the last write end silently also ends the read.
TEST(Pipe, BlockedReadSeesEndOfFileWhenDup2ClosesTheLastWriter) {
  ModelRun r = run("P0 pipe\nP0 fork -> P1\nP1 close 4\nP1 read 3 8\nP0 dup2 0 4\n");
  EXPECT_EQ(r.completed_by[3], 4);
}

// Exec closing an FD_CLOEXEC write end ends the read too. - POSIX exec
TEST(Pipe, BlockedReadSeesEndOfFileWhenExecClosesTheLastWriter) {
  ModelRun r = run("P0 pipe\nP0 fork -> P1\nP1 close 4\nP1 read 3 8\nP0 setfd 4 FD_CLOEXEC\nP0 exec\n");
  EXPECT_EQ(r.completed_by[3], 5);
  EXPECT_EQ(r.obs[3], "ret=0 data=\"\"");
}

// A reader holding the only write end itself blocks forever.
TEST(Pipe, ReaderHoldingTheOnlyWriteEndStaysBlocked) {
  ModelRun r = run("P0 pipe\nP0 fork -> P1\nP1 read 3 8\nP0 close 4\nP0 close 3\n");
  EXPECT_EQ(r.obs[2], "state=blocked");
}

// Two readers blocked on one pipe compete for the next write: not modelled.
TEST(Pipe, SecondBlockedReaderOnThePipeIsNotModeled) {
  EXPECT_EQ(special_of_last("P0 pipe\nP0 fork -> P1\nP0 fork -> P2\nP1 read 3 8\nP2 read 3 8\n"),
            "NotModeled");
}

// "An attempt is made to write to a pipe or FIFO that is not open for reading
// by any process" - POSIX write EPIPE (SIGPIPE is ignored by the harness)
TEST(Pipe, WriteWithoutReadersFailsWithEpipe) {
  EXPECT_THAT(allowed_last("P0 pipe\nP0 close 3\nP0 write 4 \"x\"\n"),
              ElementsAre("ret=-1 errno=EPIPE"));
}

// Linux pipe_write: a null write succeeds before readers are looked at.
TEST(Pipe, ZeroLengthWriteReturnsZeroEvenWithoutReaders) {
  EXPECT_THAT(allowed_last("P0 pipe\nP0 close 3\nP0 write 4 \"\"\n"), ElementsAre("ret=0"));
}

// A zero-length write does not wake a blocked reader.
TEST(Pipe, ZeroLengthWriteDoesNotWakeABlockedReader) {
  ModelRun r = run("P0 pipe\nP0 fork -> P1\nP1 read 3 8\nP0 write 4 \"\"\n");
  EXPECT_EQ(r.obs[2], "state=blocked");
}

// "EBADF The fildes argument is not a valid file descriptor open for
// writing." - POSIX write
TEST(Pipe, WriteToTheReadEndFailsWithEbadf) {
  EXPECT_THAT(allowed_last("P0 pipe\nP0 write 3 \"x\"\n"), ElementsAre("ret=-1 errno=EBADF"));
}

// "EBADF The fildes argument is not a valid file descriptor open for
// reading." - POSIX read
TEST(Pipe, ReadFromTheWriteEndFailsWithEbadf) {
  EXPECT_THAT(allowed_last("P0 pipe\nP0 read 4 1\n"), ElementsAre("ret=-1 errno=EBADF"));
}

// "ESPIPE The fildes argument is associated with a pipe, FIFO, or socket."
// - POSIX lseek
TEST(Pipe, LseekFailsWithEspipe) {
  EXPECT_THAT(allowed_last("P0 pipe\nP0 lseek 3 0 SEEK_CUR\n"), ElementsAre("ret=-1 errno=ESPIPE"));
}

// ---- read -------------------------------------------------------------------------------

// "if nbyte is zero ... the read() function shall return zero and have no
// other results." - POSIX read: an empty pipe does not block it.
TEST(Read, ZeroCountReturnsZeroWithoutBlocking) {
  EXPECT_THAT(allowed_last("P0 pipe\nP0 read 3 0\n"), ElementsAre("ret=0 data=\"\""));
}

// "Reads from /dev/null always return end of file" - null(4)
TEST(Read, NullIsAlwaysEndOfFile) {
  EXPECT_THAT(allowed_last("P0 read 0 10\n"), ElementsAre("ret=0 data=\"\""));
}

// "The file offset shall be incremented by the number of bytes actually
// read." / "No data transfer shall occur past the current end-of-file."
TEST(Read, RegularFileAdvancesTheOffsetAndStopsAtEndOfFile) {
  ModelRun r = run(
      "P0 open f0 O_RDWR|O_CREAT\nP0 write 3 \"abcde\"\nP0 lseek 3 0 SEEK_SET\n"
      "P0 read 3 3\nP0 read 3 3\nP0 read 3 3\n");
  EXPECT_EQ(r.obs[3], "ret=3 data=\"abc\"");
  EXPECT_EQ(r.obs[4], "ret=2 data=\"de\"");
  EXPECT_EQ(r.obs[5], "ret=0 data=\"\"");
}

// Read from a descriptor that is not open.
TEST(Read, ClosedDescriptorFailsWithEbadf) {
  EXPECT_THAT(allowed_last("P0 read 7 1\n"), ElementsAre("ret=-1 errno=EBADF"));
}

// A file opened O_WRONLY is not open for reading.
TEST(Read, WriteOnlyFileFailsWithEbadf) {
  EXPECT_THAT(allowed_last("P0 open f0 O_WRONLY|O_CREAT\nP0 read 3 1\n"),
              ElementsAre("ret=-1 errno=EBADF"));
}

// ---- write ------------------------------------------------------------------------------

// "Data written to the /dev/null and /dev/zero special files is discarded."
// - null(4); write() still reports the whole count.
TEST(Write, NullDiscardsAndReportsTheCount) {
  EXPECT_THAT(allowed_last("P0 write 1 \"abc\"\n"), ElementsAre("ret=3"));
}

// A file opened O_RDONLY is not open for writing.
TEST(Write, ReadOnlyFileFailsWithEbadf) {
  EXPECT_THAT(allowed_last("P0 open f0 O_RDONLY|O_CREAT\nP0 write 3 \"x\"\n"),
              ElementsAre("ret=-1 errno=EBADF"));
}

// "subsequent reads of data in the gap shall return bytes with the value 0
// until data is actually written into the gap." - POSIX lseek
TEST(Write, PastEndOfFileLeavesAGapOfZeroBytes) {
  ModelRun r = run(
      "P0 open f0 O_RDWR|O_CREAT\nP0 lseek 3 3 SEEK_SET\nP0 write 3 \"z\"\n"
      "P0 lseek 3 0 SEEK_SET\nP0 read 3 8\n");
  EXPECT_EQ(r.obs[4], "ret=4 data=\"\\0\\0\\0z\"");
}

// Overwriting in the middle keeps the rest of the file.
TEST(Write, OverwritesInPlaceAtTheOffset) {
  ModelRun r = run(
      "P0 open f0 O_RDWR|O_CREAT\nP0 write 3 \"abcdef\"\nP0 lseek 3 1 SEEK_SET\n"
      "P0 write 3 \"XY\"\nP0 lseek 3 0 SEEK_SET\nP0 read 3 8\n");
  EXPECT_EQ(r.obs[5], "ret=6 data=\"aXYdef\"");
}

// "If nbyte is zero and the file is a regular file ... the write() function
// shall return zero and have no other results." - POSIX write
TEST(Write, ZeroLengthToAFileChangesNothing) {
  ModelRun r = run("P0 open f0 O_RDWR|O_CREAT|O_APPEND\nP0 write 3 \"ab\"\nP0 lseek 3 0 SEEK_SET\n"
              "P0 write 3 \"\"\nP0 lseek 3 0 SEEK_CUR\n");
  EXPECT_EQ(r.obs[3], "ret=0");
  EXPECT_EQ(r.obs[4], "ret=0");
}

// Files larger than the model keeps are not modelled.
TEST(Write, GrowingAFilePastTheModelsLimitIsNotModeled) {
  EXPECT_EQ(special_of_last("P0 open f0 O_RDWR|O_CREAT\nP0 lseek 3 2000000 SEEK_SET\nP0 write 3 \"x\"\n"),
            "NotModeled");
}

// ---- open, openat -------------------------------------------------------------------------

// "ENOENT O_CREAT is not set and a component of path does not name an
// existing file" - POSIX open
TEST(Open, MissingFileWithoutOcreatFailsWithEnoent) {
  EXPECT_THAT(allowed_last("P0 open f1 O_RDONLY\n"), ElementsAre("ret=-1 errno=ENOENT"));
}

// "EEXIST O_CREAT and O_EXCL are set, and the named file exists." - POSIX open
TEST(Open, CreatExclOnAnExistingFileFailsWithEexist) {
  EXPECT_THAT(allowed_last("P0 open f1 O_WRONLY|O_CREAT\nP0 open f1 O_WRONLY|O_CREAT|O_EXCL\n"),
              ElementsAre("ret=-1 errno=EEXIST"));
}

// O_CREAT on an existing file opens it.
TEST(Open, CreatOnAnExistingFileOpensIt) {
  ModelRun r = run("P0 open f1 O_WRONLY|O_CREAT\nP0 write 3 \"ab\"\nP0 open f1 O_RDONLY|O_CREAT\n"
              "P0 read 4 8\n");
  EXPECT_EQ(r.obs[3], "ret=2 data=\"ab\"");
}

// "the lowest file descriptor not currently open for that process" - POSIX open
TEST(Open, ReturnsTheLowestFreeDescriptor) {
  ModelRun r = run("P0 close 1\nP0 open f0 O_RDWR|O_CREAT\nP0 open f0 O_RDWR\n");
  EXPECT_EQ(r.obs[1], "ret=1");
  EXPECT_EQ(r.obs[2], "ret=3");
}

// "If set, the FD_CLOEXEC flag for the new file descriptor shall be set."
// - POSIX open O_CLOEXEC
TEST(Open, CloexecSetsFdCloexec) {
  ModelRun r = run("P0 open f0 O_RDWR|O_CREAT|O_CLOEXEC\nP0 getfd 3\nP0 open f0 O_RDWR\nP0 getfd 4\n");
  EXPECT_EQ(r.obs[1], "ret=1");
  EXPECT_EQ(r.obs[3], "ret=0");
}

// "its length shall be truncated to 0" - POSIX open O_TRUNC
TEST(Open, TruncEmptiesAnExistingFile) {
  ModelRun r = run("P0 open f0 O_RDWR|O_CREAT\nP0 write 3 \"abc\"\nP0 open f0 O_RDWR|O_TRUNC\n"
              "P0 read 4 8\nP0 lseek 3 0 SEEK_END\n");
  EXPECT_EQ(r.obs[3], "ret=0 data=\"\"");
  EXPECT_EQ(r.obs[4], "ret=0");
}

// "The result of using O_TRUNC without either O_RDWR or O_WRONLY is
// undefined." - POSIX open
TEST(Open, TruncWithReadOnlyIsUndefined) {
  EXPECT_EQ(special_of_last("P0 open f0 O_RDONLY|O_CREAT|O_TRUNC\n"), "Undefined");
}

// "If O_EXCL is set and O_CREAT is not set, the result is undefined." - POSIX open
TEST(Open, ExclWithoutCreatIsUndefined) {
  EXPECT_EQ(special_of_last("P0 open f0 O_RDWR|O_EXCL\n"), "Undefined");
}

// "Applications shall specify exactly one of the first five values (file
// access modes)" - POSIX open
TEST(Open, AccessModeThreeIsUndefined) {
  EXPECT_EQ(special_of_last("P0 open f0 0x3|O_CREAT\n"), "Undefined");
}

// "the file offset shall be set to the end of the file prior to each write"
// - POSIX write O_APPEND
TEST(Open, AppendWritesGoToTheEndOfTheFile) {
  ModelRun r = run(
      "P0 open f0 O_RDWR|O_CREAT\nP0 write 3 \"abc\"\n"
      "P0 open f0 O_WRONLY|O_APPEND\nP0 write 4 \"de\"\nP0 lseek 4 0 SEEK_CUR\n"
      "P0 lseek 3 0 SEEK_SET\nP0 read 3 8\n");
  EXPECT_EQ(r.obs[4], "ret=5");
  EXPECT_EQ(r.obs[6], "ret=5 data=\"abcde\"");
}

// Each open() creates a new open file description with its own offset.
TEST(Open, EachOpenHasItsOwnOffset) {
  ModelRun r = run("P0 open f0 O_RDWR|O_CREAT\nP0 open f0 O_RDWR\nP0 write 3 \"abc\"\nP0 read 4 8\n");
  EXPECT_EQ(r.obs[3], "ret=3 data=\"abc\"");
}

// O_NONBLOCK is recorded as a status flag of a regular file's description.
TEST(Open, NonblockIsReportedByGetfl) {
  ModelRun r = run("P0 open f0 O_RDONLY|O_CREAT|O_NONBLOCK|O_APPEND\nP0 getfl 3\n");
  EXPECT_EQ(r.obs[1], "ret=r+append+nonblock");
}

// openat() relative to the scratch directory is open() in the scratch directory.
TEST(OpenAt, BehavesLikeOpen) {
  ModelRun r = run("P0 openat f2 O_WRONLY|O_CREAT\nP0 write 3 \"q\"\nP0 open f2 O_RDONLY\nP0 read 4 8\n"
              "P0 openat f3 O_RDONLY\n");
  EXPECT_EQ(r.obs[0], "ret=3");
  EXPECT_EQ(r.obs[3], "ret=1 data=\"q\"");
  EXPECT_EQ(r.obs[4], "ret=-1 errno=ENOENT");
}

// ---- close --------------------------------------------------------------------------------

// "The close() function shall deallocate the file descriptor" - POSIX close
TEST(Close, DeallocatesTheDescriptor) {
  ModelRun r = run("P0 close 2\nP0 getfd 2\n");
  EXPECT_EQ(r.obs[0], "ret=0");
  EXPECT_EQ(r.obs[1], "ret=-1 errno=EBADF");
}

// "EBADF The fildes argument is not a open file descriptor." - POSIX close
TEST(Close, ClosedDescriptorFailsWithEbadf) {
  EXPECT_THAT(allowed_last("P0 close 9\n"), ElementsAre("ret=-1 errno=EBADF"));
}

// -1 is never an open descriptor.
TEST(Close, MinusOneFailsWithEbadf) {
  EXPECT_THAT(allowed_last("P0 close -1\n"), ElementsAre("ret=-1 errno=EBADF"));
}

// Descriptors >= FC_FIRST_RESERVED_FD are the executor's: a program naming one
// cannot run.
TEST(Close, ReservedDescriptorIsInvalid) {
  Program p = parse("P0 close 3\n");
  p.steps[0].args[0] = FC_FIRST_RESERVED_FD;
  EXPECT_EQ(special_of_last(p), "Invalid");
}

// ---- dup, dup2, dup3, F_DUPFD, F_DUPFD_CLOEXEC --------------------------------------------

// "dup() uses the lowest-numbered unused descriptor"; the two "refer to the
// same open file description ... and thus share file offset" - dup(2)
TEST(Dup, ReturnsTheLowestFreeDescriptorSharingTheOffset) {
  ModelRun r = run("P0 open f0 O_RDWR|O_CREAT\nP0 close 0\nP0 dup 3\nP0 write 3 \"abc\"\n"
              "P0 lseek 0 0 SEEK_CUR\n");
  EXPECT_EQ(r.obs[2], "ret=0");
  EXPECT_EQ(r.obs[4], "ret=3");
}

// "The close-on-exec flag (FD_CLOEXEC; see fcntl(2)) for the duplicate
// descriptor is off." - dup(2)
TEST(Dup, ClearsFdCloexecOnTheCopy) {
  ModelRun r = run("P0 pipe2 O_CLOEXEC\nP0 dup 3\nP0 getfd 5\nP0 getfd 3\n");
  EXPECT_EQ(r.obs[2], "ret=0");
  EXPECT_EQ(r.obs[3], "ret=1");
}

// EBADF for a descriptor that is not open.
TEST(Dup, ClosedDescriptorFailsWithEbadf) {
  EXPECT_THAT(allowed_last("P0 dup 5\n"), ElementsAre("ret=-1 errno=EBADF"));
}

// "If fildes is a valid file descriptor and is equal to fildes2, the dup2()
// function shall return fildes2 without closing it." "then dup2() does
// nothing" - dup2(2): FD_CLOEXEC stays set.
TEST(Dup2, SameDescriptorKeepsFdCloexec) {
  ModelRun r = run("P0 pipe2 O_CLOEXEC\nP0 dup2 3 3\nP0 getfd 3\n");
  EXPECT_EQ(r.obs[1], "ret=3");
  EXPECT_EQ(r.obs[2], "ret=1");
}

// "If fildes2 is already a valid open file descriptor, it shall be closed
// first" and "the FD_CLOEXEC flag associated with fildes2 shall be cleared"
// - POSIX dup2
TEST(Dup2, ClosesTheTargetAndClearsItsFdCloexec) {
  ModelRun r = run("P0 pipe2 O_CLOEXEC\nP0 dup2 3 4\nP0 getfd 4\nP0 getfl 4\n");
  EXPECT_EQ(r.obs[1], "ret=4");
  EXPECT_EQ(r.obs[2], "ret=0");
  EXPECT_EQ(r.obs[3], "ret=r");
}

// "If oldfd is not a valid file descriptor, then the call fails, and newfd is
// not closed." - dup2(2)
TEST(Dup2, BadSourceFailsWithEbadfAndLeavesTheTargetOpen) {
  ModelRun r = run("P0 dup2 7 1\nP0 getfd 1\n");
  EXPECT_EQ(r.obs[0], "ret=-1 errno=EBADF");
  EXPECT_EQ(r.obs[1], "ret=0");
}

// "fildes2 is negative" - POSIX dup2 EBADF
TEST(Dup2, NegativeTargetFailsWithEbadf) {
  EXPECT_THAT(allowed_last("P0 dup2 0 -1\n"), ElementsAre("ret=-1 errno=EBADF"));
}

// dup2 to a fresh number anywhere below the reserved range.
TEST(Dup2, CanTargetAHighFreeDescriptor) {
  ModelRun r = run("P0 dup2 0 999\nP0 getfl 999\n");
  EXPECT_EQ(r.obs[0], "ret=999");
  EXPECT_EQ(r.obs[1], "ret=rw");
}

// "EINVAL (dup3()) oldfd was equal to newfd." - dup(2)
TEST(Dup3, SameDescriptorFailsWithEinval) {
  EXPECT_THAT(allowed_last("P0 dup3 1 1 0\n"), ElementsAre("ret=-1 errno=EINVAL"));
}

// "The caller can force the close-on-exec flag to be set for the new file
// descriptor by specifying O_CLOEXEC in flags." - dup(2)
TEST(Dup3, CloexecFlagSetsFdCloexec) {
  ModelRun r = run("P0 dup3 0 5 O_CLOEXEC\nP0 getfd 5\nP0 dup3 0 6 0\nP0 getfd 6\n");
  EXPECT_EQ(r.obs[0], "ret=5");
  EXPECT_EQ(r.obs[1], "ret=1");
  EXPECT_EQ(r.obs[3], "ret=0");
}

// "EINVAL (dup3()) flags contain an invalid value." - dup(2)
TEST(Dup3, OtherFlagsFailWithEinval) {
  EXPECT_THAT(allowed_last("P0 dup3 0 5 O_NONBLOCK\n"), ElementsAre("ret=-1 errno=EINVAL"));
}

// Both EINVAL (oldfd == newfd) and EBADF (oldfd not open) apply: either may
// be returned. - POSIX XSH 2.3
TEST(Dup3, BadSourceEqualToTargetAllowsEinvalOrEbadf) {
  EXPECT_THAT(allowed_last("P0 dup3 8 8 0\n"),
              ElementsAre("ret=-1 errno=EBADF", "ret=-1 errno=EINVAL"));
}

// "the lowest numbered available (that is, not already open) file descriptor
// greater than or equal to the third argument" - POSIX fcntl F_DUPFD
TEST(DupFd, ReturnsTheLowestFreeDescriptorAtOrAboveTheMinimum) {
  ModelRun r = run("P0 dupfd 0 10\nP0 dupfd 0 10\nP0 dupfd 0 1\nP0 getfd 10\n");
  EXPECT_EQ(r.obs[0], "ret=10");
  EXPECT_EQ(r.obs[1], "ret=11");
  EXPECT_EQ(r.obs[2], "ret=3");
  EXPECT_EQ(r.obs[3], "ret=0");
}

// "EINVAL The cmd argument is F_DUPFD or F_DUPFD_CLOEXEC and arg is negative"
// - POSIX fcntl
TEST(DupFd, NegativeMinimumFailsWithEinval) {
  EXPECT_THAT(allowed_last("P0 dupfd 0 -1\n"), ElementsAre("ret=-1 errno=EINVAL"));
}

// A result in the executor's reserved range cannot be known or named.
TEST(DupFd, ResultInTheReservedRangeIsInvalid) {
  EXPECT_EQ(special_of_last("P0 dup2 0 999\nP0 dupfd 0 999\n"), "Invalid");
}

// "Like F_DUPFD, except that the FD_CLOEXEC flag associated with the new file
// descriptor shall be set." - POSIX fcntl F_DUPFD_CLOEXEC
TEST(DupFdCloexec, SetsFdCloexecOnTheCopy) {
  ModelRun r = run("P0 dupfd_cloexec 2 4\nP0 getfd 4\n");
  EXPECT_EQ(r.obs[0], "ret=4");
  EXPECT_EQ(r.obs[1], "ret=1");
}

// EBADF for a descriptor that is not open.
TEST(DupFdCloexec, ClosedDescriptorFailsWithEbadf) {
  EXPECT_THAT(allowed_last("P0 dupfd_cloexec 6 0\n"), ElementsAre("ret=-1 errno=EBADF"));
}

// ---- lseek --------------------------------------------------------------------------------

// SEEK_END: "the size of the file plus offset" - POSIX lseek
TEST(Lseek, SeekEndIsRelativeToTheSize) {
  ModelRun r = run("P0 open f0 O_RDWR|O_CREAT\nP0 write 3 \"abcd\"\nP0 lseek 3 -1 SEEK_END\nP0 read 3 8\n");
  EXPECT_EQ(r.obs[2], "ret=3");
  EXPECT_EQ(r.obs[3], "ret=1 data=\"d\"");
}

// SEEK_CUR: "its current location plus offset" - POSIX lseek
TEST(Lseek, SeekCurIsRelativeToTheOffset) {
  ModelRun r = run("P0 open f0 O_RDWR|O_CREAT\nP0 write 3 \"abcd\"\nP0 lseek 3 -3 SEEK_CUR\n");
  EXPECT_EQ(r.obs[2], "ret=1");
}

// "the resulting file offset would be negative for a regular file" - POSIX
// lseek EINVAL; the offset is unchanged.
TEST(Lseek, NegativeResultFailsWithEinval) {
  ModelRun r = run("P0 open f0 O_RDWR|O_CREAT\nP0 write 3 \"ab\"\nP0 lseek 3 -5 SEEK_CUR\n"
              "P0 lseek 3 0 SEEK_CUR\n");
  EXPECT_EQ(r.obs[2], "ret=-1 errno=EINVAL");
  EXPECT_EQ(r.obs[3], "ret=2");
}

// "allow the file offset to be set beyond the end of the existing data"
TEST(Lseek, BeyondTheEndIsAllowed) {
  ModelRun r = run("P0 open f0 O_RDWR|O_CREAT\nP0 lseek 3 100 SEEK_SET\nP0 read 3 8\n");
  EXPECT_EQ(r.obs[1], "ret=100");
  EXPECT_EQ(r.obs[2], "ret=0 data=\"\"");
}

// Linux /dev/null: llseek always leaves the offset at 0 and returns 0.
TEST(Lseek, NullAlwaysReturnsZero) {
  EXPECT_THAT(allowed_last("P0 lseek 0 -7 SEEK_CUR\n"), ElementsAre("ret=0"));
}

// Offsets past 2^31-1 depend on off_t and the file system.
TEST(Lseek, BeyondTheModelsLimitIsNotModeled) {
  EXPECT_EQ(special_of_last("P0 open f0 O_RDWR|O_CREAT\nP0 lseek 3 4294967296 SEEK_SET\n"),
            "NotModeled");
}

// EBADF for a descriptor that is not open.
TEST(Lseek, ClosedDescriptorFailsWithEbadf) {
  EXPECT_THAT(allowed_last("P0 lseek 3 0 SEEK_SET\n"), ElementsAre("ret=-1 errno=EBADF"));
}

// ---- fcntl F_GETFD, F_SETFD, F_GETFL, F_SETFL -----------------------------------------------

// F_SETFD sets the descriptor flags; F_GETFD reads them back.
TEST(SetFd, SetsAndClearsFdCloexec) {
  ModelRun r = run("P0 setfd 1 FD_CLOEXEC\nP0 getfd 1\nP0 getfd 2\nP0 setfd 1 0\nP0 getfd 1\n");
  EXPECT_EQ(r.obs[0], "ret=0");
  EXPECT_EQ(r.obs[1], "ret=1");
  EXPECT_EQ(r.obs[2], "ret=0");
  EXPECT_EQ(r.obs[4], "ret=0");
}

// "Get the file status flags and file access modes" - POSIX fcntl F_GETFL
TEST(GetFl, ReportsTheAccessModeOfNull) {
  EXPECT_THAT(allowed_last("P0 getfl 0\n"), ElementsAre("ret=rw"));
}

// "On Linux, this command can change only the O_APPEND, O_ASYNC, O_DIRECT,
// O_NOATIME, and O_NONBLOCK flags." - fcntl(2)
TEST(SetFl, ChangesOnlyAppendAndNonblock) {
  ModelRun r = run("P0 open f0 O_RDONLY|O_CREAT\nP0 setfl 3 O_RDWR|O_APPEND|O_TRUNC|O_CLOEXEC\n"
              "P0 getfl 3\nP0 getfd 3\nP0 setfl 3 O_NONBLOCK\nP0 getfl 3\n");
  EXPECT_EQ(r.obs[1], "ret=0");
  EXPECT_EQ(r.obs[2], "ret=r+append");
  EXPECT_EQ(r.obs[3], "ret=0");
  EXPECT_EQ(r.obs[5], "ret=r+nonblock");
}

// Status flags belong to the open file description: a dup sees them.
TEST(SetFl, IsSharedByDuplicatedDescriptors) {
  ModelRun r = run("P0 dup 1\nP0 setfl 3 O_APPEND\nP0 getfl 1\nP0 getfd 3\n");
  EXPECT_EQ(r.obs[2], "ret=rw+append");
}

// Setting O_NONBLOCK with F_SETFL makes an empty pipe read fail with EAGAIN.
TEST(SetFl, NonblockMakesAnEmptyPipeReadFailWithEagain) {
  EXPECT_THAT(allowed_last("P0 pipe\nP0 setfl 3 O_NONBLOCK\nP0 read 3 1\n"),
              ElementsAre("ret=-1 errno=EAGAIN"));
}

// "EBADF The fildes argument is not a valid open file descriptor" - POSIX fcntl
TEST(Fcntl, EveryCommandOnAClosedDescriptorFailsWithEbadf) {
  for (const char* step : {"P0 getfd 4\n", "P0 setfd 4 FD_CLOEXEC\n", "P0 getfl 4\n",
                           "P0 setfl 4 O_APPEND\n"}) {
    EXPECT_THAT(allowed_last(step), ElementsAre("ret=-1 errno=EBADF")) << step;
  }
}

}  // namespace
}  // namespace fc::oracle::testing
