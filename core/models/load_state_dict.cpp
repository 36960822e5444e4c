#include "models/load_state_dict.h"

#include <map>
#include <set>

#include <torch/utils.h>

#include "common/errors.h"

namespace scns {

namespace {

constexpr const char* kDataParallelPrefix = "module.";

std::string shapeText(const torch::Tensor& t)
{
    if (t.dim() == 0)
        return "scalar";
    std::string s;
    for (auto d : t.sizes()) {
        if (!s.empty())
            s += 'x';
        s += std::to_string(d);
    }
    return s;
}

std::string joined(const std::vector<std::string>& keys)
{
    std::string s;
    for (const auto& k : keys)
        s += (s.empty() ? "" : ", ") + k;
    return s;
}

}  // namespace

StateDict withoutDataParallelPrefix(StateDict weights)
{
    const std::string prefix = kDataParallelPrefix;
    if (weights.empty())
        return weights;
    for (const auto& [key, t] : weights)
        if (key.rfind(prefix, 0) != 0)
            return weights;
    for (auto& entry : weights)
        entry.first.erase(0, prefix.size());
    return weights;
}

void loadStateDict(torch::nn::Module& module, const StateDict& rawWeights, const std::string& source,
                   const std::string& target)
{
    const StateDict weights = withoutDataParallelPrefix(rawWeights);
    std::map<std::string, const torch::Tensor*> given;
    std::vector<std::string> duplicate;
    for (const auto& [key, t] : weights)
        if (!given.emplace(key, &t).second)
            duplicate.push_back(key);

    const StateDict own = stateDict(module);
    std::set<std::string> ownKeys;
    std::vector<std::string> missing, wrongShape;
    for (const auto& [key, t] : own) {
        ownKeys.insert(key);
        const auto it = given.find(key);
        if (it == given.end())
            missing.push_back(key);
        else if (it->second->sizes() != t.sizes())
            wrongShape.push_back(key + " expected " + shapeText(t) + ", found " + shapeText(*it->second));
    }
    std::vector<std::string> unexpected;
    for (const auto& [key, t] : weights)
        if (!ownKeys.count(key))
            unexpected.push_back(key);

    const std::size_t problems = missing.size() + unexpected.size() + wrongShape.size() + duplicate.size();
    if (problems > 0) {
        std::string msg = source + ": the weights do not fit " + target + " (" + std::to_string(problems) + " problem"
                          + (problems == 1 ? "" : "s") + "; the network has " + std::to_string(own.size())
                          + " entries, the file " + std::to_string(weights.size()) + "):";
        if (!missing.empty())
            msg += "\n  missing keys (" + std::to_string(missing.size()) + "): " + joined(missing);
        if (!unexpected.empty())
            msg += "\n  unexpected keys (" + std::to_string(unexpected.size()) + "): " + joined(unexpected);
        if (!duplicate.empty())
            msg += "\n  keys given twice: " + joined(duplicate);
        for (const auto& w : wrongShape)
            msg += "\n  wrong shape: " + w;
        throw CheckpointError(msg);
    }

    torch::NoGradGuard noGrad;
    for (const auto& [key, t] : own) {
        // The state dict's tensors alias the module's parameters and buffers.
        auto dst = t;
        dst.copy_(*given.at(key));
    }
}

}  // namespace scns
