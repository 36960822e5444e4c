#pragma once
// A module's parameters and buffers in PyTorch's state_dict order: for each module, its own
// parameters, then its own buffers, then its children in registration order. LibTorch's
// named_parameters()/named_buffers() list all parameters before all buffers instead.
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>

namespace scns {

using StateDict = std::vector<std::pair<std::string, torch::Tensor>>;

StateDict stateDict(const torch::nn::Module& module);

}  // namespace scns
