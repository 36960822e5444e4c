#pragma once
// A run's whole configuration: one struct, read from and written to JSON.
//
// Each member is described once, in the settings table (train/run_settings.cpp): its dotted
// JSON key, type, allowed range or choices, help text, group and when it applies. The JSON
// reader and writer, validation, the command line's flags and --set, the workbench's editor
// rows and the configuration reference in docs/usage.md are all made from that table; the
// member's default is its initialiser here. To add a setting: a member here, one entry in the
// table, the code that uses it (docs/contributing.md).
//
// A RunConfig that came through the boundary (runConfigFromJson, validate()) is trusted by core:
// trainers, samplers and losses do not check it again.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/choices.h"
#include "semantic/class_similarity_source.h"

namespace scns {

struct DataConfig {
    DatasetId dataset = DatasetId::FashionMnist;
    std::string folder;                 // empty: the data set's default folder, if it has one
    std::int64_t trainPerClass = 0;     // 0: all training images; else at most this many per class
    std::int64_t testPerClass = 0;      // 0: the whole test split
    std::optional<std::int64_t> cropPadding;  // unset: 4 for CIFAR/Tiny-ImageNet, 0 for Fashion-MNIST
    std::optional<bool> flip;                 // unset: true for CIFAR/Tiny-ImageNet, false for Fashion-MNIST
    bool prefetch = true;               // prepare the next batch on a background thread
    DataPlacement placement = DataPlacement::Auto;  // images in host memory or on the run's device

    std::int64_t resolvedCropPadding() const;
    bool resolvedFlip() const;
};

struct OptimConfig {
    OptimizerKind optimizer = OptimizerKind::Sgd;
    double lr = 0.2;
    double momentum = 0.9;
    double weightDecay = 5e-4;
    bool nesterov = true;
};

struct ScheduleConfig {
    ScheduleKind kind = ScheduleKind::OneCycle;
    double warmupEpochs = 0.0;          // linear warm-up from 0 (fractions of an epoch allowed)
    std::vector<std::int64_t> milestones;  // multistep: epochs at which lr *= gamma
    double gamma = 0.1;
    double minLr = 0.0;                 // cosine/onecycle floor
};

// Contrastive term (docs/method.md): L = CE + beta * L_con over a memory bank, with negatives from
// a (semantically conditioned) sampler. Off unless `enabled`.
struct ContrastiveConfig {
    bool enabled = false;
    Objective objective = Objective::InfoNce;  // supcon: in-batch, class-balanced batches
    SamplerKind sampler = SamplerKind::Uniform;
    std::int64_t negatives = 4096;        // K per anchor
    double tau = 0.07;
    double beta = 1.0;
    double momentum = 0.5;                // memory-bank update
    Precision bankDtype = Precision::Fp32;  // what the memory banks store their rows in
    std::int64_t featureDim = 128;        // projection head output
    Positive positive = Positive::SameClass;
    double epsilon = 0.0;                 // share of negatives drawn uniformly instead
    std::int64_t refreshEpochs = 1;       // R: model-based similarity / top-k table refresh
    // A fixed reference network instead of the model itself: weights (ours or PyTorch's) and
    // its architecture (empty: the run's). Its outputs are computed once, never refreshed.
    std::string referenceWeights;
    std::string referenceArch;
    std::int64_t probeAnchors = 16;       // anchors whose negatives are recorded each epoch
    std::int64_t probeNegatives = 32;     // negatives recorded per probe anchor and epoch
    // class sampler
    ClassSimilaritySource similarity = ClassSimilaritySource::WordNet;
    std::string similarityFile;           // for similarity = file: C x C CSV or word vectors
    std::int64_t classK = 3;
    double classTau = 0.1;
    bool classUniform = false;            // uniform over the top-k classes instead of softmax
    // instance sampler
    std::int64_t instanceK = 64;
    InstanceWeighting instanceWeighting = InstanceWeighting::Uniform;
    double instanceTau = 0.1;
    bool instanceOtherClassesOnly = true;
    // supcon: batches of batch_size / m classes, m samples each (classes chosen by the class
    // similarity when sampler = class, else uniformly)
    std::int64_t supconSamplesPerClass = 4;
    // Latent Mixup pseudo-negatives (0: off)
    std::int64_t mixupCount = 0;
    double mixupAlpha = 1.0;
    MixupMode mixupMode = MixupMode::Pairs;
};

// Knowledge distillation (docs/method.md, distillation): a frozen teacher and
//   L = gamma CE + alpha T^2 KL(softmax(t/T) || softmax(s/T)) + beta L_CRD.
// With a crd method the `contrastive` section configures CRD's negatives (sampler, negatives,
// tau, momentum, infonce or nce, mixup, feature_dim); its beta and positive do not apply (beta
// is crd_weight; CRD's positive is the anchor's own row of the other bank).
struct DistillConfig {
    DistillMethod method = DistillMethod::None;
    std::string teacherWeights;         // an SCNS checkpoint or a PyTorch file
    std::string teacherArch;            // empty: the architecture an SCNS checkpoint names
    std::int64_t teacherRunId = 0;      // the stored run the weights come from (0: imported)
    double temperature = 4.0;           // T
    std::optional<double> ceWeight;     // gamma; unset: 0.1 for kd, else 1
    std::optional<double> kdWeight;     // alpha; unset: 0.9 for kd, 1 for crd+kd, 0 for crd
    std::optional<double> crdWeight;    // beta;  unset: 0.8 for crd and crd+kd, 0 for kd

