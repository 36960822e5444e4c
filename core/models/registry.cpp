#include "models/registry.h"

#include <functional>
#include <map>

#include "common/errors.h"
#include "models/cifar_resnet.h"
#include "models/model_names.h"
#include "models/small_cnn.h"

namespace scns {

namespace {
using Factory = std::function<std::shared_ptr<NetworkImpl>(std::int64_t inChannels, std::int64_t numClasses)>;

Factory resnet(std::int64_t depth, std::vector<std::int64_t> filters)
{
    return [=](std::int64_t c, std::int64_t k) { return std::make_shared<CifarResNetImpl>(depth, filters, c, k); };
}

const std::map<std::string, Factory>& factories()
{
    static const std::vector<std::int64_t> base = {16, 16, 32, 64};
    static const std::vector<std::int64_t> wide = {32, 64, 128, 256};
    static const std::map<std::string, Factory> table = {
        {"small-cnn", [](std::int64_t c, std::int64_t k) { return std::make_shared<SmallCnnImpl>(c, k); }},
        {"resnet8", resnet(8, base)},       {"resnet14", resnet(14, base)},   {"resnet20", resnet(20, base)},
        {"resnet32", resnet(32, base)},     {"resnet44", resnet(44, base)},   {"resnet56", resnet(56, base)},
        {"resnet110", resnet(110, base)},   {"resnet8x4", resnet(8, wide)},   {"resnet32x4", resnet(32, wide)},
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
