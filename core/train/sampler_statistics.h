#pragma once
// The per-epoch sampler statistics a user inspects (docs/contrastive.md "What is recorded"): mean
// contrastive loss, mean anchor-negative cosine, and the shares of negatives from the top-k
// classes, of the anchor's own class, and drawn from the semantic distribution. One meter each.
#include <cmath>
#include <cstdint>

#include <ATen/core/Tensor.h>


namespace scns {

class ReplicaGroup;

struct ContrastiveEpochStats {
    double meanLoss = 0;             // mean L_con over the epoch's batches
    double meanNegativeCosine = 0;   // mean anchor . negative over all drawn negatives
    double topKClassShare = NAN;     // share of negatives whose class is among the anchor class's top-k (by S)
    double sameClassShare = 0;       // share of negatives of the anchor's own class
    double fromTopKShare = 0;        // share drawn from the semantic distribution (not uniform)
};

// Everything is summed where the batch's tensors live (a GPU when the samplers draw there) and
// read once, in value(): no batch makes the host wait for the device.
class SamplerStatistics {
public:
    // A batch against the memory bank. loss: 0-d; cos: B x K anchor . negative; anchorLabels:
    // B int64; negativeLabels: B x K int64; fromTopK: B x K bool; topKClassMask: C x C bool, or
    // undefined when there is no class similarity. Any device (copied to cos's where needed).
    void addBankBatch(const at::Tensor& loss, const at::Tensor& cos, const at::Tensor& anchorLabels,
                      const at::Tensor& negativeLabels, const at::Tensor& fromTopK, const at::Tensor& topKClassMask);
    // An in-batch (SupCon) batch: every pair of different classes is a negative. cos: B x B on
    // the device; labels on the host.
    void addInBatch(const at::Tensor& loss, const at::Tensor& cos, const at::Tensor& labels, const at::Tensor& topKClassMask);
    // The epoch so far; topKClassShare stays NaN unless withTopK (there is a class similarity).
    // With a replica group (a data-parallel run), over every replica's batches: a collective,
    // called by all replicas at the same point.
    ContrastiveEpochStats value(bool withTopK, ReplicaGroup* group = nullptr) const;
    void reset();

private:
    // counts: [same class, from top-k, top-k class] summed over the batch's `negatives`.
    void addSums(const at::Tensor& loss, const at::Tensor& cosineSum, const at::Tensor& counts, std::int64_t negatives);

    at::Tensor m_sums;  // double [loss, cosine, same class, from top-k, top-k class] on the device
    std::int64_t m_batches = 0, m_negatives = 0;
};

}  // namespace scns
