#pragma once
// A network of the zoo built to the size of a weights file and loaded from it: what
// `scns evaluate`, `scns export-weights` and distillation teachers use.
#include <filesystem>
#include <memory>
#include <string>

#include "models/network.h"
#include "models/weights_file.h"

namespace scns {

// The architecture's NetworkSpec with numClasses read from the classifier weight (the last
// matrix of its state dict) and inChannels from the first convolution, when the weights have
// those keys (a 'module.' prefix is allowed); the defaults (10, 3) otherwise.
NetworkSpec specFromWeights(const std::string& arch, const StateDict& weights);

struct PretrainedNetwork {
    std::shared_ptr<NetworkImpl> network;  // in eval mode, on the CPU
    NetworkSpec spec;
    std::string format;       // WeightsFile::format
    std::int64_t epoch = -1;  // WeightsFile::epoch
    std::string dataset;      // WeightsFile::dataset
};

// Reads `file` (readWeightsFile), builds `arch` (empty: the architecture an SCNS training
// checkpoint names) sized by specFromWeights, or with numClasses when > 0, and loads the
// weights. Throws ConfigError for an unknown architecture, CheckpointError naming the file for
// unreadable weights, an SCNS checkpoint of another architecture, or weights that do not fit
// (every missing, unexpected and mis-shaped key listed).
PretrainedNetwork loadPretrained(const std::string& arch, const std::filesystem::path& file,
                                 std::int64_t numClasses = 0);

}  // namespace scns
