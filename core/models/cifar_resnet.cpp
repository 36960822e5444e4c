#include "models/cifar_resnet.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>

#include "common/errors.h"
#include "models/batch_norm.h"

namespace scns {

namespace F = torch::nn::functional;

BasicBlockImpl::BasicBlockImpl(std::int64_t inPlanes, std::int64_t planes, std::int64_t stride)
{
    conv1 = register_module(
        "conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(inPlanes, planes, 3).stride(stride).padding(1).bias(false)));
    bn1 = register_module("bn1", SyncBatchNorm2d(planes));
    conv2 = register_module("conv2",
                            torch::nn::Conv2d(torch::nn::Conv2dOptions(planes, planes, 3).padding(1).bias(false)));
    bn2 = register_module("bn2", SyncBatchNorm2d(planes));
    if (stride != 1 || inPlanes != planes) {
        downsample = register_module(
            "downsample",
            torch::nn::Sequential(
                torch::nn::Conv2d(torch::nn::Conv2dOptions(inPlanes, planes, 1).stride(stride).bias(false)),
                SyncBatchNorm2d(planes)));
    }
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor& x)
{
    auto out = F::relu(bn1->forward(conv1->forward(x)));
    out = bn2->forward(conv2->forward(out));
    out += downsample ? downsample->forward(x) : x;
    return F::relu(out);
}

CifarResNetImpl::CifarResNetImpl(std::int64_t depth, std::vector<std::int64_t> filters, std::int64_t inChannels,
                                 std::int64_t numClasses)
    : m_featureDim(filters.at(3)), m_numClasses(numClasses)
{
    if ((depth - 2) % 6 != 0)
        throw ConfigError({{"model.depth", std::to_string(depth), "6n + 2 for a CIFAR ResNet of basic blocks"}});
    const auto n = (depth - 2) / 6;
    conv1 = register_module(
        "conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(inChannels, filters[0], 3).padding(1).bias(false)));
    bn1 = register_module("bn1", SyncBatchNorm2d(filters[0]));
    std::int64_t inPlanes = filters[0];
    layer1 = register_module("layer1", makeLayer(inPlanes, filters[1], n, 1));
    layer2 = register_module("layer2", makeLayer(inPlanes, filters[2], n, 2));
    layer3 = register_module("layer3", makeLayer(inPlanes, filters[3], n, 2));
    fc = register_module("fc", torch::nn::Linear(filters[3], numClasses));
}

torch::nn::Sequential CifarResNetImpl::makeLayer(std::int64_t& inPlanes, std::int64_t planes, std::int64_t blocks,
                                                 std::int64_t stride)
{
    torch::nn::Sequential seq;
    for (std::int64_t i = 0; i < blocks; ++i) {
        seq->push_back(BasicBlock(inPlanes, planes, i == 0 ? stride : 1));
        inPlanes = planes;
    }
    return seq;
}

NetworkOutput CifarResNetImpl::forwardAll(const torch::Tensor& x)
{
    // x: B x C x H x W -> B x filters[3] x H/4 x W/4 -> pooled features B x filters[3]
    auto h = F::relu(bn1->forward(conv1->forward(x)));
    h = layer3->forward(layer2->forward(layer1->forward(h)));
    h = F::adaptive_avg_pool2d(h, F::AdaptiveAvgPool2dFuncOptions(1)).flatten(1);
    return {fc->forward(h), h};
}

}  // namespace scns
