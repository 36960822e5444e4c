#pragma once
// A sweep of runs as a Slurm job array (docs/cluster.md): one task per run, each task with a
// shard store of its own in the sweep's folder (SQLite must not be shared by many writers over
// a network file system), requeued tasks resuming their run. Plain C++: the scripts are text and
// sbatch/squeue are started as programs.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "train/run_config.h"

namespace scns {

struct SlurmOptions {
    std::string jobName = "scns";
    std::string partition;  // empty: the cluster's default
    std::string time;  // --time, e.g. 04:00:00; empty: the partition's default
    std::string memory;  // --mem, e.g. 16G
    int cpusPerTask = 0;  // 0: not set
    int gpusPerTask = 0;  // 0: not set
    std::vector<std::string> extraLines;  // more "#SBATCH ..." lines, as given
    std::string afterJob;  // start after this job finished well (--dependency=afterok)
    std::string scnsProgram = "scns";  // the program the tasks run (absolute when known)
};

// The files of a sweep in `dir`: task-<i>.json (each run's configuration), task-<i>.sqlite (its
// shard store, made by the task), sweep.sbatch (the array job), logs/, and sweep.json (what
// was submitted: job id and tasks).
struct SlurmSweep {
    std::filesystem::path dir;
    std::vector<RunConfig> runs;
    SlurmOptions options;

    std::filesystem::path configFile(std::size_t task) const
    {
        return dir / ("task-" + std::to_string(task) + ".json");
    }
    std::filesystem::path storeFile(std::size_t task) const
    {
        return dir / ("task-" + std::to_string(task) + ".sqlite");
    }
    std::filesystem::path scriptFile() const { return dir / "sweep.sbatch"; }
    std::filesystem::path recordFile() const { return dir / "sweep.json"; }
};

// The sbatch script of the array: one task per run; a task requeued (time limit, preemption,
// scontrol requeue) resumes its run from its newest checkpoint. A run of several processes
// (distributed.processes) is started with srun, one rank per task process
// (docs/distributed.md).
std::string sbatchScript(const SlurmSweep& sweep);

// Writes the configurations and the script into sweep.dir (created). Throws ConfigError naming
// the folder when it holds another sweep already.
void writeSweep(const SlurmSweep& sweep);

// Submits the script with `sbatch --parsable`; returns the job id and records it in
// sweep.json. Throws ConfigError with sbatch's own message when sbatch is missing or refuses.
std::string submitSweep(const SlurmSweep& sweep, const std::string& sbatch = "sbatch");

// One task of a submitted sweep: the scheduler's state (squeue; "done or gone" when it has
// left the queue) beside its run's own status in its shard store.
struct SweepTaskState {
    std::size_t task = 0;
    std::string name;
    std::string schedulerState;  // PENDING, RUNNING, ... or "not in queue"
    std::string reason;  // squeue's reason, e.g. Dependency
    std::string runStatus;  // queued, running, finished, ... or "no store yet"
    std::int64_t epochsDone = 0, epochs = 0;
};
std::vector<SweepTaskState> sweepStatus(const std::filesystem::path& dir, const std::string& squeue = "squeue");

// Runs `argv` and returns its exit status and output (stdout, then stderr). Exit 127: it could
// not be started.
struct ProgramOutput {
    int status = 127;
    std::string out, err;
};
ProgramOutput runProgram(const std::vector<std::string>& argv);

}  // namespace scns
