#include "models/batch_norm.h"

#include <ATen/ATen.h>

#include "common/errors.h"
#include "dist/replica_group.h"

namespace scns {

SyncBatchNorm2dImpl::SyncBatchNorm2dImpl(const torch::nn::BatchNormOptions& options_) : options(options_) { reset(); }

void SyncBatchNorm2dImpl::reset()
{
    const std::int64_t c = options.num_features();
    if (options.affine()) {
        weight = register_parameter("weight", torch::ones({c}));
        bias = register_parameter("bias", torch::zeros({c}));
    }
    if (options.track_running_stats()) {
        running_mean = register_buffer("running_mean", torch::zeros({c}));
        running_var = register_buffer("running_var", torch::ones({c}));
        num_batches_tracked = register_buffer("num_batches_tracked", torch::tensor(0, torch::kLong));
    }
}

torch::Tensor SyncBatchNorm2dImpl::forward(const torch::Tensor& input)
{
    if (input.dim() != 4)
        throw DataError("batch norm expects N x C x H x W input, got " + std::to_string(input.dim()) + " dimensions");
    if (m_group && m_group->worldSize() > 1 && is_training())
        return synchronisedForward(input);
    // LibTorch's BatchNorm2d forward.
    double factor = options.momentum().value_or(0.0);
    if (is_training() && options.track_running_stats()) {
        num_batches_tracked.add_(1);
        if (!options.momentum())
            factor = 1.0 / num_batches_tracked.item<double>();
    }
    return torch::batch_norm(input, weight, bias, running_mean, running_var,
                             is_training() || !options.track_running_stats(), factor, options.eps(),
                             at::globalContext().userEnabledCuDNN());
}

torch::Tensor SyncBatchNorm2dImpl::synchronisedForward(const torch::Tensor& input)
{
    // In float32 under bf16/fp16 autocast, as LibTorch's batch norm computes.
    const bool reduced = input.scalar_type() == at::kHalf || input.scalar_type() == at::kBFloat16;
    const at::Tensor x = reduced ? input.to(at::kFloat) : input;
    const std::int64_t channels = x.size(1);
    const std::vector<std::int64_t> shape{1, channels, 1, 1};
    const std::vector<std::int64_t> others{0, 2, 3};
    // The global mean, then the global (biased) variance around it: two exchanges, as stable as
    // one process's two-pass statistics.
    const at::Tensor localCount = at::full({1}, static_cast<double>(x.numel() / channels), x.options());
    const at::Tensor sums = allReduceSumWithGradient(*m_group, at::cat({x.sum(others), localCount}));
    const at::Tensor count = sums.narrow(0, channels, 1).detach();
    const at::Tensor mean = sums.narrow(0, 0, channels) / count;
    const at::Tensor centred = x - mean.view(shape);
    const at::Tensor var = allReduceSumWithGradient(*m_group, centred.pow(2).sum(others)) / count;
    at::Tensor y = centred * at::rsqrt(var + options.eps()).view(shape);
    if (options.affine())
        y = y * weight.view(shape) + bias.view(shape);
    if (options.track_running_stats()) {
        at::NoGradGuard noGrad;
        num_batches_tracked.add_(1);
        const double factor = options.momentum() ? *options.momentum() : 1.0 / num_batches_tracked.item<double>();
        const double n = count.item<double>();
        running_mean.mul_(1.0 - factor).add_(mean.detach().to(running_mean.scalar_type()), factor);
        running_var.mul_(1.0 - factor)
            .add_((var.detach() * (n / std::max(1.0, n - 1.0))).to(running_var.scalar_type()), factor);
    }
    return y.to(input.scalar_type());
}

void SyncBatchNorm2dImpl::pretty_print(std::ostream& stream) const
{
    stream << "torch::nn::BatchNorm2d(" << options.num_features() << ", eps=" << options.eps() << ", momentum=";
    if (options.momentum())
        stream << *options.momentum();
    else
        stream << "None";
    stream << ", affine=" << (options.affine() ? "true" : "false")
           << ", track_running_stats=" << (options.track_running_stats() ? "true" : "false") << ")"
           << (m_group && m_group->worldSize() > 1 ? " synchronised" : "");
}

int syncBatchNorm(torch::nn::Module& network, ReplicaGroup* group)
{
    int reached = 0;
    for (const auto& m : network.modules())
        if (auto* bn = m->as<SyncBatchNorm2dImpl>()) {
            bn->syncAcross(group);
            ++reached;
        }
    return reached;
}

}  // namespace scns
