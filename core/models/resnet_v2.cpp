#include "models/resnet_v2.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>

#include "common/errors.h"
#include "models/batch_norm.h"

namespace scns {

namespace F = torch::nn::functional;
using torch::nn::Conv2dOptions;

ResNetBottleneckImpl::ResNetBottleneckImpl(std::int64_t inPlanes, std::int64_t planes, std::int64_t stride)
{
    const auto outPlanes = kExpansion * planes;
    conv1 = register_module("conv1", torch::nn::Conv2d(Conv2dOptions(inPlanes, planes, 1).bias(false)));
    bn1 = register_module("bn1", SyncBatchNorm2d(planes));
    conv2 = register_module(
        "conv2", torch::nn::Conv2d(Conv2dOptions(planes, planes, 3).stride(stride).padding(1).bias(false)));
    bn2 = register_module("bn2", SyncBatchNorm2d(planes));
    conv3 = register_module("conv3", torch::nn::Conv2d(Conv2dOptions(planes, outPlanes, 1).bias(false)));
    bn3 = register_module("bn3", SyncBatchNorm2d(outPlanes));
    if (stride != 1 || inPlanes != outPlanes) {
        shortcut = register_module(
            "shortcut", torch::nn::Sequential(
                            torch::nn::Conv2d(Conv2dOptions(inPlanes, outPlanes, 1).stride(stride).bias(false)),
                            SyncBatchNorm2d(outPlanes)));
    }
}

torch::Tensor ResNetBottleneckImpl::forward(const torch::Tensor& x)
{
    // x: B x inPlanes x H x W -> B x 4*planes x H/stride x W/stride
    auto out = F::relu(bn1->forward(conv1->forward(x)));
    out = F::relu(bn2->forward(conv2->forward(out)));
    out = bn3->forward(conv3->forward(out));
    out += shortcut ? shortcut->forward(x) : x;
    return F::relu(out);
}

ResNetV2Impl::ResNetV2Impl(std::vector<std::int64_t> numBlocks, std::int64_t inChannels, std::int64_t numClasses)
    : m_numClasses(numClasses)
{
    if (numBlocks.size() != 4)
        throw ConfigError({{"model.blocks", std::to_string(numBlocks.size()) + " stages", "4 stages"}});
    conv1 = register_module("conv1",
                            torch::nn::Conv2d(Conv2dOptions(inChannels, 64, 3).padding(1).bias(false)));
    bn1 = register_module("bn1", SyncBatchNorm2d(64));
    std::int64_t inPlanes = 64;
    layer1 = register_module("layer1", makeLayer(inPlanes, 64, numBlocks[0], 1));
    layer2 = register_module("layer2", makeLayer(inPlanes, 128, numBlocks[1], 2));
    layer3 = register_module("layer3", makeLayer(inPlanes, 256, numBlocks[2], 2));
    layer4 = register_module("layer4", makeLayer(inPlanes, 512, numBlocks[3], 2));
    linear = register_module("linear", torch::nn::Linear(featureDim(), numClasses));
}

torch::nn::Sequential ResNetV2Impl::makeLayer(std::int64_t& inPlanes, std::int64_t planes, std::int64_t blocks,
                                              std::int64_t stride)
{
    torch::nn::Sequential seq;
    for (std::int64_t i = 0; i < blocks; ++i) {
        seq->push_back(ResNetBottleneck(inPlanes, planes, i == 0 ? stride : 1));
        inPlanes = planes * ResNetBottleneckImpl::kExpansion;
    }
    return seq;
}

NetworkOutput ResNetV2Impl::forwardAll(const torch::Tensor& x)
{
    // x: B x C x H x W -> stem B x 64 x H x W -> layer4 B x 2048 x H/8 x W/8 -> features B x 2048
    auto h = F::relu(bn1->forward(conv1->forward(x)));
    h = layer4->forward(layer3->forward(layer2->forward(layer1->forward(h))));
    h = F::adaptive_avg_pool2d(h, F::AdaptiveAvgPool2dFuncOptions(1)).flatten(1);
    return {linear->forward(h), h};
}

}  // namespace scns
