#include "sampling/uniform_sampler.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "sampling/config_fields.h"
#include "sampling/counter_rng.h"
#include "sampling/sampler_loop.h"

namespace scns {

UniformSampler::UniformSampler(const at::Tensor& labels, std::int64_t numClasses, at::Generator generator)
    : m_index(labels, numClasses), m_generator(std::move(generator))
{
    for (std::int64_t c = 0; c < numClasses; ++c)
        if (m_index.count(c) == m_index.size())
            field::fail(field::kSampler, "uniform",
                        "training labels of at least two classes (all " + field::str(m_index.size())
                            + " samples have class " + field::str(c) + ")");
}

SampledNegatives UniformSampler::sample(const at::Tensor& anchorIndices, std::int64_t K)
{
    checkNegativeCount(K);
    const at::Tensor anchors = m_index.checkedAnchors(anchorIndices, "UniformSampler::sample");
    const std::int64_t B = anchors.numel();
    const CounterRng rng(nextKey(m_generator));
    at::Tensor out = at::empty({B, K}, at::kLong);
    const std::int64_t* a = anchors.data_ptr<std::int64_t>();
    std::int64_t* o = out.data_ptr<std::int64_t>();
    const std::int64_t N = m_index.size();
    const std::int64_t* order = m_index.order();
    at::parallel_for(0, B, samplerGrain(K), [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t b = begin; b < end; ++b) {
            const std::int64_t y = m_index.label(a[b]);
            const std::uint64_t others = static_cast<std::uint64_t>(N - m_index.count(y));
            const std::uint64_t skipFrom = static_cast<std::uint64_t>(m_index.offset(y));
            const std::uint64_t skip = static_cast<std::uint64_t>(m_index.count(y));
            std::int64_t* row = o + b * K;
            const std::uint64_t base = static_cast<std::uint64_t>(b * K);
            for (std::int64_t t = 0; t < K; ++t) {
                std::uint64_t pos = CounterRng::below(rng.at(base + t), others);
                pos += pos >= skipFrom ? skip : 0;  // jump over the anchor's class block
                row[t] = order[pos];
            }
        }
    });
    return {out, at::zeros({B, K}, at::kBool)};
}

}  // namespace scns
