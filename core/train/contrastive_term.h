#pragma once
// The contrastive part of supervised training (docs/method.md "Objectives", supervised): a
// projection head, a memory bank, a negative sampler (uniform, class, instance, each with an
// epsilon share and optional Latent Mixup) and InfoNCE or CRD's NCE form. The trainer adds
// beta * loss() to the cross-entropy and calls afterStep() once the optimiser has stepped.
//
// Also keeps what a user inspects: per-epoch sampler statistics, the class similarity
// matrices (recorded at each build/refresh) and the negatives drawn for a fixed probe set.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include "data/image_set.h"
#include "io/torch_file.h"
#include "sampling/projection_head.h"
#include "sampling/sampler_factory.h"
#include "train/contrastive_banks.h"
#include "train/probe_recorder.h"
#include "train/recorder.h"
#include "train/run_config.h"
#include "train/sampler_statistics.h"

namespace scns {

class NegativeSampler;
class ReplicaGroup;
class LatentMixup;

// Reference outputs over the whole training set (eval mode, no augmentation). In a
// data-parallel run only rank 0 holds them (the tensors are undefined on the other ranks).
struct ReferenceOutputs {
    torch::Tensor embeddings;  // N x d unit rows (projection head output)
    torch::Tensor logits;      // N x C
};

// Distillation settings of the term.
struct ContrastiveTermTeacher {
    // > 0: CRD form (docs/method.md, distillation): a second, trainable projection head on the
    // teacher's features (this many), a second memory bank M^T, and
    // L = L_con(z^S vs M^T) + L_con(z^T vs M^S) with the anchor's own rows as positives.
    std::int64_t crdFeatureDim = 0;
    // The reference outputs come from a fixed network (a teacher or contrastive.reference):
    // computed once before training, never refreshed.
    bool fixedReference = false;
};

// A façade over parts with one job each: the heads and banks (train/contrastive_banks.h), the
// sampler factory (sampling/sampler_factory.h), the sampler statistics (train/sampler_statistics.h)
// and the probe recorder (train/probe_recorder.h). What stays here: the class similarity
// sources, which sampler a configuration asks for, the SupCon batch order, the positives, and
// the loss that joins them.
class ContrastiveTerm {
public:
    ContrastiveTerm(const ContrastiveConfig& config, const std::string& dataset, const ImageSet& train,
                    std::int64_t backboneFeatureDim, c10::Device device, std::uint64_t seed, RunRecorder& recorder,
                    ContrastiveTermTeacher teacher = {});
    ~ContrastiveTerm();

    ProjectionHead& head() { return m_banks.head(); }
    // CRD: the teacher's projection head (trains with the student); null otherwise.
    ProjectionHead& teacherHead() { return m_banks.teacherHead(); }
    bool isCrd() const { return m_banks.isCrd(); }
    // Whether beginEpoch() needs reference outputs this epoch (model-based S or top-k table).
    bool needsReference(std::int64_t epochIndex) const;
    // Before epoch `epochIndex` (0-based): reseeds the draws from (seed, epoch) so a resumed run
    // repeats them, and rebuilds the sampler from `reference` when needsReference().
    void beginEpoch(std::int64_t epochIndex, const std::optional<ReferenceOutputs>& reference);
    // features: B x F backbone features (with grad); indices/labels: B int64 (CPU).
    // Returns the scalar L_con (with grad) and remembers z for afterStep(). CRD: teacherFeatures
    // are the teacher's B x F_T backbone features of the same batch (no grad); the result is
    // L_CRD, both directions.
    torch::Tensor loss(const torch::Tensor& features, const torch::Tensor& indices, const torch::Tensor& labels,
                       const torch::Tensor& teacherFeatures = {});
    // objective supcon: the epoch's class-balanced batches, batchSize indices each.
    bool usesBatchOrder() const { return m_config.objective == Objective::SupCon; }
    std::vector<std::int64_t> batchOrder(std::int64_t epochIndex, std::int64_t batchSize, std::int64_t batches);
    // After optimizer.step(): memory-bank update with the batch's z.
    void afterStep() { m_banks.update(m_config.momentum); }
    // Sampler statistics of the epoch so far (over every replica's batches in a data-parallel
    // run: then every replica calls it at the same point).
    ContrastiveEpochStats statistics() const;
    // A data-parallel run (docs/distributed.md): the banks take every replica's batch rows, the
    // NCE normalisers agree, and each replica draws its negatives, mixup weights and positives
    // from streams of its own (rank 0's are those of a one-process run), so the replicas'
    // anchors do not share their draws. Call before the first beginEpoch().
    void setReplicaGroup(ReplicaGroup* group);
    // What every replica must start with the same values of: heads and banks.
    std::vector<torch::Tensor> replicatedState() { return m_banks.replicatedState(); }
    // Sends the probe rows of the epoch so far to the recorder (epoch is 1-based).
    void recordProbes(std::int64_t epoch);

    // Checkpoint state: heads, memory banks and NCE normalisers under the keys of "extra".
    void save(TorchValue& extra) const { m_banks.save(extra); }
    // Throws CheckpointError starting with `source` when an entry is missing or does not fit.
    void load(const TorchValue& extra, const std::string& source) { m_banks.load(extra, source); }

private:
    void buildSampler(const std::optional<ReferenceOutputs>& reference, std::int64_t epoch);
    void setSimilarity(const torch::Tensor& S, ClassSimilaritySource source, std::int64_t epoch);
    torch::Tensor supConLossWithStats(const torch::Tensor& z, const torch::Tensor& labels);
    torch::Tensor positives(const torch::Tensor& indices, const torch::Tensor& labels);

    ContrastiveConfig m_config;
    std::vector<std::string> m_classNames;
    torch::Tensor m_labels;  // N int64 CPU
    std::int64_t m_numClasses;
    c10::Device m_device;
    std::uint64_t m_seed;
    std::uint64_t m_drawSeed;  // the sampler, mixup and positive streams: m_seed, or the replica's
    ReplicaGroup* m_group = nullptr;
    RunRecorder& m_recorder;
    bool m_fixedReference = false;
    std::vector<std::vector<std::int64_t>> m_byClass;

    ContrastiveBanks m_banks;
    at::Generator m_samplerGen, m_mixupGen, m_positiveGen, m_batchGen;
    SamplerFactory m_samplers;  // samplers placed on m_device
    torch::Tensor m_deviceLabels;  // m_labels on m_device (the drawn negatives' classes)
    std::shared_ptr<NegativeSampler> m_sampler;
    std::unique_ptr<LatentMixup> m_mixup;
    SamplerStatistics m_statistics;
    ProbeRecorder m_probes;

    torch::Tensor m_similarity;     // C x C float (CPU), or undefined before a source gave one
    torch::Tensor m_topKClassMask;  // C x C bool (CPU), or undefined when there is no S
    torch::Tensor m_topKClassMaskOnDevice;  // the same on m_device
    bool m_built = false;
    torch::Tensor m_batchDistribution;  // supcon with sampler = class: C x C; else undefined (uniform)
};

}  // namespace scns
