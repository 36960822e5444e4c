#include "train/sampler_statistics.h"

#include <ATen/ATen.h>

#include "data/to_device.h"

namespace scns {

void SamplerStatistics::addDeviceSums(const at::Tensor& loss, const at::Tensor& cosineSum, std::int64_t negatives)
{
    const at::Tensor sums = at::stack({loss.detach().to(at::kDouble).reshape({}), cosineSum.to(at::kDouble)});
    m_deviceSums = m_deviceSums.defined() ? m_deviceSums + sums : sums;
    ++m_batches;
    m_negatives += negatives;
}

void SamplerStatistics::addBankBatch(const at::Tensor& loss, const at::Tensor& cos, const at::Tensor& anchorLabels,
                                     const at::Tensor& negativeLabels, const at::Tensor& fromTopK,
                                     const at::Tensor& topKClassMask)
{
    const std::int64_t n = negativeLabels.numel();
    addDeviceSums(loss, cos.sum(), n);
    m_sameClass.add(negativeLabels.eq(anchorLabels.unsqueeze(1)).sum().item<double>(), n);
    m_fromTopK.add(fromTopK.sum().item<double>(), n);
    if (topKClassMask.defined())
        m_topKClass.add(topKClassMask.index({anchorLabels.unsqueeze(1).expand_as(negativeLabels), negativeLabels}).sum().item<double>(), n);
}

void SamplerStatistics::addInBatch(const at::Tensor& loss, const at::Tensor& cos, const at::Tensor& labels,
                                   const at::Tensor& topKClassMask)
{
    const auto differ = labels.unsqueeze(1).ne(labels.unsqueeze(0));
    const auto pairs = static_cast<std::int64_t>(differ.sum().item<double>());
    addDeviceSums(loss, cos.masked_select(toDevice(differ, cos.device())).sum(), pairs);
    if (topKClassMask.defined()) {
        const auto rows = labels.unsqueeze(1).expand({labels.size(0), labels.size(0)});
        const auto cols = labels.unsqueeze(0).expand({labels.size(0), labels.size(0)});
        m_topKClass.add(topKClassMask.index({rows, cols}).logical_and(differ).sum().item<double>(), pairs);
    }
    // No sampler drew these: the same-class and from-top-k shares stay 0.
    m_sameClass.add(0, pairs);
    m_fromTopK.add(0, pairs);
}

ContrastiveEpochStats SamplerStatistics::value(bool withTopK) const
{
    ContrastiveEpochStats s;
    if (m_deviceSums.defined()) {
        const at::Tensor sums = m_deviceSums.to(at::kCPU);
        s.meanLoss = sums[0].item<double>() / static_cast<double>(m_batches);
        s.meanNegativeCosine = sums[1].item<double>() / static_cast<double>(std::max<std::int64_t>(1, m_negatives));
    }
    s.sameClassShare = m_sameClass.value();
    s.fromTopKShare = m_fromTopK.value();
    if (withTopK)
        s.topKClassShare = m_topKClass.value();
    return s;
}

void SamplerStatistics::reset()
{
    m_deviceSums = at::Tensor();
    m_batches = m_negatives = 0;
    for (AverageValueMeter* m : {&m_topKClass, &m_sameClass, &m_fromTopK})
        m->reset();
}

}  // namespace scns
