#include "sampling/class_index.h"

#include <string>

#include <ATen/ATen.h>

#include "common/errors.h"
#include "sampling/config_fields.h"

namespace scns {

ClassIndex::ClassIndex(const at::Tensor& labels, std::int64_t numClasses)
{
    if (numClasses < 2)
        field::fail(field::kSampler, "number of classes " + field::str(numClasses),
                    "at least 2 classes (negatives come from other classes)");
    if (!labels.defined() || labels.dim() != 1 || labels.numel() == 0 || labels.is_floating_point())
        throw DataError("sampler: training labels must be a non-empty 1-D integer tensor, got "
                        + (labels.defined() ? field::str(labels.sizes()) + " " + std::string(labels.dtype().name())
                                            : std::string("an undefined tensor")));
    const at::Tensor l = labels.to(at::kCPU, at::kLong).contiguous();
    const std::int64_t* p = l.data_ptr<std::int64_t>();
    m_labels.assign(p, p + l.numel());
    m_counts.assign(static_cast<std::size_t>(numClasses), 0);
    for (std::size_t i = 0; i < m_labels.size(); ++i) {
        const std::int64_t y = m_labels[i];
        if (y < 0 || y >= numClasses)
            throw DataError("sampler: training label " + std::to_string(y) + " of sample " + std::to_string(i)
                            + " lies outside [0, " + std::to_string(numClasses) + ")");
        ++m_counts[y];
    }
    m_offsets.assign(static_cast<std::size_t>(numClasses), 0);
    for (std::int64_t c = 1; c < numClasses; ++c)
        m_offsets[c] = m_offsets[c - 1] + m_counts[c - 1];
    m_order.resize(m_labels.size());
    std::vector<std::int64_t> next = m_offsets;
    for (std::size_t i = 0; i < m_labels.size(); ++i)
        m_order[next[m_labels[i]]++] = static_cast<std::int64_t>(i);
}

at::Tensor ClassIndex::checkedAnchors(const at::Tensor& anchors, const char* who) const
{
    TORCH_CHECK(anchors.defined() && anchors.dim() == 1 && !anchors.is_floating_point(), who,
                ": anchorIndices must be a 1-D integer tensor, got ",
                anchors.defined() ? anchors.sizes() : at::IntArrayRef{});
    at::Tensor a = anchors.to(at::kCPU, at::kLong).contiguous();
    const std::int64_t* p = a.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < a.numel(); ++i)
        TORCH_CHECK(p[i] >= 0 && p[i] < size(), who, ": anchor index ", p[i], " (position ", i,
                    ") lies outside the training set [0, ", size(), ")");
    return a;
}

void checkNegativeCount(std::int64_t K)
{
    if (K < 1)
        field::fail(field::kNegatives, field::str(K), "at least 1 negative per anchor");
}

}  // namespace scns
