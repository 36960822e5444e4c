#pragma once
// The training labels sorted by class once, so a sampler draws "a sample of class c" as
// order[offset[c] + j] for a uniform j in [0, count[c]).
#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

namespace scns {

class ClassIndex {
public:
    // labels: N integer class ids in [0, numClasses) (any integer dtype, any device).
    // Throws ConfigError (contrastive.sampler) when numClasses < 2 and DataError when a label lies
    // outside [0, numClasses) or labels is not 1-D and non-empty.
    ClassIndex(const at::Tensor& labels, std::int64_t numClasses);

    std::int64_t size() const { return static_cast<std::int64_t>(m_labels.size()); }
    std::int64_t numClasses() const { return static_cast<std::int64_t>(m_counts.size()); }
    std::int64_t label(std::int64_t sample) const { return m_labels[sample]; }
    std::int64_t count(std::int64_t c) const { return m_counts[c]; }
    std::int64_t offset(std::int64_t c) const { return m_offsets[c]; }
    // The j-th sample of class c (ascending sample index), j in [0, count(c)).
    std::int64_t member(std::int64_t c, std::int64_t j) const { return m_order[m_offsets[c] + j]; }

    const std::int64_t* labels() const { return m_labels.data(); }
    const std::int64_t* order() const { return m_order.data(); }

    // anchors as a contiguous 1-D CPU int64 tensor; TORCH_CHECK that every entry is in [0, N).
    at::Tensor checkedAnchors(const at::Tensor& anchors, const char* who) const;

private:
    std::vector<std::int64_t> m_labels;
    std::vector<std::int64_t> m_order;    // sample indices sorted by class (stable)
    std::vector<std::int64_t> m_offsets;  // class c occupies [offset[c], offset[c] + count[c])
    std::vector<std::int64_t> m_counts;
};

// Throws ConfigError (contrastive.negatives) unless K >= 1.
void checkNegativeCount(std::int64_t K);

}  // namespace scns
