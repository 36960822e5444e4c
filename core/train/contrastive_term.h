#pragma once
// The contrastive part of supervised training (docs/method.md "Objectives", supervised): a
// projection head, a memory bank, a negative sampler (uniform, class, instance, each with an
// epsilon share and optional Latent Mixup) and InfoNCE or CRD's NCE form. The trainer adds
// beta * loss() to the cross-entropy and calls afterStep() once the optimiser has stepped.
//
// Also keeps what a user inspects: per-epoch sampler statistics, the class similarity
// matrices (recorded at each build/refresh) and the negatives drawn for a fixed probe set.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include "data/image_set.h"
#include "io/torch_file.h"
#include "sampling/projection_head.h"
#include "store/inspection_records.h"
#include "train/recorder.h"
#include "train/run_config.h"

namespace scns {

class MemoryBank;
class NegativeSampler;
class LatentMixup;
class NceLoss;

// Reference outputs over the whole training set (eval mode, no augmentation).
struct ReferenceOutputs {
    torch::Tensor embeddings;  // N x d unit rows (projection head output)
    torch::Tensor logits;      // N x C
};

struct ContrastiveEpochStats {
    double meanLoss = 0;             // mean L_con over the epoch's batches
    double meanNegativeCosine = 0;   // mean anchor . negative over all drawn negatives
    double topKClassShare = NAN;     // share of negatives whose class is among the anchor class's top-k (by S)
    double sameClassShare = 0;       // share of negatives of the anchor's own class
    double fromTopKShare = 0;        // share drawn from the semantic distribution (not uniform)
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

class ContrastiveTerm {
public:
    ContrastiveTerm(const ContrastiveConfig& config, const std::string& dataset, const ImageSet& train,
                    std::int64_t backboneFeatureDim, c10::Device device, std::uint64_t seed, RunRecorder& recorder,
                    ContrastiveTermTeacher teacher = {});
    ~ContrastiveTerm();

    ProjectionHead& head() { return m_head; }
    // CRD: the teacher's projection head (trains with the student); null otherwise.
    ProjectionHead& teacherHead() { return m_teacherHead; }
    bool isCrd() const { return m_teacherBank != nullptr; }
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
    void afterStep();
    // Statistics of the epoch so far; records the probe rows (epoch is 1-based).
    ContrastiveEpochStats endEpoch(std::int64_t epoch);

    // Checkpoint state: heads, memory banks and NCE normalisers under the keys of "extra".
    void save(TorchValue& extra) const;
    // Throws CheckpointError starting with `source` when an entry is missing or does not fit.
    void load(const TorchValue& extra, const std::string& source);

private:
    void buildSampler(const std::optional<ReferenceOutputs>& reference, std::int64_t epoch);
    void setSimilarity(const torch::Tensor& S, ClassSimilaritySource source, std::int64_t epoch);
    torch::Tensor supConLossWithStats(const torch::Tensor& z, const torch::Tensor& labels);
    torch::Tensor positives(const torch::Tensor& indices, const torch::Tensor& labels);
    void recordProbes(const torch::Tensor& indices, const torch::Tensor& labels, const torch::Tensor& z,
                      const torch::Tensor& negIdx, const torch::Tensor& fromTopK, const torch::Tensor& negEmb,
                      const torch::Tensor& pseudo, const torch::Tensor& srcA, const torch::Tensor& srcB,
                      const torch::Tensor& lambdas);

    ContrastiveConfig m_config;
    std::string m_dataset;
    std::vector<std::string> m_classNames;
    torch::Tensor m_labels;  // N int64 CPU
    std::int64_t m_numClasses;
    c10::Device m_device;
    std::uint64_t m_seed;
    RunRecorder& m_recorder;

    ProjectionHead m_head{nullptr};
    std::unique_ptr<MemoryBank> m_bank;
    std::shared_ptr<NegativeSampler> m_sampler;
    std::unique_ptr<LatentMixup> m_mixup;
    std::unique_ptr<NceLoss> m_nce;
    bool m_fixedReference = false;
    // CRD (teacher) side: head, bank M^T and the NCE normaliser of the z^T-vs-M^S direction.
    ProjectionHead m_teacherHead{nullptr};
    std::unique_ptr<MemoryBank> m_teacherBank;
    std::unique_ptr<NceLoss> m_teacherNce;
    torch::Tensor m_lastTeacherZ;
    at::Generator m_samplerGen, m_mixupGen, m_positiveGen, m_bankGen;
    std::vector<std::vector<std::int64_t>> m_byClass;
    torch::Tensor m_similarity;     // C x C float (CPU), or undefined before a source gave one
    torch::Tensor m_topKClassMask;  // C x C bool (CPU), or undefined when there is no S
    std::vector<char> m_isProbe;    // N flags
    std::int64_t m_epochIndex = 0;
    bool m_built = false;
    torch::Tensor m_batchDistribution;  // supcon with sampler = class: C x C; else undefined (uniform)
    at::Generator m_batchGen;

    torch::Tensor m_lastIndices, m_lastZ;
    double m_lossSum = 0, m_cosSum = 0, m_topKSum = 0, m_sameSum = 0, m_fromTopKSum = 0;
    std::int64_t m_batches = 0, m_negCount = 0;
    std::vector<ProbeNegativeRow> m_probeRows;
};

}  // namespace scns
