#include "models/mobilenet_v2.h"

#include <array>

#include <torch/nn/functional/pooling.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "common/errors.h"
#include "models/batch_norm.h"

namespace scns {

namespace F = torch::nn::functional;
using torch::nn::Conv2dOptions;

namespace {
// conv (no bias), BatchNorm2d, ReLU: mobilenetv2.py's conv_bn / conv_1x1_bn.
torch::nn::Sequential convBnRelu(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride)
{
    return torch::nn::Sequential(
        torch::nn::Conv2d(Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false)),
        SyncBatchNorm2d(out), torch::nn::ReLU());
}

struct StageSetting {
    bool expand;  // false: expansion 1 (first stage), true: the network's expansion T
    std::int64_t channels, repeats, stride;
};
// mobilenetv2.py's interverted_residual_setting (t, c, n, s).
constexpr std::array<StageSetting, 7> kStages = {{{false, 16, 1, 1},
                                                  {true, 24, 2, 1},
                                                  {true, 32, 3, 2},
                                                  {true, 64, 4, 2},
                                                  {true, 96, 3, 1},
                                                  {true, 160, 3, 2},
                                                  {true, 320, 1, 1}}};
}  // namespace

InvertedResidualImpl::InvertedResidualImpl(std::int64_t inPlanes, std::int64_t outPlanes, std::int64_t stride,
                                           std::int64_t expandRatio)
    : m_useResidual(stride == 1 && inPlanes == outPlanes)
{
    const auto hidden = inPlanes * expandRatio;
    conv = register_module(
        "conv",
        torch::nn::Sequential(
            // pointwise expansion
            torch::nn::Conv2d(Conv2dOptions(inPlanes, hidden, 1).bias(false)), SyncBatchNorm2d(hidden),
            torch::nn::ReLU(),
            // depthwise
            torch::nn::Conv2d(Conv2dOptions(hidden, hidden, 3).stride(stride).padding(1).groups(hidden).bias(false)),
            SyncBatchNorm2d(hidden), torch::nn::ReLU(),
            // pointwise linear projection
            torch::nn::Conv2d(Conv2dOptions(hidden, outPlanes, 1).bias(false)), SyncBatchNorm2d(outPlanes)));
}

torch::Tensor InvertedResidualImpl::forward(const torch::Tensor& x)
{
    // x: B x inPlanes x H x W -> B x outPlanes x H/stride x W/stride
    return m_useResidual ? x + conv->forward(x) : conv->forward(x);
}

MobileNetV2Impl::MobileNetV2Impl(std::int64_t expandRatio, double widthMult, std::int64_t inChannels,
                                 std::int64_t numClasses)
    : m_featureDim(widthMult > 1.0 ? static_cast<std::int64_t>(1280 * widthMult) : 1280), m_numClasses(numClasses)
{
    if (expandRatio < 1 || widthMult <= 0.0)
        throw ConfigError({{"model.mobilenet", std::to_string(expandRatio) + ", " + std::to_string(widthMult),
                            "expansion >= 1 and width > 0"}});
    // Python's int() truncates, as does the cast.
    auto width = [widthMult](std::int64_t c) { return static_cast<std::int64_t>(c * widthMult); };
    std::int64_t inPlanes = width(32);
    conv1 = register_module("conv1", convBnRelu(inChannels, inPlanes, 3, 2));
    blocks = register_module("blocks", torch::nn::ModuleList());
    for (const auto& stage : kStages) {
        const auto outPlanes = width(stage.channels);
        torch::nn::Sequential seq;
        for (std::int64_t i = 0; i < stage.repeats; ++i) {
            seq->push_back(
                InvertedResidual(inPlanes, outPlanes, i == 0 ? stage.stride : 1, stage.expand ? expandRatio : 1));
            inPlanes = outPlanes;
        }
        blocks->push_back(seq);
    }
    conv2 = register_module("conv2", convBnRelu(inPlanes, m_featureDim, 1, 1));
    classifier = register_module("classifier", torch::nn::Sequential(torch::nn::Linear(m_featureDim, numClasses)));
}

NetworkOutput MobileNetV2Impl::forwardAll(const torch::Tensor& x)
{
    // x: B x C x 32 x 32 -> conv1 16 x 16 -> blocks 160 x 2 x 2 (total stride 16) -> conv2
    //   1280 x 2 x 2 -> mean -> B x 1280. mobilenetv2.py pools with AvgPool2d(input_size / 16,
    // ceil_mode), the global mean at its fixed input size; adaptive pooling works at any size.
    auto h = conv1->forward(x);
    for (const auto& stage : *blocks)
        h = stage->as<torch::nn::Sequential>()->forward(h);
    h = conv2->forward(h);
    h = F::adaptive_avg_pool2d(h, F::AdaptiveAvgPool2dFuncOptions(1)).flatten(1);
    return {classifier->forward(h), h};
}

}  // namespace scns
