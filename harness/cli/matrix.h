// forkconf targets / forkconf matrix (issue 6): every target's availability,
// and the same seeded programs on several (target, libc) cells compared in
// one report (matrix.json + matrix.md: suites x cells, each divergence with
// its minimal program and the cells it occurs in).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/campaign.h"

namespace fc {

int targets_command(const std::string& executor);

struct MatrixOptions {
  std::vector<std::string> targets;
  std::vector<std::string> libcs;
  std::vector<SuiteDef> suites;
  std::string executor;  // the default (glibc static) build
  std::uint64_t seed = 1;
  int cases = 100;
  int jobs = 2;
  int timeout_ms = 3000;
  std::string out_dir;
  bool quiet = false;
  std::string command_line;
};

int matrix_command(const MatrixOptions& options);

}  // namespace fc
