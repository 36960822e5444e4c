#pragma once
// The supervised (cross-entropy) training loop: data, network, SGD, schedule, evaluation
// after each epoch, checkpoints, divergence detection and cooperative cancellation.
#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <vector>

#include "train/observer.h"
#include "train/recorder.h"
#include "train/run_config.h"

namespace scns {

struct TrainRequest {
    RunConfig config;
    std::int64_t runId = 0;
    std::filesystem::path checkpointDir;  // epoch-N.pt files go here
    std::filesystem::path resumeFrom;     // empty: start from scratch
    // Older checkpoints, newest first, tried in turn when resumeFrom cannot be read (each
    // skipped one is reported through TrainingObserver::onNotice).
    std::vector<std::filesystem::path> resumeFallbacks;
};

// Runs on the calling thread until the run finishes, diverges or `stop` is requested (checked
// every batch). Bad input (data, config, checkpoint) throws a typed scns::Error; the caller
// decides how to report it (train/run_job.h marks the run failed).
RunResult train(const TrainRequest& request, TrainingObserver& observer, RunRecorder& recorder,
                std::stop_token stop);

// Metric names the loop records (per step, then per epoch).
namespace metric {
inline constexpr const char* kTrainLoss = "train/loss";
inline constexpr const char* kLr = "train/lr";
inline constexpr const char* kTrainEpochLoss = "train/epoch_loss";
inline constexpr const char* kTrainTop1 = "train/top1";
inline constexpr const char* kTestLoss = "test/loss";
inline constexpr const char* kTestTop1 = "test/top1";
inline constexpr const char* kTestTop5 = "test/top5";
inline constexpr const char* kEpochSeconds = "time/epoch_seconds";
inline constexpr const char* kImagesPerSecond = "time/images_per_second";
inline constexpr const char* kDataWaitShare = "time/data_wait_share";
// Contrastive runs: loss components per step, sampler statistics per epoch.
inline constexpr const char* kCeLoss = "train/ce_loss";
inline constexpr const char* kContrastiveLoss = "train/contrastive_loss";
inline constexpr const char* kContrastiveEpochLoss = "contrastive/epoch_loss";
inline constexpr const char* kNegativeCosine = "sampler/mean_negative_cosine";
inline constexpr const char* kTopKClassShare = "sampler/topk_class_share";
inline constexpr const char* kSameClassShare = "sampler/same_class_share";
inline constexpr const char* kFromTopKShare = "sampler/from_topk_share";
// Distillation runs: the KD term per step (the CRD term is kContrastiveLoss) and the teacher's
// test accuracy, measured once before training (epoch 0).
inline constexpr const char* kKdLoss = "train/kd_loss";
inline constexpr const char* kTeacherTestTop1 = "teacher/test_top1";
inline constexpr const char* kTeacherTestTop5 = "teacher/test_top5";
}  // namespace metric

}  // namespace scns
