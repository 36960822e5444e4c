#pragma once
// CRD's Embed: a linear map of the backbone feature to d dimensions, then L2 normalisation;
// z = normalize(W h + b) (docs/method.md "Notation"). The submodule is named `linear` as in CRD, so
// state-dict keys match RepDistiller's ("linear.weight", "linear.bias").
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace scns {

struct ProjectionHeadOptions {
    /* implicit */ ProjectionHeadOptions(std::int64_t inDim) : inDim_(inDim) {}
    TORCH_ARG(std::int64_t, inDim);
    TORCH_ARG(std::int64_t, outDim) = 128;
};

class ProjectionHeadImpl : public torch::nn::Cloneable<ProjectionHeadImpl> {
public:
    explicit ProjectionHeadImpl(ProjectionHeadOptions options);
    void reset() override;
    // x: B x inDim (or B x ..., flattened as CRD does) -> B x outDim, unit rows.
    torch::Tensor forward(const torch::Tensor& x);

    ProjectionHeadOptions options;
    torch::nn::Linear linear{nullptr};
};

TORCH_MODULE(ProjectionHead);

}  // namespace scns
