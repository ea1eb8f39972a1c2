// Close-on-exec race trials (issue 5): `fcp-exec race` and its exec'd image.
//
//   fcp-exec race PATH SPAWNER TRIALS THREADS TIMEOUT_MS
//       THREADS creator threads each create descriptors by PATH while the
//       main thread (the spawner) starts the report image by SPAWNER
//       (fork | vfork | spawn), TRIALS times. Output, one line each:
//         RACE <path> <spawner> <trials> <threads> <pid-mode>
//         T <trial> <created> <held>     created: descriptors the creators
//                                        made; held: how many of them the
//                                        exec'd image held
//         E ok <trials>  |  E error <trial> <message>  |  E timeout <trial> <message>
//   fcp-exec race-report
//       (internal) the exec'd image: writes the fd report (WriteFdReport) to
//       kRaceReportFd and exits.
//
// Paths, spawners and the allowed outcomes: oracles/cloexec_race.h.
#pragma once

namespace fcp {

int RaceMain(int argc, char** argv);
int RaceReportMain();

}  // namespace fcp
