#pragma once
// Builds the negative samplers of one training set (docs/method.md "Negative samplers") from their
// options: uniform, class-conditioned (from a class similarity), instance-conditioned (from
// reference embeddings), and the epsilon share over any of them. Every sampler it makes draws
// from the one generator it was given (at::Generator is a handle), so reseeding that generator
// reseeds them all.
#include <cstdint>
#include <memory>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include "sampling/device_draws.h"
#include "sampling/instance_sampler.h"

namespace scns {

struct TopKTable;

class NegativeSampler;

// `class`: draw a class from the anchor class's top-k of the class similarity, then a sample of it.
struct ClassSamplerOptions {
    TORCH_ARG(std::int64_t, k) = 3;
    TORCH_ARG(double, tau) = 0.1;       // softmax temperature over the top-k similarities
    TORCH_ARG(bool, uniform) = false;   // uniform over the top-k classes instead of the softmax
};

// `instance`: draw from the anchor's k most similar samples (by reference embeddings).
struct InstanceSamplerOptions {
    TORCH_ARG(std::int64_t, k) = 64;
    TORCH_ARG(InstanceWeighting, weighting) = InstanceWeighting::Uniform;
    TORCH_ARG(double, tau) = 0.1;       // softmax temperature (weighting = Softmax)
    TORCH_ARG(bool, otherClassesOnly) = true;
};

class SamplerFactory {
public:
    // labels: N int64 class ids (CPU) of the training set. Every sampler made is placed with
    // `placement` (sampling/device_draws.h): negatives drawn and returned on its device.
    SamplerFactory(at::Tensor labels, std::int64_t numClasses, at::Generator generator,
                   SamplerPlacement placement = {});

    std::shared_ptr<NegativeSampler> uniform() const;
    // similarity: C x C class similarity (CPU float). Throws ConfigError as ClassSampler and
    // classSamplingDistribution do.
    std::shared_ptr<NegativeSampler> byClass(const at::Tensor& similarity, const ClassSamplerOptions& options) const;
    // embeddings: N x d unit rows (any device); the top-k table is built from them, exactly, in blocks.
    std::shared_ptr<NegativeSampler> byInstance(const at::Tensor& embeddings, const InstanceSamplerOptions& options) const;
    // The same from a table built already (another rank's, broadcast); options.k and
    // otherClassesOnly are the table's.
    std::shared_ptr<NegativeSampler> byInstanceTable(const TopKTable& table, const InstanceSamplerOptions& options) const;
    // `inner`, with a share epsilon of each anchor's negatives drawn by `uniform` instead.
    std::shared_ptr<NegativeSampler> withEpsilon(std::shared_ptr<NegativeSampler> inner, double epsilon,
                                                 std::shared_ptr<NegativeSampler> uniform) const;

private:
    at::Tensor m_labels;
    std::int64_t m_numClasses;
    at::Generator m_generator;
    SamplerPlacement m_placement;
};

}  // namespace scns
