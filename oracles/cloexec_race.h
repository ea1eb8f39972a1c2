// The close-on-exec race model (suite cloexec_race, issue 5).
//
// One trial: creator threads make descriptors by a path while another thread
// starts an image by a spawner (fork+execve, vfork+execve, posix_spawn); the
// image reports which of the created descriptors it holds. The model gives,
// per path, the allowed number held (a closed range: nondeterminism is
// explicit), with the rules that decide it (quotes in spec/cloexec_race.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "oracles/model.h"

namespace fc::oracle::race {

enum class Kind {
  Atomic,      // created close-on-exec atomically: never held
  Racy,        // created without the flag and marked later: held or not
  KeptByExec,  // the image must hold every one (adddup2(fd, fd), plain atfork child open)
};

struct PathInfo {
  std::string name;                   // as `fcp-exec race` spells it
  Kind kind;
  std::vector<std::string> spawners;  // the spawners this path runs with
  std::vector<std::string> rules;
  std::string how;                    // one line: how the descriptor is made
};

// Every path, in a fixed order.
const std::vector<PathInfo>& paths();
const PathInfo* find_path(const std::string& name);
// "fork", "vfork", "spawn".
const std::vector<std::string>& spawners();

struct Allowed {
  int min_held = 0;
  int max_held = 0;
  std::vector<std::string> rules;
  bool allows(int held) const { return held >= min_held && held <= max_held; }
  std::string text() const;  // "0", "0..2", "2"
};

// What a trial of `path` that created `created` descriptors may observe.
Allowed allowed(const PathInfo& path, int created, const Profile& profile);

}  // namespace fc::oracle::race