    bool enabled() const { return method != DistillMethod::None; }
    bool usesCrd() const { return method == DistillMethod::Crd || method == DistillMethod::CrdKd; }
    double gamma() const;
    double alpha() const;
    double beta() const;
};

struct CheckpointConfig {
    std::int64_t keep = 2;              // newest checkpoint files kept on disk per run
};

// Data-parallel training (docs/distributed.md).
struct DistributedConfig {
    // World size: the processes that train the run together, each on its shard of every
    // global batch. `scns train` starts them on this machine; under torchrun or srun it is the
    // launcher's WORLD_SIZE / SLURM_NTASKS.
    std::int64_t processes = 1;
    // How long a rank waits for the others (rendezvous and every exchange) before the run ends
    // as interrupted, naming the rank that stopped answering.
    double timeoutSeconds = 600;
    // Batch norm over the whole global batch (PyTorch's SyncBatchNorm) instead of each rank's
    // share of it (DDP's default).
    bool syncBatchNorm = false;
    // What carries the exchanges of GPU tensors: NCCL where this build has it (auto), or Gloo.
    CollectiveBackend backend = CollectiveBackend::Auto;
};

struct RunConfig {
    std::string name;                   // empty: generated from data set, network and seed
    DataConfig data;
    std::string arch = "small-cnn";
    OptimConfig optim;
    ScheduleConfig schedule;
    std::int64_t epochs = 3;
    std::int64_t batchSize = 128;
    std::int64_t evalBatchSize = 512;
    std::uint64_t seed = 0;
    std::int64_t threads = 0;           // 0: all cores
    std::string device = "cpu";         // cpu | cuda | cuda:N
    Precision precision = Precision::Fp32;  // autocast dtype of the forward pass
    bool channelsLast = false;          // NHWC activations and weights
    // A batch loss above this (in absolute value) ends the run as diverged, as NaN and
    // infinity do: a loss of 1e15 is no training worth finishing.
    double divergenceLoss = 1e6;
    ContrastiveConfig contrastive;
    DistillConfig distill;
    CheckpointConfig checkpoint;
    DistributedConfig distributed;

    // Throws ConfigError listing every invalid field (name, value, allowed range) at once:
    // each setting that applies against its declared range, then the rules between settings.
    void validate() const;
    std::string displayName() const;
};

// A seed typed by a user (--seed): decimal, 0 to 2^64 - 1. "-1" is refused (CLI11 would
// read it into an unsigned seed as 2^64 - 1) with a ConfigError naming `field`.
std::uint64_t parseSeedText(const std::string& text, const std::string& field = "--seed");

RunConfig runConfigFromJson(const nlohmann::json& j);  // throws ConfigError (all problems at once)
RunConfig runConfigFromJsonText(const std::string& text, const std::string& source);
RunConfig loadRunConfig(const std::string& path);       // throws ConfigError/DataError naming the file
nlohmann::json toJson(const RunConfig& config);       // every setting, by its dotted key
std::string toJsonText(const RunConfig& config);        // pretty-printed

}  // namespace scns
