#pragma once
// How callers watch a training run: a plain C++ observer (no Qt), in the spirit of
// ensmallen's callbacks. Called on the training thread; implementations that talk to a GUI
// must forward the (plain value) structs to their own thread.
#include <cstdint>
#include <optional>
#include <string>

namespace scns {

struct RunStartInfo {
    std::int64_t runId = 0;
    std::int64_t epochs = 0;
    std::int64_t startEpoch = 0;  // completed epochs before this start (> 0 on resume)
    std::int64_t batchesPerEpoch = 0;
    std::int64_t trainSize = 0;
    std::int64_t testSize = 0;
    std::int64_t numClasses = 0;
    std::int64_t parameters = 0;
    std::string device;
    std::int64_t threads = 0;     // per process
    std::int64_t processes = 1;   // of a data-parallel run (docs/distributed.md)
};

struct BatchProgress {
    std::int64_t epoch = 0;  // 1-based
    std::int64_t batch = 0;  // 1-based within the epoch
    std::int64_t batchesPerEpoch = 0;
    std::int64_t step = 0;   // global optimiser step, 1-based
    double loss = 0;
    double lr = 0;
    double imagesPerSecond = 0;  // this epoch so far
    double etaSeconds = 0;       // to the end of the run
};

struct EpochSummary {
    std::int64_t epoch = 0;  // 1-based
    std::int64_t step = 0;
    double trainLoss = 0;
    double trainTop1 = 0;  // percent
    double testLoss = 0;
    double testTop1 = 0;   // percent
    double testTop5 = 0;   // percent
    double lr = 0;
    double seconds = 0;          // training part of the epoch
    double evalSeconds = 0;
    double imagesPerSecond = 0;
    double dataWaitShare = 0;    // share of the training time spent waiting for batches
};

// Interrupted: a data-parallel run lost one of its processes (docs/distributed.md); its
// checkpoints are intact and resume continues it.
enum class RunOutcome { Finished, Cancelled, Diverged, Failed, Interrupted };

struct RunResult {
    RunOutcome outcome = RunOutcome::Finished;
    std::string message;
    std::int64_t epochsCompleted = 0;
    std::optional<EpochSummary> last;
};

class TrainingObserver {
public:
    virtual ~TrainingObserver() = default;
    virtual void onRunBegin(const RunStartInfo&) {}
    virtual void onEpochBegin(std::int64_t /*epoch*/, std::int64_t /*batches*/) {}
    virtual void onBatchEnd(const BatchProgress&) {}
    virtual void onEpochEnd(const EpochSummary&) {}
    virtual void onCheckpoint(std::int64_t /*epoch*/, const std::string& /*path*/) {}
    virtual void onRunEnd(const RunResult&) {}
    // Something the user should know that does not stop the run, e.g. a resume that fell back
    // to an older checkpoint because the newest could not be read. One line.
    virtual void onNotice(const std::string& /*text*/) {}
};

}  // namespace scns
