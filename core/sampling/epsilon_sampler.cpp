#include "sampling/epsilon_sampler.h"

#include <cmath>

#include <ATen/ATen.h>

#include "data/to_device.h"
#include "sampling/class_index.h"
#include "sampling/config_fields.h"
#include "sampling/counter_rng.h"

namespace scns {

EpsilonSampler::EpsilonSampler(std::shared_ptr<NegativeSampler> inner, double epsilon,
                               std::shared_ptr<NegativeSampler> uniform, at::Generator generator)
    : m_inner(std::move(inner)), m_epsilon(epsilon), m_uniform(std::move(uniform)), m_generator(std::move(generator))
{
    if (!(epsilon >= 0.0 && epsilon <= 1.0))
        field::fail(field::kEpsilon, field::str(epsilon), "a share in [0, 1]");
    TORCH_CHECK(m_inner && m_uniform, "EpsilonSampler: inner and uniform samplers must be set");
}

SampledNegatives EpsilonSampler::sample(const at::Tensor& anchorIndices, std::int64_t K)
{
    checkNegativeCount(K);
    SampledNegatives out = m_inner->sample(anchorIndices, K);
    if (m_epsilon == 0.0)
        return out;
    out.indices = out.indices.contiguous();
    out.fromTopK = out.fromTopK.contiguous();
    const std::int64_t total = out.indices.numel();
    const CounterRng rng(nextKey(m_generator));
    // Positions (flat, b * K + t) whose draw the uniform sampler supplies: independent
    // Bernoulli(epsilon) trials, generated as geometric gaps between successes, so the cost is
    // one logarithm per picked position instead of one random number per draw.
    std::vector<std::int64_t> picked;
    picked.reserve(static_cast<std::size_t>(static_cast<double>(total) * m_epsilon * 1.1) + 16);
    const double logMiss = std::log1p(-m_epsilon);  // -inf for epsilon = 1: every gap is 0
    std::uint64_t counter = 0;
    for (std::int64_t p = 0;; ++p) {
        const double u = 1.0 - CounterRng::unit(rng.at(counter++));  // (0, 1]
        const double gap = m_epsilon == 1.0 ? 0.0 : std::floor(std::log(u) / logMiss);
        if (gap >= static_cast<double>(total - p))
            break;
        p += static_cast<std::int64_t>(gap);
        picked.push_back(p);
    }
    if (picked.empty())
        return out;
    const at::Tensor positions = at::from_blob(picked.data(), {static_cast<std::int64_t>(picked.size())}, at::kLong).clone();
    const at::Tensor anchors = anchorIndices.to(at::kCPU, at::kLong).index_select(0, positions.div(K, "floor"));
    const at::Tensor replacement = m_uniform->sample(anchors, 1).indices.view({-1});
    const at::Tensor where = toDevice(positions, out.indices.device());
    out.indices.view({-1}).index_put_({where}, replacement);
    out.fromTopK.view({-1}).index_put_({where}, false);
    return out;
}

void EpsilonSampler::place(const SamplerPlacement& placement)
{
    m_inner->place(placement);
    m_uniform->place(placement);
    m_placement = placement;
}

}  // namespace scns
