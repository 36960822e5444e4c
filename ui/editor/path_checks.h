#pragma once
// Checks the editor adds to RunConfig::validate(): the files and folders a run will read must
// exist, and a data set without a default folder needs one. Caught here they are marked at
// the field before launch instead of failing the run a few seconds into it.
#include <vector>

#include "common/errors.h"
#include "train/run_config.h"

namespace scns {

std::vector<FieldProblem> checkPaths(const RunConfig& config);

}  // namespace scns
