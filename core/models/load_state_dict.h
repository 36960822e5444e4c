#pragma once
// Loading a state dict into a module, as PyTorch's load_state_dict(strict=True) does, with a
// message that lists every problem at once.
#include <string>

#include <torch/nn/module.h>

#include "models/state_dict.h"

namespace scns {

// The keys without a 'module.' prefix when every key has one (what nn.DataParallel and
// DistributedDataParallel save); otherwise the keys unchanged.
StateDict withoutDataParallelPrefix(StateDict weights);

// Copies `weights` into the module's parameters and buffers, matched by name (a 'module.'
// prefix on every key is dropped first) and converted to each target's dtype and device.
// Names and shapes must match exactly; otherwise nothing is copied and a CheckpointError is
// thrown, starting with `source` (e.g. the file) and naming `target` (e.g. the architecture),
// that lists every missing key, every unexpected key and every shape mismatch (expected vs
// found).
void loadStateDict(torch::nn::Module& module, const StateDict& weights, const std::string& source,
                   const std::string& target);

}  // namespace scns
