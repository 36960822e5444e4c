#include "sampling/projection_head.h"

#include <torch/nn/functional/normalization.h>

#include "sampling/config_fields.h"

namespace scns {

ProjectionHeadImpl::ProjectionHeadImpl(ProjectionHeadOptions options_) : options(std::move(options_))
{
    if (options.inDim() < 1)
        field::fail("model.arch", "a backbone feature dimension of " + field::str(options.inDim()), "at least 1");
    if (options.outDim() < 1)
        field::fail(field::kFeatureDim, field::str(options.outDim()), "a feature dimension >= 1");
    reset();
}

void ProjectionHeadImpl::reset()
{
    linear = register_module("linear", torch::nn::Linear(options.inDim(), options.outDim()));
}

torch::Tensor ProjectionHeadImpl::forward(const torch::Tensor& x)
{
    TORCH_CHECK(x.dim() >= 2 && (x.size(0) == 0 || x.numel() / x.size(0) == options.inDim()), "ProjectionHead: expected B x ",
                options.inDim(), " features, got ", x.sizes());
    // CRD divides by the plain norm; the 1e-12 floor only matters for an all-zero row.
    return torch::nn::functional::normalize(linear(x.reshape({x.size(0), -1})),
                                            torch::nn::functional::NormalizeFuncOptions().p(2).dim(1).eps(1e-12));
}

}  // namespace scns
