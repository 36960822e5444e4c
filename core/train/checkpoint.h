#pragma once
// Training checkpoints: model, optimiser state, completed epochs, RNG state. Written to a
// temporary file and renamed, so a kill at any moment leaves the previous checkpoint intact.
#include <cstdint>
#include <filesystem>
#include <string>

#include <functional>

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>

namespace scns {

struct CheckpointMeta {
    std::int64_t epochsCompleted = 0;
    std::int64_t step = 0;       // optimiser steps taken
    std::string arch;
    std::string dataset;  // the data set the network was trained on (empty in older checkpoints)
};

// Extra training state (e.g. the contrastive head and memory bank) kept under "extra".
using SaveExtra = std::function<void(torch::serialize::OutputArchive&)>;
using LoadExtra = std::function<void(torch::serialize::InputArchive&)>;

void saveCheckpoint(const std::filesystem::path& file, torch::nn::Module& model, torch::optim::Optimizer& optimizer,
                    const CheckpointMeta& meta, const SaveExtra& extra = {});

// Restores model and optimiser in place; throws CheckpointError naming the file when it is
// missing, unreadable, of another architecture than `arch`, or does not fit the model.
CheckpointMeta loadCheckpoint(const std::filesystem::path& file, const std::string& arch, torch::nn::Module& model,
                              torch::optim::Optimizer& optimizer, const LoadExtra& extra = {});

}  // namespace scns
