#include "models/shufflenet_v1.h"

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
}

ShuffleV1UnitImpl::ShuffleV1UnitImpl(std::int64_t inPlanes, std::int64_t outPlanes, std::int64_t stride,
                                     std::int64_t groups)
    : m_stride(stride), m_firstGroups(inPlanes == kStemChannels ? 1 : groups)
{
    const auto mid = outPlanes / 4;
    conv1 = register_module("conv1",
                            torch::nn::Conv2d(Conv2dOptions(inPlanes, mid, 1).groups(m_firstGroups).bias(false)));
    bn1 = register_module("bn1", SyncBatchNorm2d(mid));
    conv2 = register_module(
        "conv2", torch::nn::Conv2d(Conv2dOptions(mid, mid, 3).stride(stride).padding(1).groups(mid).bias(false)));
    bn2 = register_module("bn2", SyncBatchNorm2d(mid));
    conv3 = register_module("conv3", torch::nn::Conv2d(Conv2dOptions(mid, outPlanes, 1).groups(groups).bias(false)));
    bn3 = register_module("bn3", SyncBatchNorm2d(outPlanes));
}

torch::Tensor ShuffleV1UnitImpl::forward(const torch::Tensor& x)
{
    // x: B x inPlanes x H x W -> stride 1: B x inPlanes x H x W;
    //                            stride 2: B x (outPlanes + inPlanes) x ceil(H/2) x ceil(W/2)
    auto out = F::relu(bn1->forward(conv1->forward(x)));
    out = channelShuffle(out, m_firstGroups);
    out = F::relu(bn2->forward(conv2->forward(out)));
    out = bn3->forward(conv3->forward(out));
    if (m_stride == 2) {
        // AvgPool2d(3, stride 2, padding 1), counting the zero padding as PyTorch's default does.
        const auto res = F::avg_pool2d(x, F::AvgPool2dFuncOptions(3).stride(2).padding(1));
        return F::relu(torch::cat({out, res}, 1));
    }
    return F::relu(out + x);
}

ShuffleNetV1Impl::ShuffleNetV1Impl(std::vector<std::int64_t> outPlanes, std::vector<std::int64_t> numBlocks,
                                   std::int64_t groups, std::int64_t inChannels, std::int64_t numClasses)
    : m_numClasses(numClasses)
{
    if (outPlanes.size() != 3 || numBlocks.size() != 3)
        throw ConfigError({{"model.shufflenet", std::to_string(outPlanes.size()) + " stages", "3 stages"}});
    conv1 = register_module("conv1",
                            torch::nn::Conv2d(Conv2dOptions(inChannels, kStemChannels, 1).bias(false)));
    bn1 = register_module("bn1", SyncBatchNorm2d(kStemChannels));
    std::int64_t inPlanes = kStemChannels;
    std::vector<torch::nn::Sequential> layers;
    for (std::size_t s = 0; s < 3; ++s) {
        torch::nn::Sequential seq;
        for (std::int64_t i = 0; i < numBlocks[s]; ++i) {
            // The first unit of a stage concatenates its input, so it adds only the difference.
            const auto catPlanes = i == 0 ? inPlanes : 0;
            seq->push_back(ShuffleV1Unit(inPlanes, outPlanes[s] - catPlanes, i == 0 ? 2 : 1, groups));
            inPlanes = outPlanes[s];
        }
        layers.push_back(seq);
    }
    layer1 = register_module("layer1", layers[0]);
    layer2 = register_module("layer2", layers[1]);
    layer3 = register_module("layer3", layers[2]);
    m_featureDim = outPlanes[2];
    linear = register_module("linear", torch::nn::Linear(m_featureDim, numClasses));
}

NetworkOutput ShuffleNetV1Impl::forwardAll(const torch::Tensor& x)
{
    // x: B x C x 32 x 32 -> stem 24 x 32 -> layer1 240 x 16 -> layer2 480 x 8 -> layer3 960 x 4
    //   -> mean -> B x 960. ShuffleNetv1.py pools with avg_pool2d(4), the global mean at 32 px.
    auto h = F::relu(bn1->forward(conv1->forward(x)));
    h = layer3->forward(layer2->forward(layer1->forward(h)));
    h = F::adaptive_avg_pool2d(h, F::AdaptiveAvgPool2dFuncOptions(1)).flatten(1);
    return {linear->forward(h), h};
}

}  // namespace scns
