#pragma once
// A data-parallel run started from a program that trains in its own process (the workbench):
// rank 0 runs here, on the calling thread, with the caller's observer and stop, and the other
// ranks are `scns dist-worker` processes on this machine (docs/distributed.md).
#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

#include "train/run_job.h"

namespace scns {

// Executes stored run `runId`, whose configuration asks for `processes` > 1, as rank 0 with
// ranks 1 .. processes - 1 started as `workerProgram --db DB dist-worker ID ...` (the scns
// program). As executeRun: training problems come back in the result; a lost rank makes it
// RunOutcome::Interrupted with the rank named in the stored message. Throws what executeRun
// throws before training, and ConfigError when workerProgram cannot be run or this build has
// no process group.
// The command line (after the program) of a rank started by a local launcher: `--db DB
// dist-worker ID --timeout S` and the resume options.
std::vector<std::string> workerArguments(const std::filesystem::path& dbPath, std::int64_t runId,
                                         const RunOptions& options, double timeoutSeconds);

RunResult executeRunWithLocalRanks(const std::filesystem::path& dbPath, std::int64_t runId, const RunOptions& options,
                                   TrainingObserver& observer, std::stop_token stop, int processes,
                                   double timeoutSeconds, const std::filesystem::path& workerProgram);

}  // namespace scns
