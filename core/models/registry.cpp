#include "models/registry.h"

#include <functional>
#include <map>

#include "common/errors.h"
#include "models/cifar_resnet.h"
#include "models/mobilenet_v2.h"
#include "models/model_names.h"
#include "models/resnet_v2.h"
#include "models/shufflenet_v1.h"
#include "models/shufflenet_v2.h"
#include "models/small_cnn.h"
#include "models/vgg.h"
#include "models/wide_resnet.h"

namespace scns {

namespace {
using Factory = std::function<std::shared_ptr<NetworkImpl>(std::int64_t inChannels, std::int64_t numClasses)>;

Factory resnet(std::int64_t depth, std::vector<std::int64_t> filters)
{
    return [=](std::int64_t c, std::int64_t k) { return std::make_shared<CifarResNetImpl>(depth, filters, c, k); };
}

Factory wrn(std::int64_t depth, std::int64_t widen)
{
    return [=](std::int64_t c, std::int64_t k) { return std::make_shared<WideResNetImpl>(depth, widen, c, k); };
}

Factory vgg(int depth)
{
    return [=](std::int64_t c, std::int64_t k) { return std::make_shared<VggImpl>(VggImpl::config(depth), c, k); };
}

const std::map<std::string, Factory>& factories()
{
    static const std::vector<std::int64_t> base = {16, 16, 32, 64};
    static const std::vector<std::int64_t> wide = {32, 64, 128, 256};
    static const std::map<std::string, Factory> table = {
        {"small-cnn", [](std::int64_t c, std::int64_t k) { return std::make_shared<SmallCnnImpl>(c, k); }},
        {"small-cnn-gn",
         [](std::int64_t c, std::int64_t k) { return std::make_shared<SmallCnnImpl>(c, k, SmallCnnImpl::Norm::Group); }},
        {"resnet8", resnet(8, base)},       {"resnet14", resnet(14, base)},   {"resnet20", resnet(20, base)},
        {"resnet32", resnet(32, base)},     {"resnet44", resnet(44, base)},   {"resnet56", resnet(56, base)},
        {"resnet110", resnet(110, base)},   {"resnet8x4", resnet(8, wide)},   {"resnet32x4", resnet(32, wide)},
        {"ResNet50",
         [](std::int64_t c, std::int64_t k) {
             return std::make_shared<ResNetV2Impl>(std::vector<std::int64_t>{3, 4, 6, 3}, c, k);
         }},
        {"wrn_16_1", wrn(16, 1)},           {"wrn_16_2", wrn(16, 2)},         {"wrn_40_1", wrn(40, 1)},
        {"wrn_40_2", wrn(40, 2)},
        {"vgg8", vgg(8)},                   {"vgg11", vgg(11)},               {"vgg13", vgg(13)},
        {"vgg16", vgg(16)},                 {"vgg19", vgg(19)},
        // RepDistiller's mobile_half: expansion 6, width 0.5.
        {"MobileNetV2",
         [](std::int64_t c, std::int64_t k) { return std::make_shared<MobileNetV2Impl>(6, 0.5, c, k); }},
        {"ShuffleV1",
         [](std::int64_t c, std::int64_t k) {
             return std::make_shared<ShuffleNetV1Impl>(std::vector<std::int64_t>{240, 480, 960},
                                                       std::vector<std::int64_t>{4, 8, 4}, 3, c, k);
         }},
        {"ShuffleV2",
         [](std::int64_t c, std::int64_t k) {
             return std::make_shared<ShuffleNetV2Impl>(std::vector<std::int64_t>{116, 232, 464, 1024},
                                                       std::vector<std::int64_t>{3, 7, 3}, c, k);
         }},
    };
    return table;
}
}  // namespace

std::shared_ptr<NetworkImpl> buildNetwork(const NetworkSpec& spec)
{
    const auto& table = factories();
    auto it = table.find(spec.arch);
    if (it == table.end()) {
        std::string known;
        for (const auto& name : knownArchitectures())
            known += (known.empty() ? "" : ", ") + name;
        throw ConfigError({{"model.arch", spec.arch, "one of " + known}});
    }
    if (spec.numClasses < 2)
        throw ConfigError({{"model.num_classes", std::to_string(spec.numClasses), "at least 2"}});
    if (spec.inChannels < 1)
        throw ConfigError({{"model.in_channels", std::to_string(spec.inChannels), "at least 1"}});
    return it->second(spec.inChannels, spec.numClasses);
}

}  // namespace scns
