#pragma once
// The networks' batch norm: LibTorch's BatchNorm2d computation (torch::batch_norm) with the
// same parameters, buffers and state-dict keys (weight, bias, running_mean, running_var,
// num_batches_tracked), so weights files stay PyTorch's. After syncAcross(group), a training
// forward normalises with the mean and variance of the whole global batch, all ranks of a
// data-parallel run together, as PyTorch's SyncBatchNorm does: the statistics are all-reduced
// in the forward pass, their gradients in the backward pass, and the running statistics are the
// global batch's on every rank. Evaluation uses the running statistics, as before.
// (A subclass of torch::nn::BatchNorm2dImpl cannot link: its construction vtables name a
// template member LibTorch does not export.)
#include <cstdint>
#include <ostream>

#include <torch/nn/cloneable.h>
#include <torch/nn/options/batchnorm.h>
#include <torch/nn/pimpl.h>

namespace scns {

class ReplicaGroup;

class SyncBatchNorm2dImpl : public torch::nn::Cloneable<SyncBatchNorm2dImpl> {
public:
    explicit SyncBatchNorm2dImpl(std::int64_t features) : SyncBatchNorm2dImpl(torch::nn::BatchNormOptions(features)) {}
    explicit SyncBatchNorm2dImpl(const torch::nn::BatchNormOptions& options);

    void reset() override;
    torch::Tensor forward(const torch::Tensor& input);
    void pretty_print(std::ostream& stream) const override;
    // null or a group of one: each replica's own batch statistics (DDP's default).
    void syncAcross(ReplicaGroup* group) { m_group = group; }

    torch::nn::BatchNormOptions options;
    torch::Tensor weight, bias, running_mean, running_var, num_batches_tracked;

private:
    torch::Tensor synchronisedForward(const torch::Tensor& input);
    ReplicaGroup* m_group = nullptr;
};
TORCH_MODULE(SyncBatchNorm2d);

// Every batch norm of `network` normalised over the ranks of `group` (null: per replica).
// Returns how many layers it reached.
int syncBatchNorm(torch::nn::Module& network, ReplicaGroup* group);

}  // namespace scns
