#pragma once
// Common interface of every network: logits plus the penultimate feature (the input of a
// projection head in contrastive training).
#include <torch/nn/module.h>
#include <torch/types.h>

namespace scns {

struct NetworkOutput {
    torch::Tensor logits;    // B x numClasses
    torch::Tensor features;  // B x featureDim (after global pooling, before the classifier)
};

class NetworkImpl : public torch::nn::Module {
public:
    // x: B x C x H x W float, normalised. Any H, W the network's strides allow (global pooling
    // adapts to the size).
    virtual NetworkOutput forwardAll(const torch::Tensor& x) = 0;
    torch::Tensor forward(const torch::Tensor& x) { return forwardAll(x).logits; }
    virtual std::int64_t featureDim() const = 0;
    virtual std::int64_t numClasses() const = 0;
};

struct NetworkSpec {
    std::string arch;
    std::int64_t numClasses = 10;
    std::int64_t inChannels = 3;
};

}  // namespace scns
