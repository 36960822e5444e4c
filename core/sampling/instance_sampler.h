#pragma once
// `instance` (docs/method.md): negatives of anchor i drawn from row i of a top-k table (the k most
// similar samples), uniformly or with probabilities softmax(s_ij / tauS), with replacement, so
// K > k is allowed. The table is two plain tensors (the semantic module's TopKTable).
// fromTopK is all true.
#include "sampling/alias_table.h"
#include "sampling/class_index.h"
#include "sampling/negative_sampler.h"

#include "common/choices.h"

namespace scns {

// InstanceWeighting: common/choices.h (a run configuration's choice).

class InstanceSampler final : public NegativeSampler {
public:
    // topkIndices: N x k int64 in [0, N); topkSimilarities: N x k float (read for Softmax only,
    // but its shape is checked always). Throws ConfigError: contrastive.instance.k (k < 1, a
    // table with another number of rows than labels, shapes that differ), contrastive.instance.tau
    // (tauS <= 0), and those of ClassIndex; DataError for an index outside [0, N) or a
    // non-finite similarity.
    InstanceSampler(const at::Tensor& labels, std::int64_t numClasses, const at::Tensor& topkIndices,
                    const at::Tensor& topkSimilarities, InstanceWeighting weighting, double tauS,
                    at::Generator generator);

    SampledNegatives sample(const at::Tensor& anchorIndices, std::int64_t K) override;
    void place(const SamplerPlacement& placement) override;

    std::int64_t k() const { return m_k; }
    // N x k double: each row's sampling probabilities (uniform 1/k or the softmax).
    at::Tensor probabilities() const;

private:
    ClassIndex m_index;
    at::Tensor m_table;  // N x k int64, contiguous CPU
    std::int64_t m_k;
    InstanceWeighting m_weighting;
    at::Tensor m_weights;  // N x k double (softmax), undefined for Uniform
    AliasTable m_alias;    // Softmax only
    // Tensor draws only: the table on the placement's device, and the alias table (Softmax).
    at::Tensor m_deviceTable;
    AliasTensors m_aliasTensors;
    at::Generator m_generator;
};

}  // namespace scns
