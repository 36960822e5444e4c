#include "train/teacher.h"

#include <torch/utils.h>

#include "common/errors.h"
#include "models/pretrained.h"

namespace scns {

Teacher::Teacher(const DistillConfig& config, const std::string& dataset, const ImageSet& train, c10::Device device)
{
    const std::string& file = config.teacherWeights;
    PretrainedNetwork p = loadPretrained(config.teacherArch, file);
    const std::string what = "teacher " + file + " (" + p.spec.arch + ")";
    if (!p.dataset.empty() && p.dataset != dataset)
        throw CheckpointError(what + " was trained on " + p.dataset + "; the student trains on " + dataset
                              + " (teacher and student need the same data set)");
    if (p.spec.numClasses != train.numClasses())
        throw CheckpointError(what + " has " + std::to_string(p.spec.numClasses) + " classes; the student's data set "
                              + dataset + " has " + std::to_string(train.numClasses()));
    if (p.spec.inChannels != train.channels)
        throw CheckpointError(what + " takes " + std::to_string(p.spec.inChannels) + "-channel images; " + dataset
                              + " has " + std::to_string(train.channels));
    m_arch = p.spec.arch;
    m_network = std::move(p.network);
    m_network->to(device);
    m_network->eval();
    for (auto& param : m_network->parameters())
        param.requires_grad_(false);
}

std::uint64_t Teacher::stateHash() const
{
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a over the bytes of each tensor
    const auto mix = [&h](const torch::Tensor& t) {
        const auto c = t.detach().to(torch::kCPU).contiguous();
        const auto* p = static_cast<const unsigned char*>(c.data_ptr());
        for (std::size_t i = 0, n = c.nbytes(); i < n; ++i)
            h = (h ^ p[i]) * 1099511628211ull;
    };
    for (const auto& t : m_network->parameters())
        mix(t);
    for (const auto& t : m_network->buffers())
        mix(t);
    return h;
}

NetworkOutput Teacher::forward(const torch::Tensor& x)
{
    torch::NoGradGuard noGrad;
    // eval() again: a caller's model.train() on a parent module must not reach the teacher.
    if (m_network->is_training())
        m_network->eval();
    return m_network->forwardAll(x);
}

}  // namespace scns
