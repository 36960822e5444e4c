#pragma once
// The training loop's callbacks, in ensmallen's style: train() (train/trainer.cpp) runs the
// epochs and steps and calls each hook of every callback in the order they were added; what a
// run checks, records and saves around the loop is one callback each
// (train/training_callbacks.h). Called on the training thread.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "train/observer.h"

namespace scns {

struct TrainStep {
    std::int64_t epoch = 0;  // 1-based
    std::int64_t batch = 0;  // 1-based within the epoch
    std::int64_t step = 0;   // global optimiser step, 1-based
    double lr = 0;
    double loss = 0;         // the whole loss of the batch
    std::int64_t epochsCompleted = 0;  // epochs with a checkpoint written
    // The loss components the run has, known by stepTaken (not yet by evaluate).
    std::optional<double> ceLoss, contrastiveLoss, kdLoss;
};

struct EpochEnd {
    const EpochSummary& summary;
    const std::vector<std::int64_t>& testConfusion;  // C x C counts, row = true class
};

class TrainingCallback {
public:
    virtual ~TrainingCallback() = default;
    // Once the loss of a step is known, before the optimiser steps (ensmallen's Evaluate):
    // a reason to stop the run as diverged, or nothing to go on.
    virtual std::optional<std::string> evaluate(const TrainStep&) { return std::nullopt; }
    // After the optimiser step and the memory-bank update.
    virtual void stepTaken(const TrainStep&) {}
    // After the epoch's evaluation on the test split; may throw to fail the run.
    virtual void endEpoch(const EpochEnd&) {}
};

}  // namespace scns
