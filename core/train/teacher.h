#pragma once
// The teacher of a distillation run: a network of the zoo loaded from an SCNS checkpoint or a
// PyTorch file, frozen (no parameter requires a gradient) and kept in eval mode, so neither
// its weights nor its batch-norm statistics change while the student trains. CRD's teacher
// projection head is not part of it: it trains with the student (train/contrastive_term.h).
#include <cstdint>
#include <memory>
#include <string>

#include <c10/core/Device.h>

#include "data/image_set.h"
#include "models/network.h"
#include "train/run_config.h"

namespace scns {

class Teacher {
public:
    // Loads config.teacherWeights as config.teacherArch (empty: the architecture an SCNS
    // checkpoint names). Throws CheckpointError naming the file when it is missing, unreadable
    // or does not fit, and when the teacher does not match the student's data: another class
    // count, other input channels, or (SCNS checkpoints) another data set than `dataset`.
    Teacher(const DistillConfig& config, const std::string& dataset, const ImageSet& train, c10::Device device);

    // x: B x C x H x W on the device -> logits and features, without gradient, in eval mode.
    NetworkOutput forward(const torch::Tensor& x);

    // A hash of every parameter and buffer byte: the trainer checks after each epoch that it
    // is still the one at load time (a changed teacher is a bug, never silently accepted).
    std::uint64_t stateHash() const;

    NetworkImpl& network() { return *m_network; }
    const std::string& arch() const { return m_arch; }
    std::int64_t featureDim() const { return m_network->featureDim(); }

private:
    std::shared_ptr<NetworkImpl> m_network;
    std::string m_arch;
};

}  // namespace scns
