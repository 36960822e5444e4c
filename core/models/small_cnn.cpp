#include "models/small_cnn.h"

#include <torch/nn/functional/pooling.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/pooling.h>

#include "models/batch_norm.h"

namespace scns {

namespace {
void addConvBlock(torch::nn::Sequential& seq, std::int64_t in, std::int64_t out, bool pool, SmallCnnImpl::Norm norm)
{
    seq->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1).bias(false)));
    if (norm == SmallCnnImpl::Norm::Group)
        seq->push_back(torch::nn::GroupNorm(torch::nn::GroupNormOptions(8, out)));
    else
        seq->push_back(SyncBatchNorm2d(out));
    seq->push_back(torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)));
    if (pool)
        seq->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
}
}  // namespace

SmallCnnImpl::SmallCnnImpl(std::int64_t inChannels, std::int64_t numClasses, Norm norm) : m_numClasses(numClasses)
{
    torch::nn::Sequential seq;
    addConvBlock(seq, inChannels, 32, true, norm);  // 28 -> 14
    addConvBlock(seq, 32, 64, true, norm);          // 14 -> 7
    addConvBlock(seq, 64, 128, false, norm);
    features = register_module("features", seq);
    fc = register_module("fc", torch::nn::Linear(128, numClasses));
}

NetworkOutput SmallCnnImpl::forwardAll(const torch::Tensor& x)
{
    // x: B x C x H x W -> features B x 128 -> logits B x numClasses
    auto h = features->forward(x);
    h = torch::nn::functional::adaptive_avg_pool2d(h, torch::nn::functional::AdaptiveAvgPool2dFuncOptions(1))
            .flatten(1);
    return {fc->forward(h), h};
}

}  // namespace scns
