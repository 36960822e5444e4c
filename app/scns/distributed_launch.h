#pragma once
// Data-parallel runs from the command line (docs/distributed.md). `scns train`, `distill` and
// `resume` run a stored run in one of three ways:
//   - in this process (distributed.processes = 1, no launcher variables);
//   - as one rank of a run started by torchrun-style launchers or Slurm's srun, which set
//     RANK/WORLD_SIZE/... or SLURM_PROCID/SLURM_NTASKS/... (dist/launch_env.h);
//   - as the launcher of distributed.processes ranks on this machine (--nproc-per-node N):
//     it starts N copies of this program (`scns dist-worker`) on a free loopback port, passes
//     Ctrl-C on to them, and ends the others when one of them dies.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>

#include "commands.h"
#include "dist/launch_env.h"
#include "train/run_job.h"

namespace scns::cli {

// The launcher's variables when this process is one rank of a run of several, else none.
// Throws ConfigError on malformed variables and on a master address that does not resolve.
std::optional<DistributedEnv> launchedRank();

// Runs stored run `runId` in this process (processes = 1) or as the launcher of `processes`
// local ranks; returns the exit code (ExitCode).
int runStoredRun(const std::filesystem::path& db, std::int64_t runId, const RunOptions& options, std::int64_t processes,
                 double timeoutSeconds);

// This process as rank env.rank of a launched run: rank 0 calls `runOnRank0` (which stores the
// run, or finds it) and executes it; the other ranks train it with the request rank 0 sends.
int runAsRank(const DistributedEnv& env, const std::filesystem::path& db,
              const std::function<std::int64_t()>& runOnRank0, const RunOptions& options, double timeoutSeconds);

// The result on the terminal; returns the exit code.
int reportResult(const RunResult& r, std::int64_t runId, const std::filesystem::path& db);

}  // namespace scns::cli
