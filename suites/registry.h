// The suites: one RapidCheck property per semantic area. Each suite is a
// claim ("whatever the program, the target's observations are allowed by
// the model") over programs that stress one area. The same definitions are
// run by `forkconf run --suite NAME` and by the GoogleTest binaries.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/campaign.h"

namespace fc::suites {

const std::vector<SuiteDef>& all();
std::optional<SuiteDef> find(const std::string& name);
std::vector<std::string> names();

}  // namespace fc::suites
