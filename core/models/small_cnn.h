#pragma once
// A small VGG-style CNN for 28x28 inputs (Fashion-MNIST): fast on a laptop CPU, ~95k
// parameters, >90% Fashion-MNIST top-1 in three epochs.
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "models/network.h"

namespace scns {

class SmallCnnImpl : public NetworkImpl {
public:
    SmallCnnImpl(std::int64_t inChannels, std::int64_t numClasses);
    NetworkOutput forwardAll(const torch::Tensor& x) override;
    std::int64_t featureDim() const override { return 128; }
    std::int64_t numClasses() const override { return m_numClasses; }

private:
    std::int64_t m_numClasses;
    torch::nn::Sequential features{nullptr};
    torch::nn::Linear fc{nullptr};
};

}  // namespace scns
