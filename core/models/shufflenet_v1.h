#pragma once
// RepDistiller's ShuffleNetv1.py (ShuffleV1: groups 3, stages of 240/480/960 channels with
// 4/8/4 units): a 1x1 stem of 24 channels at full resolution, then units whose first one per
// stage halves the resolution and concatenates an average-pooled shortcut. Names follow
// PyTorch's: conv1, bn1, layerN.M.{conv1,bn1,conv2,bn2,conv3,bn3}, linear.
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "models/batch_norm.h"
#include "models/network.h"

namespace scns {

class ShuffleV1UnitImpl : public torch::nn::Module {
public:
    // stride 2: outPlanes new channels concatenated after the pooled inPlanes input channels;
    // stride 1: residual sum (outPlanes == inPlanes).
    ShuffleV1UnitImpl(std::int64_t inPlanes, std::int64_t outPlanes, std::int64_t stride, std::int64_t groups);
    torch::Tensor forward(const torch::Tensor& x);

private:
    std::int64_t m_stride;
    std::int64_t m_firstGroups;  // 1 when fed by the 24-channel stem, else groups
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
    SyncBatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
};
TORCH_MODULE(ShuffleV1Unit);

class ShuffleNetV1Impl : public NetworkImpl {
public:
    ShuffleNetV1Impl(std::vector<std::int64_t> outPlanes, std::vector<std::int64_t> numBlocks, std::int64_t groups,
                     std::int64_t inChannels, std::int64_t numClasses);
    NetworkOutput forwardAll(const torch::Tensor& x) override;
    std::int64_t featureDim() const override { return m_featureDim; }
    std::int64_t numClasses() const override { return m_numClasses; }

private:
    std::int64_t m_featureDim;
    std::int64_t m_numClasses;
    torch::nn::Conv2d conv1{nullptr};
    SyncBatchNorm2d bn1{nullptr};
    torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr};
    torch::nn::Linear linear{nullptr};
};

}  // namespace scns
