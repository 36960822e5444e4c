#pragma once
// RepDistiller's wrn.py: Wide ResNets (wrn_16_1, wrn_16_2, wrn_40_1, wrn_40_2) with
// pre-activation basic blocks and no dropout. depth = 6n + 4; channels 16, 16k, 32k, 64k.
// Names follow PyTorch's: conv1, blockN.layer.M.{bn1,conv1,bn2,conv2,convShortcut}, bn1, fc.
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "models/batch_norm.h"
#include "models/network.h"

namespace scns {

class WideBasicBlockImpl : public torch::nn::Module {
public:
    WideBasicBlockImpl(std::int64_t inPlanes, std::int64_t outPlanes, std::int64_t stride);
    torch::Tensor forward(const torch::Tensor& x);

private:
    bool m_equalInOut;
    SyncBatchNorm2d bn1{nullptr}, bn2{nullptr};
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
    torch::nn::Conv2d convShortcut{nullptr};  // only when inPlanes != outPlanes
};
TORCH_MODULE(WideBasicBlock);

// PyTorch's NetworkBlock: a wrapper whose only child is the Sequential "layer".
class WideNetworkBlockImpl : public torch::nn::Module {
public:
    WideNetworkBlockImpl(std::int64_t layers, std::int64_t inPlanes, std::int64_t outPlanes, std::int64_t stride);
    torch::Tensor forward(const torch::Tensor& x) { return layer->forward(x); }

private:
    torch::nn::Sequential layer{nullptr};
};
TORCH_MODULE(WideNetworkBlock);

class WideResNetImpl : public NetworkImpl {
public:
    WideResNetImpl(std::int64_t depth, std::int64_t widenFactor, std::int64_t inChannels, std::int64_t numClasses);
    NetworkOutput forwardAll(const torch::Tensor& x) override;
    std::int64_t featureDim() const override { return m_featureDim; }
    std::int64_t numClasses() const override { return m_numClasses; }

private:
    std::int64_t m_featureDim;
    std::int64_t m_numClasses;
    torch::nn::Conv2d conv1{nullptr};
    WideNetworkBlock block1{nullptr}, block2{nullptr}, block3{nullptr};
    SyncBatchNorm2d bn1{nullptr};
    torch::nn::Linear fc{nullptr};
};

}  // namespace scns
