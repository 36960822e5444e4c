#include "sampling/instance_sampler.h"

#include <cmath>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "common/errors.h"
#include "data/to_device.h"
#include "sampling/config_fields.h"
#include "sampling/counter_rng.h"
#include "sampling/sampler_loop.h"

namespace scns {

namespace {

std::string shapeOf(const at::Tensor& t) { return t.defined() ? field::str(t.sizes()) : std::string("undefined"); }

}  // namespace

InstanceSampler::InstanceSampler(const at::Tensor& labels, std::int64_t numClasses, const at::Tensor& topkIndices,
                                 const at::Tensor& topkSimilarities, InstanceWeighting weighting, double tauS,
                                 at::Generator generator)
    : m_index(labels, numClasses), m_k(0), m_weighting(weighting), m_generator(std::move(generator))
{
    const std::int64_t N = m_index.size();
    if (!topkIndices.defined() || topkIndices.dim() != 2 || topkIndices.size(1) < 1 || topkIndices.is_floating_point())
        field::fail(field::kInstanceK, "a top-k index table of shape " + shapeOf(topkIndices),
                    "an N x k integer table with k >= 1");
    if (topkIndices.size(0) != N)
        field::fail(field::kInstanceK, "a top-k table of " + field::str(topkIndices.size(0)) + " rows",
                    "one row per training sample (N = " + field::str(N) + "); rebuild the table for these labels");
    if (!topkSimilarities.defined() || topkSimilarities.sizes() != topkIndices.sizes())
        field::fail(field::kInstanceK, "similarities of shape " + shapeOf(topkSimilarities),
                    "the index table's shape " + shapeOf(topkIndices));
    if (!(tauS > 0) || !std::isfinite(tauS))
        field::fail(field::kInstanceTau, field::str(tauS), "a temperature > 0");
    m_k = topkIndices.size(1);
    m_table = topkIndices.to(at::kCPU, at::kLong).contiguous();
    const std::int64_t* t = m_table.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < N * m_k; ++i)
        if (t[i] < 0 || t[i] >= N)
            throw DataError("InstanceSampler: top-k table entry [" + field::str(i / m_k) + "][" + field::str(i % m_k)
                            + "] = " + field::str(t[i]) + " lies outside the training set [0, " + field::str(N) + ")");
    if (weighting == InstanceWeighting::Softmax) {
        const at::Tensor s = topkSimilarities.to(at::kCPU, at::kDouble).contiguous();
        if (!at::isfinite(s).all().item<bool>())
            throw DataError("InstanceSampler: the top-k similarities contain NaN or infinite values");
        m_weights = at::softmax(s / tauS, 1).contiguous();
        m_alias = AliasTable(m_weights.data_ptr<double>(), N, m_k);
    }
}

at::Tensor InstanceSampler::probabilities() const
{
    if (m_weighting == InstanceWeighting::Softmax)
        return m_weights;
    return at::full({m_index.size(), m_k}, 1.0 / static_cast<double>(m_k), at::kDouble);
}

SampledNegatives InstanceSampler::sample(const at::Tensor& anchorIndices, std::int64_t K)
{
    checkNegativeCount(K);
    const at::Tensor anchors = m_index.checkedAnchors(anchorIndices, "InstanceSampler::sample");
    const std::int64_t B = anchors.numel();
    const std::uint64_t key = nextKey(m_generator);
    if (m_placement.tensorDraws) {
        // The host loop below on B x K lanes: draw b K + t picks a column of the anchor's row.
        const c10::Device device = m_placement.device;
        const at::Tensor i = toDevice(anchors, device).unsqueeze(1);  // B x 1
        const at::Tensor r = draws::splitMix(key, at::arange(B * K, at::TensorOptions(device).dtype(at::kLong)).view({B, K}));
        const at::Tensor column = m_weighting == InstanceWeighting::Softmax ? m_aliasTensors.draw(i, r) : draws::below(r, m_k);
        return {m_deviceTable.take(i.mul(m_k).add(column)), at::ones({B, K}, at::TensorOptions(device).dtype(at::kBool))};
    }
    const CounterRng rng(key);
    at::Tensor out = at::empty({B, K}, at::kLong);
    const std::int64_t* a = anchors.data_ptr<std::int64_t>();
    std::int64_t* o = out.data_ptr<std::int64_t>();
    const std::int64_t* table = m_table.data_ptr<std::int64_t>();
    const bool softmax = m_weighting == InstanceWeighting::Softmax;
    const std::uint64_t k = static_cast<std::uint64_t>(m_k);
    at::parallel_for(0, B, samplerGrain(K), [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t b = begin; b < end; ++b) {
            const std::int64_t i = a[b];
            const std::int64_t* candidates = table + i * m_k;
            std::int64_t* row = o + b * K;
            const std::uint64_t base = static_cast<std::uint64_t>(b * K);
            if (softmax)
                for (std::int64_t t = 0; t < K; ++t)
                    row[t] = candidates[m_alias.draw(i, rng.at(base + t))];
            else
                for (std::int64_t t = 0; t < K; ++t)
                    row[t] = candidates[CounterRng::below(rng.at(base + t), k)];
        }
    });
    return {out, at::ones({B, K}, at::kBool)};
}

void InstanceSampler::place(const SamplerPlacement& placement)
{
    m_deviceTable = placement.tensorDraws ? m_table.to(placement.device) : at::Tensor();
    m_aliasTensors = placement.tensorDraws && m_weighting == InstanceWeighting::Softmax
                         ? AliasTensors(m_alias, placement.device)
                         : AliasTensors();
    m_placement = placement;
}

}  // namespace scns
