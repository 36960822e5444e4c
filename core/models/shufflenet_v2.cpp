#include "models/shufflenet_v2.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>

#include "common/errors.h"
#include "models/batch_norm.h"
#include "models/channel_shuffle.h"

namespace scns {

namespace F = torch::nn::functional;
using torch::nn::Conv2dOptions;

namespace {
constexpr std::int64_t kStemChannels = 24;

torch::nn::Conv2d pointwise(std::int64_t in, std::int64_t out)
{
    return torch::nn::Conv2d(Conv2dOptions(in, out, 1).bias(false));
}

torch::nn::Conv2d depthwise(std::int64_t channels, std::int64_t stride)
{
    return torch::nn::Conv2d(
        Conv2dOptions(channels, channels, 3).stride(stride).padding(1).groups(channels).bias(false));
}
}  // namespace

ShuffleV2BasicUnitImpl::ShuffleV2BasicUnitImpl(std::int64_t channels) : m_split(channels / 2)
{
    // SplitBlock(0.5) keeps int(C * 0.5) channels untouched; the branch works on the rest,
    // which the Python code sizes as int(C * 0.5) too (equal for the even widths used).
    const auto c = m_split;
    conv1 = register_module("conv1", pointwise(c, c));
    bn1 = register_module("bn1", SyncBatchNorm2d(c));
    conv2 = register_module("conv2", depthwise(c, 1));
    bn2 = register_module("bn2", SyncBatchNorm2d(c));
    conv3 = register_module("conv3", pointwise(c, c));
    bn3 = register_module("bn3", SyncBatchNorm2d(c));
}

torch::Tensor ShuffleV2BasicUnitImpl::forward(const torch::Tensor& x)
{
    // x: B x C x H x W -> B x C x H x W
    const auto x1 = x.narrow(1, 0, m_split);
    const auto x2 = x.narrow(1, m_split, x.size(1) - m_split);
    auto out = F::relu(bn1->forward(conv1->forward(x2)));
    out = bn2->forward(conv2->forward(out));
    out = F::relu(bn3->forward(conv3->forward(out)));
    return channelShuffle(torch::cat({x1, out}, 1), 2);
}

ShuffleV2DownUnitImpl::ShuffleV2DownUnitImpl(std::int64_t inChannels, std::int64_t outChannels)
{
    const auto mid = outChannels / 2;
    // left branch: depthwise stride 2, pointwise
    conv1 = register_module("conv1", depthwise(inChannels, 2));
    bn1 = register_module("bn1", SyncBatchNorm2d(inChannels));
    conv2 = register_module("conv2", pointwise(inChannels, mid));
    bn2 = register_module("bn2", SyncBatchNorm2d(mid));
    // right branch: pointwise, depthwise stride 2, pointwise
    conv3 = register_module("conv3", pointwise(inChannels, mid));
    bn3 = register_module("bn3", SyncBatchNorm2d(mid));
    conv4 = register_module("conv4", depthwise(mid, 2));
    bn4 = register_module("bn4", SyncBatchNorm2d(mid));
    conv5 = register_module("conv5", pointwise(mid, mid));
    bn5 = register_module("bn5", SyncBatchNorm2d(mid));
}

torch::Tensor ShuffleV2DownUnitImpl::forward(const torch::Tensor& x)
{
    // x: B x inChannels x H x W -> B x 2*(outChannels/2) x ceil(H/2) x ceil(W/2)
    auto left = bn1->forward(conv1->forward(x));
    left = F::relu(bn2->forward(conv2->forward(left)));
    auto right = F::relu(bn3->forward(conv3->forward(x)));
    right = bn4->forward(conv4->forward(right));
    right = F::relu(bn5->forward(conv5->forward(right)));
    return channelShuffle(torch::cat({left, right}, 1), 2);
}

ShuffleNetV2Impl::ShuffleNetV2Impl(std::vector<std::int64_t> outChannels, std::vector<std::int64_t> numBlocks,
                                   std::int64_t inChannels, std::int64_t numClasses)
    : m_numClasses(numClasses)
{
    if (outChannels.size() != 4 || numBlocks.size() != 3)
        throw ConfigError({{"model.shufflenet", std::to_string(outChannels.size()) + " widths",
                            "4 widths and 3 stage lengths"}});
    conv1 = register_module("conv1", pointwise(inChannels, kStemChannels));
    bn1 = register_module("bn1", SyncBatchNorm2d(kStemChannels));
    std::int64_t in = kStemChannels;
    std::vector<torch::nn::Sequential> layers;
    for (std::size_t s = 0; s < 3; ++s) {
        torch::nn::Sequential seq(ShuffleV2DownUnit(in, outChannels[s]));
        for (std::int64_t i = 0; i < numBlocks[s]; ++i)
            seq->push_back(ShuffleV2BasicUnit(outChannels[s]));
        in = outChannels[s];
        layers.push_back(seq);
    }
    layer1 = register_module("layer1", layers[0]);
    layer2 = register_module("layer2", layers[1]);
    layer3 = register_module("layer3", layers[2]);
    m_featureDim = outChannels[3];
    conv2 = register_module("conv2", pointwise(outChannels[2], m_featureDim));
    bn2 = register_module("bn2", SyncBatchNorm2d(m_featureDim));
    linear = register_module("linear", torch::nn::Linear(m_featureDim, numClasses));
}

NetworkOutput ShuffleNetV2Impl::forwardAll(const torch::Tensor& x)
{
    // x: B x C x 32 x 32 -> stem 24 x 32 -> layer1 116 x 16 -> layer2 232 x 8 -> layer3 464 x 4
    //   -> conv2 1024 x 4 -> mean -> B x 1024. ShuffleNetv2.py pools with avg_pool2d(4), the
    // global mean at 32 px.
    auto h = F::relu(bn1->forward(conv1->forward(x)));
    h = layer3->forward(layer2->forward(layer1->forward(h)));
    h = F::relu(bn2->forward(conv2->forward(h)));
    h = F::adaptive_avg_pool2d(h, F::AdaptiveAvgPool2dFuncOptions(1)).flatten(1);
    return {linear->forward(h), h};
}

}  // namespace scns
