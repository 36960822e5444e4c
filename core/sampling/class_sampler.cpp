#include "sampling/class_sampler.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

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
    const CounterRng rng(nextKey(m_generator));
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

}  // namespace scns
