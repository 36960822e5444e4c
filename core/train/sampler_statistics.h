#pragma once
// The per-epoch sampler statistics a user inspects (docs/contrastive.md "What is recorded"): mean
// contrastive loss, mean anchor-negative cosine, and the shares of negatives from the top-k
// classes, of the anchor's own class, and drawn from the semantic distribution. One meter each.
#include <cmath>

#include <ATen/core/Tensor.h>

#include "common/average_value_meter.h"

namespace scns {

struct ContrastiveEpochStats {
    double meanLoss = 0;             // mean L_con over the epoch's batches
    double meanNegativeCosine = 0;   // mean anchor . negative over all drawn negatives
    double topKClassShare = NAN;     // share of negatives whose class is among the anchor class's top-k (by S)
    double sameClassShare = 0;       // share of negatives of the anchor's own class
    double fromTopKShare = 0;        // share drawn from the semantic distribution (not uniform)
};

class SamplerStatistics {
public:
    // A batch against the memory bank. cos: B x K anchor . negative (CPU); anchorLabels: B int64;
    // negativeLabels: B x K int64; fromTopK: B x K bool; topKClassMask: C x C bool, or undefined
    // when there is no class similarity.
    void addBankBatch(double loss, const at::Tensor& cos, const at::Tensor& anchorLabels, const at::Tensor& negativeLabels,
                      const at::Tensor& fromTopK, const at::Tensor& topKClassMask);
    // An in-batch (SupCon) batch: every pair of different classes is a negative. cos: B x B (CPU).
    void addInBatch(double loss, const at::Tensor& cos, const at::Tensor& labels, const at::Tensor& topKClassMask);
    // The epoch so far; topKClassShare stays NaN unless withTopK (there is a class similarity).
    ContrastiveEpochStats value(bool withTopK) const;
    void reset();

private:
    AverageValueMeter m_loss, m_cosine, m_topKClass, m_sameClass, m_fromTopK;
};

}  // namespace scns
