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

class RunStore;

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
RunResult executeRun(const std::filesystem::path& dbPath, std::int64_t runId, const RunOptions& options,
                     TrainingObserver& observer, std::stop_token stop);
// Same, with RunOptions{resume}.
RunResult executeRun(const std::filesystem::path& dbPath, std::int64_t runId, bool resume, TrainingObserver& observer,
                     std::stop_token stop);

// An exception's text on one line, for a run's stored message: the lines of a multi-line
// error joined ("invalid configuration (1 problem): optim.lr = ..."), LibTorch's C++
// backtrace cut.
std::string oneLineMessage(const std::string& what);

}  // namespace scns
