#include "models/pretrained.h"

#include <map>

#include "common/errors.h"
#include "models/load_state_dict.h"
#include "models/registry.h"

namespace scns {

NetworkSpec specFromWeights(const std::string& arch, const StateDict& rawWeights)
{
    NetworkSpec spec{arch, 10, 3};
    const auto probe = buildNetwork(spec);
    std::map<std::string, torch::Tensor> weights;
    for (const auto& [key, t] : withoutDataParallelPrefix(rawWeights))
        weights.emplace(key, t);

    const StateDict own = stateDict(*probe);
    for (const auto& [key, t] : own) {
        if (t.dim() == 4) {
            const auto it = weights.find(key);
            if (it != weights.end() && it->second.dim() == 4 && it->second.size(1) >= 1)
                spec.inChannels = it->second.size(1);
            break;
        }
    }
    for (auto e = own.rbegin(); e != own.rend(); ++e) {
        if (e->second.dim() == 2) {
            const auto it = weights.find(e->first);
            if (it != weights.end() && it->second.dim() == 2 && it->second.size(0) >= 2)
                spec.numClasses = it->second.size(0);
            break;
        }
    }
    return spec;
}

PretrainedNetwork loadPretrained(const std::string& requestedArch, const std::filesystem::path& file,
                                 std::int64_t numClasses)
{
    WeightsFile w = readWeightsFile(file);
    if (!requestedArch.empty() && !w.arch.empty() && w.arch != requestedArch)
        throw CheckpointError(file.string() + ": holds a " + w.arch + " network (" + w.format + "), not a "
                              + requestedArch);
    const std::string arch = requestedArch.empty() ? w.arch : requestedArch;
    if (arch.empty())
        throw CheckpointError(file.string() + ": a " + w.format + " does not say which network it holds; give the "
                              "architecture (--arch)");
    PretrainedNetwork p;
    p.spec = specFromWeights(arch, w.tensors);
    if (numClasses > 0)
        p.spec.numClasses = numClasses;
    p.network = buildNetwork(p.spec);
    loadStateDict(*p.network, w.tensors, file.string() + " (" + w.format + ")",
                  arch + " with " + std::to_string(p.spec.numClasses) + " classes and "
                      + std::to_string(p.spec.inChannels) + " input channel" + (p.spec.inChannels == 1 ? "" : "s"));
    p.network->eval();
    p.format = w.format;
    p.epoch = w.epoch;
    p.dataset = w.dataset;
    return p;
}

}  // namespace scns
