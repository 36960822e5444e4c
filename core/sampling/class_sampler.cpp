#include "sampling/class_sampler.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "data/to_device.h"
#include "sampling/checked_class_distribution.h"
#include "sampling/counter_rng.h"
#include "sampling/sampler_loop.h"

namespace scns {

ClassSampler::ClassSampler(const at::Tensor& labels, std::int64_t numClasses, const at::Tensor& distribution,
                           at::Generator generator)
    : m_index(labels, numClasses), m_generator(std::move(generator))
{
    const std::vector<double> d = checkedClassDistribution(distribution, m_index);
    m_classes = AliasTable(d.data(), numClasses, numClasses);
}

SampledNegatives ClassSampler::sample(const at::Tensor& anchorIndices, std::int64_t K)
{
    checkNegativeCount(K);
    const at::Tensor anchors = m_index.checkedAnchors(anchorIndices, "ClassSampler::sample");
    const std::int64_t B = anchors.numel();
    const std::uint64_t key = nextKey(m_generator);
    if (m_placement.tensorDraws) {
        // The host loop below on B x K lanes: counters 2 (b K + t) pick the class, + 1 the member.
        const c10::Device device = m_placement.device;
        const at::Tensor y = m_tensors.labels.index_select(0, toDevice(anchors, device)).unsqueeze(1);
        const at::Tensor counters = at::arange(B * K, at::TensorOptions(device).dtype(at::kLong)).view({B, K}).mul_(2);
        const at::Tensor c = m_classTensors.draw(y, draws::splitMix(key, counters));
        const at::Tensor j = draws::below(draws::splitMix(key, counters.add(1)), m_tensors.counts.take(c));
        return {m_tensors.order.take(m_tensors.offsets.take(c).add_(j)), at::ones({B, K}, at::TensorOptions(device).dtype(at::kBool))};
    }
    const CounterRng rng(key);
    at::Tensor out = at::empty({B, K}, at::kLong);
    const std::int64_t* a = anchors.data_ptr<std::int64_t>();
    std::int64_t* o = out.data_ptr<std::int64_t>();
    const std::int64_t* order = m_index.order();
    std::vector<std::uint64_t> counts(static_cast<std::size_t>(m_index.numClasses()));
    std::vector<const std::int64_t*> members(counts.size());
    for (std::int64_t c = 0; c < m_index.numClasses(); ++c) {
        counts[c] = static_cast<std::uint64_t>(m_index.count(c));
        members[c] = order + m_index.offset(c);
    }
    at::parallel_for(0, B, samplerGrain(K), [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t b = begin; b < end; ++b) {
            const std::int64_t y = m_index.label(a[b]);
            std::int64_t* row = o + b * K;
            const std::uint64_t base = static_cast<std::uint64_t>(2 * b * K);
            for (std::int64_t t = 0; t < K; ++t) {
                const std::int64_t c = m_classes.draw(y, rng.at(base + 2 * t));
                row[t] = members[c][CounterRng::below(rng.at(base + 2 * t + 1), counts[c])];
            }
        }
    });
    return {out, at::ones({B, K}, at::kBool)};
}

void ClassSampler::place(const SamplerPlacement& placement)
{
    m_tensors = placement.tensorDraws ? ClassIndexTensors(m_index, placement.device) : ClassIndexTensors();
    m_classTensors = placement.tensorDraws ? AliasTensors(m_classes, placement.device) : AliasTensors();
    m_placement = placement;
}

}  // namespace scns
