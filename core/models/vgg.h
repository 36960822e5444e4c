#pragma once
// RepDistiller's vgg.py with batch norm (vgg8_bn ... vgg19_bn, registered there as vgg8 ...
// vgg19): five conv blocks with max pooling between them, global average pooling and one
// Linear(512, numClasses). Names follow PyTorch's: blockN.{I} where each conv 3x3 (with bias)
// is followed by BatchNorm2d and ReLU, the block's last ReLU dropped (its caller applies it),
// then classifier.
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>

#include "models/network.h"

namespace scns {

class VggImpl : public NetworkImpl {
public:
    // cfg: output channels of each conv, for each of the five blocks.
    VggImpl(const std::vector<std::vector<std::int64_t>>& cfg, std::int64_t inChannels, std::int64_t numClasses);
    NetworkOutput forwardAll(const torch::Tensor& x) override;
    std::int64_t featureDim() const override { return m_featureDim; }
    std::int64_t numClasses() const override { return m_numClasses; }

    // The configurations of vgg.py, by depth: 8 ('S'), 11 ('A'), 13 ('B'), 16 ('D'), 19 ('E').
    static std::vector<std::vector<std::int64_t>> config(int depth);

private:
    std::int64_t m_featureDim;
    std::int64_t m_numClasses;
    torch::nn::Sequential block0{nullptr}, block1{nullptr}, block2{nullptr}, block3{nullptr}, block4{nullptr};
    torch::nn::Linear classifier{nullptr};
};

}  // namespace scns
