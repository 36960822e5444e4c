#pragma once
// Writing weights in the format of PyTorch's torch.save, so that Python reads them with
// torch.load and a model of the same architecture accepts them with
// load_state_dict(..., strict=True).
#include <filesystem>

#include <torch/nn/module.h>

#include "models/state_dict.h"

namespace scns {

// A dict of name -> tensor in the given order (CPU, contiguous copies), written through a
// temporary file and a rename. Throws CheckpointError naming the file when it cannot be written.
void saveTensors(const StateDict& tensors, const std::filesystem::path& file);

// The module's state dict (models/state_dict.h: PyTorch's order and names).
void saveStateDict(const torch::nn::Module& module, const std::filesystem::path& file);

// One tensor, as torch.save(tensor) writes it (readTensorFile reads it back).
void saveTensor(const torch::Tensor& tensor, const std::filesystem::path& file);

}  // namespace scns
