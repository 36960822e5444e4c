#pragma once
// A stored run, executed: the glue between the run store and the training loop that both the
// CLI and the GUI worker use. Status bookkeeping lives here and nowhere else.
#include <cstdint>
#include <filesystem>
#include <stop_token>

#include "train/observer.h"
#include "train/run_config.h"

namespace scns {

class RunStore;

// Stores a new queued run for `config` (validated first) and returns its id.
std::int64_t createRun(RunStore& store, const RunConfig& config, std::int64_t parentRunId = 0);

// Where a run's checkpoint files go: <database folder>/checkpoints/run-<id>.
std::filesystem::path checkpointDirFor(const std::filesystem::path& dbPath, std::int64_t runId);

// Trains run `runId` of the database at `dbPath` on the calling thread, with its own store
// connection. resume: continue from the newest checkpoint on disk (from scratch when there is
// none). Never throws for training problems: a typed error marks the run failed and comes
// back as RunOutcome::Failed with its message. Throws StoreError only if the store itself
// cannot be opened, and std::invalid_argument when a finished run is asked to resume.
RunResult executeRun(const std::filesystem::path& dbPath, std::int64_t runId, bool resume, TrainingObserver& observer,
                     std::stop_token stop);

}  // namespace scns
