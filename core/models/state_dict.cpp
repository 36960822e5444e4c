#include "models/state_dict.h"

namespace scns {

namespace {
void collect(const torch::nn::Module& m, const std::string& prefix, StateDict& out)
{
    for (const auto& p : m.named_parameters(/*recurse=*/false))
        out.emplace_back(prefix + p.key(), p.value());
    for (const auto& b : m.named_buffers(/*recurse=*/false))
        out.emplace_back(prefix + b.key(), b.value());
    for (const auto& child : m.named_children())
        collect(*child.value(), prefix + child.key() + ".", out);
}
}  // namespace

StateDict stateDict(const torch::nn::Module& module)
{
    StateDict out;
    collect(module, "", out);
    return out;
}

}  // namespace scns
