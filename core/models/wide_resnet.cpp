#include "models/wide_resnet.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>

#include "common/errors.h"
#include "models/batch_norm.h"

namespace scns {

namespace F = torch::nn::functional;
using torch::nn::Conv2dOptions;

WideBasicBlockImpl::WideBasicBlockImpl(std::int64_t inPlanes, std::int64_t outPlanes, std::int64_t stride)
    : m_equalInOut(inPlanes == outPlanes)
{
    bn1 = register_module("bn1", SyncBatchNorm2d(inPlanes));
    conv1 = register_module(
        "conv1", torch::nn::Conv2d(Conv2dOptions(inPlanes, outPlanes, 3).stride(stride).padding(1).bias(false)));
    bn2 = register_module("bn2", SyncBatchNorm2d(outPlanes));
    conv2 = register_module("conv2",
                            torch::nn::Conv2d(Conv2dOptions(outPlanes, outPlanes, 3).padding(1).bias(false)));
    if (!m_equalInOut)
        convShortcut = register_module(
            "convShortcut", torch::nn::Conv2d(Conv2dOptions(inPlanes, outPlanes, 1).stride(stride).bias(false)));
}

torch::Tensor WideBasicBlockImpl::forward(const torch::Tensor& x)
{
    // x: B x inPlanes x H x W -> B x outPlanes x H/stride x W/stride.
    // As in wrn.py, when the shape changes the shortcut takes the pre-activated input
    // relu(bn1(x)); otherwise it takes x itself.
    const auto preact = F::relu(bn1->forward(x));
    auto out = F::relu(bn2->forward(conv1->forward(preact)));
    out = conv2->forward(out);
    return (m_equalInOut ? x : convShortcut->forward(preact)) + out;
}

WideNetworkBlockImpl::WideNetworkBlockImpl(std::int64_t layers, std::int64_t inPlanes, std::int64_t outPlanes,
                                           std::int64_t stride)
{
    torch::nn::Sequential seq;
    for (std::int64_t i = 0; i < layers; ++i)
        seq->push_back(WideBasicBlock(i == 0 ? inPlanes : outPlanes, outPlanes, i == 0 ? stride : 1));
    layer = register_module("layer", seq);
}

WideResNetImpl::WideResNetImpl(std::int64_t depth, std::int64_t widenFactor, std::int64_t inChannels,
                               std::int64_t numClasses)
    : m_featureDim(64 * widenFactor), m_numClasses(numClasses)
{
    if (depth < 10 || (depth - 4) % 6 != 0)
        throw ConfigError({{"model.depth", std::to_string(depth), "6n + 4 for a Wide ResNet"}});
    const auto n = (depth - 4) / 6;
    const std::int64_t c0 = 16, c1 = 16 * widenFactor, c2 = 32 * widenFactor, c3 = 64 * widenFactor;
    conv1 = register_module("conv1", torch::nn::Conv2d(Conv2dOptions(inChannels, c0, 3).padding(1).bias(false)));
    block1 = register_module("block1", WideNetworkBlock(n, c0, c1, 1));
    block2 = register_module("block2", WideNetworkBlock(n, c1, c2, 2));
    block3 = register_module("block3", WideNetworkBlock(n, c2, c3, 2));
    bn1 = register_module("bn1", SyncBatchNorm2d(c3));
    fc = register_module("fc", torch::nn::Linear(c3, numClasses));
}

NetworkOutput WideResNetImpl::forwardAll(const torch::Tensor& x)
{
    // x: B x C x H x W -> block3 B x 64k x H/4 x W/4 -> relu(bn1) -> global mean -> B x 64k.
    // wrn.py pools with avg_pool2d(8), the global mean at 32 px; adaptive pooling keeps that
    // at 32 px and works at any size.
    auto h = block3->forward(block2->forward(block1->forward(conv1->forward(x))));
    h = F::relu(bn1->forward(h));
    h = F::adaptive_avg_pool2d(h, F::AdaptiveAvgPool2dFuncOptions(1)).flatten(1);
    return {fc->forward(h), h};
}

}  // namespace scns
