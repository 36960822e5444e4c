#pragma once
// RepDistiller's mobilenetv2.py as used for `mobile_half` (expansion T = 6, width 0.5): a 3x3
// stride-2 stem, seven stages of inverted residuals, a 1x1 conv to 1280 channels, global
// average pooling and classifier.0 = Linear(1280, numClasses). Names follow PyTorch's:
// conv1.{0,1}, blocks.S.M.conv.{0,1,3,4,6,7}, conv2.{0,1}, classifier.0; parameterless ReLUs
// keep their Sequential indices (2, 5).
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>

#include "models/network.h"

namespace scns {

class InvertedResidualImpl : public torch::nn::Module {
public:
    // Unlike torchvision, the expanding 1x1 conv is present even when expandRatio is 1.
    InvertedResidualImpl(std::int64_t inPlanes, std::int64_t outPlanes, std::int64_t stride,
                         std::int64_t expandRatio);
    torch::Tensor forward(const torch::Tensor& x);

private:
    bool m_useResidual;
    torch::nn::Sequential conv{nullptr};
};
TORCH_MODULE(InvertedResidual);

class MobileNetV2Impl : public NetworkImpl {
public:
    MobileNetV2Impl(std::int64_t expandRatio, double widthMult, std::int64_t inChannels, std::int64_t numClasses);
    NetworkOutput forwardAll(const torch::Tensor& x) override;
    std::int64_t featureDim() const override { return m_featureDim; }
    std::int64_t numClasses() const override { return m_numClasses; }

private:
    std::int64_t m_featureDim;
    std::int64_t m_numClasses;
    torch::nn::Sequential conv1{nullptr};
    torch::nn::ModuleList blocks{nullptr};
    torch::nn::Sequential conv2{nullptr};
    torch::nn::Sequential classifier{nullptr};
};

}  // namespace scns
