#include "sampling/uniform_sampler.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "data/to_device.h"
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
    const std::uint64_t key = nextKey(m_generator);
    if (m_placement.tensorDraws)
        return sampleTensors(anchors, K, key);
    const CounterRng rng(key);
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

void UniformSampler::place(const SamplerPlacement& placement)
{
    m_tensors = placement.tensorDraws ? ClassIndexTensors(m_index, placement.device) : ClassIndexTensors();
    m_placement = placement;
}

SampledNegatives UniformSampler::sampleTensors(const at::Tensor& anchors, std::int64_t K, std::uint64_t key) const
{
    // The host loop's arithmetic on B x K lanes: draw b * K + t picks among the samples of other
    // classes and steps over the anchor's class block.
    const c10::Device device = m_placement.device;
    const std::int64_t B = anchors.numel();
    const at::Tensor y = m_tensors.labels.index_select(0, toDevice(anchors, device)).unsqueeze(1);  // B x 1
    const at::Tensor count = m_tensors.counts.index_select(0, y.view(-1)).unsqueeze(1);
    const at::Tensor skipFrom = m_tensors.offsets.index_select(0, y.view(-1)).unsqueeze(1);
    const at::Tensor r = draws::splitMix(key, at::arange(B * K, at::TensorOptions(device).dtype(at::kLong)).view({B, K}));
    at::Tensor pos = draws::below(r, count.neg().add_(m_index.size()));
    pos.add_(pos.ge(skipFrom).mul(count));
    return {m_tensors.order.take(pos), at::zeros({B, K}, at::TensorOptions(device).dtype(at::kBool))};
}

}  // namespace scns
