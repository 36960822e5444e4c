#include "models/vgg.h"

#include <algorithm>

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/conv.h>

#include "common/errors.h"
#include "models/batch_norm.h"

namespace scns {

namespace F = torch::nn::functional;

namespace {
// conv, bn, relu, conv, bn, relu, ..., conv, bn: the ReLU modules hold no parameters but take
// an index, as in PyTorch's nn.Sequential, so keys such as block1.3.weight line up.
torch::nn::Sequential makeBlock(const std::vector<std::int64_t>& widths, std::int64_t inChannels)
{
    torch::nn::Sequential seq;
    for (std::size_t i = 0; i < widths.size(); ++i) {
        if (i > 0)
            seq->push_back(torch::nn::ReLU());
        seq->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(inChannels, widths[i], 3).padding(1)));
        seq->push_back(SyncBatchNorm2d(widths[i]));
        inChannels = widths[i];
    }
    return seq;
}

torch::Tensor maxPool(const torch::Tensor& x)
{
    return F::max_pool2d(x, F::MaxPool2dFuncOptions(2).stride(2));
}
}  // namespace

std::vector<std::vector<std::int64_t>> VggImpl::config(int depth)
{
    switch (depth) {
    case 8:
        return {{64}, {128}, {256}, {512}, {512}};
    case 11:
        return {{64}, {128}, {256, 256}, {512, 512}, {512, 512}};
    case 13:
        return {{64, 64}, {128, 128}, {256, 256}, {512, 512}, {512, 512}};
    case 16:
        return {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
    case 19:
        return {{64, 64}, {128, 128}, {256, 256, 256, 256}, {512, 512, 512, 512}, {512, 512, 512, 512}};
    default:
        throw ConfigError({{"model.depth", std::to_string(depth), "8, 11, 13, 16 or 19 for a VGG"}});
    }
}

VggImpl::VggImpl(const std::vector<std::vector<std::int64_t>>& cfg, std::int64_t inChannels,
                 std::int64_t numClasses)
    : m_numClasses(numClasses)
{
    if (cfg.size() != 5 || std::any_of(cfg.begin(), cfg.end(), [](const auto& b) { return b.empty(); }))
        throw ConfigError({{"model.vgg_config", std::to_string(cfg.size()) + " blocks", "5 non-empty blocks"}});
    block0 = register_module("block0", makeBlock(cfg[0], inChannels));
    block1 = register_module("block1", makeBlock(cfg[1], cfg[0].back()));
    block2 = register_module("block2", makeBlock(cfg[2], cfg[1].back()));
    block3 = register_module("block3", makeBlock(cfg[3], cfg[2].back()));
    block4 = register_module("block4", makeBlock(cfg[4], cfg[3].back()));
    m_featureDim = cfg[4].back();
    classifier = register_module("classifier", torch::nn::Linear(m_featureDim, numClasses));
}

NetworkOutput VggImpl::forwardAll(const torch::Tensor& x)
{
    // x: B x C x H x W (32 px) -> block0 64 x 32 -> pool 16 -> block1 128 x 16 -> pool 8
    //   -> block2 256 x 8 -> pool 4 -> block3 512 x 4 -> block4 512 x 4 -> mean -> B x 512.
    // As in vgg.py, the max pool after block3 (pool3) runs only for 64 px inputs; at 28 px the
    // floor-mode pools give 14, 7, 3, as in PyTorch.
    const auto inputHeight = x.size(2);
    auto h = maxPool(F::relu(block0->forward(x)));
    h = maxPool(F::relu(block1->forward(h)));
    h = maxPool(F::relu(block2->forward(h)));
    h = F::relu(block3->forward(h));
    if (inputHeight == 64)
        h = maxPool(h);
    h = F::relu(block4->forward(h));
    h = F::adaptive_avg_pool2d(h, F::AdaptiveAvgPool2dFuncOptions(1)).flatten(1);
    return {classifier->forward(h), h};
}

}  // namespace scns
