#pragma once
// RepDistiller's resnetv2.py, the CIFAR ResNet-50: a 3x3 stem conv of 64 channels (stride 1,
// no max pool) and Bottleneck stages [3, 4, 6, 3] of 64/128/256/512 planes (expansion 4).
// Names follow PyTorch's so state dicts match key for key: conv1, bn1,
// layerN.M.{conv1,bn1,conv2,bn2,conv3,bn3,shortcut.{0,1}}, linear.
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "models/batch_norm.h"
#include "models/network.h"

namespace scns {

class ResNetBottleneckImpl : public torch::nn::Module {
public:
    static constexpr std::int64_t kExpansion = 4;
    ResNetBottleneckImpl(std::int64_t inPlanes, std::int64_t planes, std::int64_t stride);
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
    SyncBatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
    torch::nn::Sequential shortcut{nullptr};  // empty (identity) unless the shape changes
};
TORCH_MODULE(ResNetBottleneck);

class ResNetV2Impl : public NetworkImpl {
public:
    // numBlocks: Bottleneck blocks per stage, e.g. {3, 4, 6, 3} for ResNet50.
    ResNetV2Impl(std::vector<std::int64_t> numBlocks, std::int64_t inChannels, std::int64_t numClasses);
    NetworkOutput forwardAll(const torch::Tensor& x) override;
    std::int64_t featureDim() const override { return 512 * ResNetBottleneckImpl::kExpansion; }
    std::int64_t numClasses() const override { return m_numClasses; }

private:
    torch::nn::Sequential makeLayer(std::int64_t& inPlanes, std::int64_t planes, std::int64_t blocks,
                                    std::int64_t stride);

    std::int64_t m_numClasses;
    torch::nn::Conv2d conv1{nullptr};
    SyncBatchNorm2d bn1{nullptr};
    torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
    torch::nn::Linear linear{nullptr};
};

}  // namespace scns
