#pragma once
// A stored run, executed: the glue between the run store and the training loop that both the
// CLI and the GUI worker use. Status bookkeeping lives here and nowhere else.
#include <cstdint>
#include <filesystem>
#include <stop_token>

#include "common/errors.h"
#include "train/observer.h"
#include "train/run_config.h"

namespace scns {

class ReplicaGroup;
class RunStore;

// This process's place in a data-parallel run (docs/distributed.md).
struct ReplicaPlace {
    ReplicaGroup* group = nullptr;  // null: the run has one process
    int localRank = 0;  // among the run's processes on this machine (its GPU)
    int localProcesses = 1;  // the run's processes on this machine (threads = 0 shares the cores)
};

// A resume that would lose work: the run recorded checkpoints but none of their files can be
// used. Starting it over needs RunOptions::fromScratch (`scns resume N --from-scratch`).
class NoUsableCheckpointError : public Error {
public:
    using Error::Error;
};

// A run recorded as `running` whose owner still looks alive (or runs on another host).
class RunOwnedError : public Error {
public:
    using Error::Error;
};

struct RunOptions {
    // Continue from the newest checkpoint that can be read; a corrupt newest one falls back to
    // the one before (and says so through TrainingObserver::onNotice and the run's message).
    bool resume = false;
    // With resume: start over from epoch 0 when no checkpoint can be used. Without it such a
    // resume throws NoUsableCheckpointError and changes nothing.
    bool fromScratch = false;
    // Take over a run recorded as `running` (its owner is known to be gone, e.g. on another
    // host, which this host cannot check). Without it that throws RunOwnedError.
    bool force = false;
};

// Stores a new queued run for `config` (a validated configuration: runConfigFromJson or
// RunConfig::validate() at the boundary it came through) and returns its id. Its parent is
// `parentRunId`, except for a distillation run whose teacher is a run of this store (by
// distill.teacher_run or by the checkpoint file it names): then the teacher's run.
std::int64_t createRun(RunStore& store, const RunConfig& config, std::int64_t parentRunId = 0);

// Where a run's checkpoint files go: "<db file>.checkpoints/run-<id>" beside the store
// (absolute; see store/checkpoint_location.h).
std::filesystem::path checkpointDirFor(const std::filesystem::path& dbPath, std::int64_t runId);

// Trains run `runId` of the database at `dbPath` on the calling thread, with its own store
// connection. Never throws for training problems: any exception (LibTorch's included, e.g. a
// full disk while writing a checkpoint) marks the run failed with a one-line message and
// comes back as RunOutcome::Failed; half-written checkpoint files are removed. Throws
// StoreError only if the store itself cannot be opened, std::invalid_argument when a
// finished run is asked to resume, RunOwnedError and NoUsableCheckpointError (see
// RunOptions); the store is unchanged then.
//
// With place.group (a data-parallel run), this is rank 0: it sends the run's request to the
// other ranks (executeReplica), records everything and writes the checkpoints. A rank that
// stops (its process died, it hangs past distributed.timeout, it failed) ends the run as
// RunOutcome::Interrupted, status interrupted, with a message naming the rank where known;
// resume continues it.
RunResult executeRun(const std::filesystem::path& dbPath, std::int64_t runId, const RunOptions& options,
                     TrainingObserver& observer, std::stop_token stop, const ReplicaPlace& place = {});
// Any rank but 0 of a data-parallel run: trains the run rank 0 executes, with the request rank 0
// sends; records nothing (no store is opened). A failure of its own is left as a note for rank
// 0, which names it in the run's message.
RunResult executeReplica(const ReplicaPlace& place, TrainingObserver& observer, std::stop_token stop);
// A run's result as the store recorded it (another process trained it: the ranks a launcher
// started): its status as the outcome, its message, the newest checkpoint's epoch.
RunResult recordedResult(const std::filesystem::path& dbPath, std::int64_t runId);
// Same, with RunOptions{resume}.
RunResult executeRun(const std::filesystem::path& dbPath, std::int64_t runId, bool resume, TrainingObserver& observer,
                     std::stop_token stop);

// An exception's text on one line, for a run's stored message: the lines of a multi-line
// error joined ("invalid configuration (1 problem): optim.lr = ..."), LibTorch's C++
// backtrace cut.
std::string oneLineMessage(const std::string& what);

}  // namespace scns
