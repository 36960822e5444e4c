#include "train/sampler_statistics.h"

#include <algorithm>

#include <ATen/ATen.h>

#include "data/to_device.h"
#include "dist/replica_group.h"

namespace scns {

void SamplerStatistics::addSums(const at::Tensor& loss, const at::Tensor& cosineSum, const at::Tensor& counts,
                                std::int64_t negatives)
{
    const at::Tensor batch = at::cat({at::stack({loss.detach().to(at::kDouble).reshape({}), cosineSum.to(at::kDouble)}),
                                      toDevice(counts, cosineSum.device()).to(at::kDouble)});
    m_sums = m_sums.defined() ? m_sums + batch : batch;
    ++m_batches;
    m_negatives += negatives;
}

void SamplerStatistics::addBankBatch(const at::Tensor& loss, const at::Tensor& cos, const at::Tensor& anchorLabels,
                                     const at::Tensor& negativeLabels, const at::Tensor& fromTopK,
                                     const at::Tensor& topKClassMask)
{
    const c10::Device device = cos.device();
    const at::Tensor anchors = toDevice(anchorLabels, device).unsqueeze(1);
    const at::Tensor negatives = toDevice(negativeLabels, device);
    const at::Tensor inTopK = topKClassMask.defined()
                                  ? toDevice(topKClassMask, device).index({anchors.expand_as(negatives), negatives}).sum()
                                  : at::zeros({}, cos.options().dtype(at::kLong));
    const at::Tensor counts = at::stack({negatives.eq(anchors).sum(), toDevice(fromTopK, device).sum(), inTopK});
    addSums(loss, cos.sum(), counts, negativeLabels.numel());
}

void SamplerStatistics::addInBatch(const at::Tensor& loss, const at::Tensor& cos, const at::Tensor& labels,
                                   const at::Tensor& topKClassMask)
{
    const auto differ = labels.unsqueeze(1).ne(labels.unsqueeze(0));
    const auto pairs = static_cast<std::int64_t>(differ.sum().item<double>());  // host labels
    double inTopK = 0;
    if (topKClassMask.defined()) {
        const auto rows = labels.unsqueeze(1).expand({labels.size(0), labels.size(0)});
        const auto cols = labels.unsqueeze(0).expand({labels.size(0), labels.size(0)});
        inTopK = topKClassMask.index({rows, cols}).logical_and(differ).sum().item<double>();
    }
    // No sampler drew these: the same-class and from-top-k shares stay 0.
    addSums(loss, cos.masked_select(toDevice(differ, cos.device())).sum(), at::tensor({0.0, 0.0, inTopK}, at::kDouble),
            pairs);
}

ContrastiveEpochStats SamplerStatistics::value(bool withTopK, ReplicaGroup* group) const
{
    ContrastiveEpochStats s;
    std::vector<double> v(5, 0.0);
    if (m_sums.defined()) {
        const at::Tensor sums = m_sums.to(at::kCPU).contiguous();
        v.assign(sums.data_ptr<double>(), sums.data_ptr<double>() + 5);
    }
    v.push_back(static_cast<double>(m_batches));
    v.push_back(static_cast<double>(m_negatives));
    if (group && group->worldSize() > 1)
        v = sumOverRanks(*group, v);
    if (v[5] == 0)
        return s;
    const double negatives = std::max(1.0, v[6]);
    s.meanLoss = v[0] / v[5];
    s.meanNegativeCosine = v[1] / negatives;
    s.sameClassShare = v[2] / negatives;
    s.fromTopKShare = v[3] / negatives;
    if (withTopK)
        s.topKClassShare = v[4] / negatives;
    return s;
}

void SamplerStatistics::reset()
{
    m_sums = at::Tensor();
    m_batches = m_negatives = 0;
}

}  // namespace scns
