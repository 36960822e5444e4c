#pragma once
// RepDistiller's ShuffleNetv2.py (ShuffleV2 = net_size 1: stages of 116/232/464 channels with
// 3/7/3 basic units after a down-sampling unit each, then a 1x1 conv to 1024): a 1x1 stem of 24
// channels at full resolution. Names follow PyTorch's: conv1, bn1,
// layerN.0.{conv1..conv5,bn1..bn5} (down-sampling), layerN.M.{conv1..conv3,bn1..bn3}, conv2,
// bn2, linear.
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "models/batch_norm.h"
#include "models/network.h"

namespace scns {

// Splits the channels in halves, transforms the second, concatenates [first, transformed]
// and shuffles with 2 groups.
class ShuffleV2BasicUnitImpl : public torch::nn::Module {
public:
    explicit ShuffleV2BasicUnitImpl(std::int64_t channels);
    torch::Tensor forward(const torch::Tensor& x);

private:
    std::int64_t m_split;
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
    SyncBatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
};
TORCH_MODULE(ShuffleV2BasicUnit);

// Two stride-2 branches of outChannels/2 each on the whole input, concatenated [left, right]
// and shuffled with 2 groups.
class ShuffleV2DownUnitImpl : public torch::nn::Module {
public:
    ShuffleV2DownUnitImpl(std::int64_t inChannels, std::int64_t outChannels);
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr}, conv4{nullptr}, conv5{nullptr};
    SyncBatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr}, bn4{nullptr}, bn5{nullptr};
};
TORCH_MODULE(ShuffleV2DownUnit);

class ShuffleNetV2Impl : public NetworkImpl {
public:
    // outChannels: three stage widths then the last conv's width; numBlocks: basic units per stage.
    ShuffleNetV2Impl(std::vector<std::int64_t> outChannels, std::vector<std::int64_t> numBlocks,
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
    torch::nn::Conv2d conv2{nullptr};
    SyncBatchNorm2d bn2{nullptr};
    torch::nn::Linear linear{nullptr};
};

}  // namespace scns
