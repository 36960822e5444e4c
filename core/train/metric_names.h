#pragma once
// The names of the metric rows a training run records (store, live curves, CLI tables). Plain
// constants with no torch or Qt include, so core, the CLI and the workbench name a series the
// same way; a name written as a literal elsewhere drifts the day one of these changes.

namespace scns::metric {

// Per step.
inline constexpr const char* kTrainLoss = "train/loss";
inline constexpr const char* kLr = "train/lr";
// Per epoch.
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
// Every sampler statistic's name starts with this prefix (the sampler statistics view lists
// the series by it).
inline constexpr const char* kSamplerPrefix = "sampler/";
inline constexpr const char* kNegativeCosine = "sampler/mean_negative_cosine";
inline constexpr const char* kTopKClassShare = "sampler/topk_class_share";
inline constexpr const char* kSameClassShare = "sampler/same_class_share";
inline constexpr const char* kFromTopKShare = "sampler/from_topk_share";

// Distillation runs: the KD term per step (the CRD term is kContrastiveLoss) and the teacher's
// test accuracy, measured once before training (epoch 0).
inline constexpr const char* kKdLoss = "train/kd_loss";
inline constexpr const char* kTeacherTestTop1 = "teacher/test_top1";
inline constexpr const char* kTeacherTestTop5 = "teacher/test_top5";

}  // namespace scns::metric
