#pragma once
// The callbacks every training run has (train/training_callback.h), in the order train() adds
// them: the probe negatives, the metric rows, the divergence checks, the checkpoints.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "train/recorder.h"
#include "train/training_callback.h"

namespace torch::nn {
class Module;
}
namespace torch::optim {
class SGD;
}

namespace scns {

class ContrastiveTerm;
class Teacher;
struct TorchValue;

// Contrastive runs: the negatives drawn for the probe anchors, sent at each epoch's end.
class ProbeRecording final : public TrainingCallback {
public:
    explicit ProbeRecording(ContrastiveTerm& contrastive) : m_contrastive(contrastive) {}
    void endEpoch(const EpochEnd& end) override;

private:
    ContrastiveTerm& m_contrastive;
};

// The metric rows (train/trainer.h's metric names): the loss, its components and the learning
// rate per step; the epoch summary, the test confusion matrix and the sampler statistics per
// epoch, then a flush, so the store has the epoch's rows before its checkpoint is recorded.
class MetricRecording final : public TrainingCallback {
public:
    // contrastive: null unless the run has a contrastive term.
    MetricRecording(RunRecorder& recorder, std::vector<std::string> testClassNames, const ContrastiveTerm* contrastive)
        : m_recorder(recorder), m_testClassNames(std::move(testClassNames)), m_contrastive(contrastive)
    {
    }
    void stepTaken(const TrainStep& step) override;
    void endEpoch(const EpochEnd& end) override;

private:
    RunRecorder& m_recorder;
    std::vector<std::string> m_testClassNames;
    const ContrastiveTerm* m_contrastive;
};

// Stops a run whose loss is NaN, infinite or above divergence_loss; fails a distillation run
// whose frozen teacher changed during an epoch (before that epoch's checkpoint is written).
class DivergenceCheck final : public TrainingCallback {
public:
    // teacher: null without distillation; teacherHash: its state hash when training began.
    DivergenceCheck(double lossBound, const Teacher* teacher, std::uint64_t teacherHash, std::string teacherWeights)
        : m_lossBound(lossBound), m_teacher(teacher), m_teacherHash(teacherHash), m_teacherWeights(std::move(teacherWeights))
    {
    }
    std::optional<std::string> evaluate(const TrainStep& step) override;
    void endEpoch(const EpochEnd& end) override;

private:
    double m_lossBound;
    const Teacher* m_teacher;
    std::uint64_t m_teacherHash;
    std::string m_teacherWeights;
};

// Writes epoch-N.pt after each epoch (model, optimiser, RNG and the extra state), records it,
// keeps the newest `keep` files, and tells the observer.
class Checkpointing final : public TrainingCallback {
public:
    struct Target {
        std::filesystem::path dir;
        std::int64_t keep = 2;
        std::string arch, dataset;  // stored in each checkpoint's meta
    };
    Checkpointing(Target target, torch::nn::Module& model, torch::optim::SGD& optimizer,
                  std::function<void(TorchValue&)> extra, RunRecorder& recorder, TrainingObserver& observer)
        : m_target(std::move(target)),
          m_model(model),
          m_optimizer(optimizer),
          m_extra(std::move(extra)),
          m_recorder(recorder),
          m_observer(observer)
    {
    }
    void endEpoch(const EpochEnd& end) override;

private:
    Target m_target;
    torch::nn::Module& m_model;
    torch::optim::SGD& m_optimizer;
    std::function<void(TorchValue&)> m_extra;
    RunRecorder& m_recorder;
    TrainingObserver& m_observer;
};

}  // namespace scns
