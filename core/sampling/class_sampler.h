#pragma once
// `class` (docs/method.md): a class c ~ distribution[y_anchor], then a sample of c uniformly, with
// replacement. The distribution is a plain C x C row-stochastic tensor (the semantic module's
// classSamplingDistribution). fromTopK is all true.
#include "sampling/alias_table.h"
#include "sampling/class_index.h"
#include "sampling/negative_sampler.h"

namespace scns {

class ClassSampler final : public NegativeSampler {
public:
    // Throws ConfigError: see ClassIndex and checkedClassDistribution (class_distribution.h).
    ClassSampler(const at::Tensor& labels, std::int64_t numClasses, const at::Tensor& distribution,
                 at::Generator generator);

    SampledNegatives sample(const at::Tensor& anchorIndices, std::int64_t K) override;
    void place(const SamplerPlacement& placement) override;

    const ClassIndex& classIndex() const { return m_index; }

private:
    ClassIndex m_index;
    AliasTable m_classes;  // C rows of C columns
    // Tensor draws only:
    ClassIndexTensors m_tensors;
    AliasTensors m_classTensors;
    at::Generator m_generator;
};

}  // namespace scns
