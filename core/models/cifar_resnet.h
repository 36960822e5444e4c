#pragma once
// The CIFAR ResNets of the distillation literature (RepDistiller's resnet.py: resnet8 ...
// resnet110, resnet8x4, resnet32x4). Module names follow PyTorch's so state dicts match key
// for key (conv1, bn1, layerN.M.{conv1,bn1,conv2,bn2,downsample.{0,1}}, fc).
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "models/batch_norm.h"
#include "models/network.h"

namespace scns {

class BasicBlockImpl : public torch::nn::Module {
public:
    BasicBlockImpl(std::int64_t inPlanes, std::int64_t planes, std::int64_t stride);
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
    SyncBatchNorm2d bn1{nullptr}, bn2{nullptr};
    torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(BasicBlock);

class CifarResNetImpl : public NetworkImpl {
public:
    // depth = 6n + 2; filters = {stem, stage1, stage2, stage3}.
    CifarResNetImpl(std::int64_t depth, std::vector<std::int64_t> filters, std::int64_t inChannels,
                    std::int64_t numClasses);
    NetworkOutput forwardAll(const torch::Tensor& x) override;
    std::int64_t featureDim() const override { return m_featureDim; }
    std::int64_t numClasses() const override { return m_numClasses; }

private:
    torch::nn::Sequential makeLayer(std::int64_t& inPlanes, std::int64_t planes, std::int64_t blocks,
                                    std::int64_t stride);

    std::int64_t m_featureDim;
    std::int64_t m_numClasses;
    torch::nn::Conv2d conv1{nullptr};
    SyncBatchNorm2d bn1{nullptr};
    torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr};
    torch::nn::Linear fc{nullptr};
};

}  // namespace scns
