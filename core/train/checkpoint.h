#pragma once
// Training checkpoints: model, optimiser state, completed epochs, RNG state, and the extra
// state of the contrastive term. Format 2 is a torch.save file of plain data
// (io/torch_file.h): Python reads it with torch.load(file, weights_only=True), and
// torch.load(file)["model"] is the network's state dict. Format 1 (LibTorch archives, written
// before) is still read, as data. Written to a partial file and renamed, so a kill or a full
// disk at any moment leaves the previous checkpoint intact.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include <torch/nn/module.h>
#include <torch/optim/sgd.h>

#include "io/torch_file.h"
#include "models/state_dict.h"

namespace scns {

struct CheckpointMeta {
    std::int64_t epochsCompleted = 0;
    std::int64_t step = 0;       // optimiser steps taken
    std::string arch;
    std::string dataset;  // the data set the network was trained on (empty in older checkpoints)
    int formatVersion = 0;  // of the file read
};

// Extra training state (e.g. the contrastive head and memory bank) kept under "extra": a dict
// the saver fills and the loader reads (with the file's name for messages).
using SaveExtra = std::function<void(TorchValue& extra)>;
using LoadExtra = std::function<void(const TorchValue& extra, const std::string& source)>;

// Throws CheckpointError naming the file when it cannot be written.
void saveCheckpoint(const std::filesystem::path& file, torch::nn::Module& model, torch::optim::SGD& optimizer,
                    const CheckpointMeta& meta, const SaveExtra& extra = {});

// Restores model, optimiser and RNG in place; throws CheckpointError naming the file when it
// is missing, unreadable, refused, of another architecture than `arch`, or does not fit the
// model. Nothing is restored unless everything fits.
CheckpointMeta loadCheckpoint(const std::filesystem::path& file, const std::string& arch, torch::nn::Module& model,
                              torch::optim::SGD& optimizer, const LoadExtra& extra = {});

// The tensors of a dict, nested dicts joined with '.': a format-2 state dict as it is, a
// format-1 module archive (one dict per submodule) flattened to the same names.
StateDict flattenTensors(const TorchValue& dict);

}  // namespace scns
