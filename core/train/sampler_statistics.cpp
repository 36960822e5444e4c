#include "train/sampler_statistics.h"

#include <ATen/ATen.h>

namespace scns {

void SamplerStatistics::addBankBatch(double loss, const at::Tensor& cos, const at::Tensor& anchorLabels,
                                     const at::Tensor& negativeLabels, const at::Tensor& fromTopK,
                                     const at::Tensor& topKClassMask)
{
    const std::int64_t n = negativeLabels.numel();
    m_cosine.add(cos.sum().item<double>(), n);
    m_sameClass.add(negativeLabels.eq(anchorLabels.unsqueeze(1)).sum().item<double>(), n);
    m_fromTopK.add(fromTopK.sum().item<double>(), n);
    if (topKClassMask.defined())
        m_topKClass.add(topKClassMask.index({anchorLabels.unsqueeze(1).expand_as(negativeLabels), negativeLabels}).sum().item<double>(), n);
    m_loss.add(loss);
}

void SamplerStatistics::addInBatch(double loss, const at::Tensor& cos, const at::Tensor& labels, const at::Tensor& topKClassMask)
{
    const auto differ = labels.unsqueeze(1).ne(labels.unsqueeze(0));
    const auto pairs = static_cast<std::int64_t>(differ.sum().item<double>());
    m_cosine.add(cos.masked_select(differ).sum().item<double>(), pairs);
    if (topKClassMask.defined()) {
        const auto rows = labels.unsqueeze(1).expand({labels.size(0), labels.size(0)});
        const auto cols = labels.unsqueeze(0).expand({labels.size(0), labels.size(0)});
        m_topKClass.add(topKClassMask.index({rows, cols}).logical_and(differ).sum().item<double>(), pairs);
    }
    // No sampler drew these: the same-class and from-top-k shares stay 0.
    m_sameClass.add(0, pairs);
    m_fromTopK.add(0, pairs);
    m_loss.add(loss);
}

ContrastiveEpochStats SamplerStatistics::value(bool withTopK) const
{
    ContrastiveEpochStats s;
    s.meanLoss = m_loss.value();
    s.meanNegativeCosine = m_cosine.value();
    s.sameClassShare = m_sameClass.value();
    s.fromTopKShare = m_fromTopK.value();
    if (withTopK)
        s.topKClassShare = m_topKClass.value();
    return s;
}

void SamplerStatistics::reset()
{
    for (AverageValueMeter* m : {&m_loss, &m_cosine, &m_topKClass, &m_sameClass, &m_fromTopK})
        m->reset();
}

}  // namespace scns
