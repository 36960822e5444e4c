#pragma once
// The negatives drawn for a fixed probe set of anchors (docs/contrastive.md "What is recorded"): which
// anchors are probes (spread over the classes, chosen by the run's seed, fixed for the run) and
// the rows of the epoch so far, for the run store's negatives inspector.
#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include "store/inspection_records.h"

namespace scns {

struct PseudoNegatives;

class ProbeRecorder {
public:
    // byClass: the training indices of each class, ascending; labels: N int64 (CPU). Up to
    // `anchors` probes; `negativesShown` of each probe's negatives are kept per batch.
    ProbeRecorder(const std::vector<std::vector<std::int64_t>>& byClass, const at::Tensor& labels, std::int64_t anchors,
                  std::int64_t negativesShown, std::uint64_t seed);

    // One batch: indices/labels B int64 (CPU); z: B x d anchor embeddings; negatives: B x K
    // training indices with fromTopK (B x K bool) and negativeCos (B x K), on any device (only a
    // probe anchor's rows are copied); pseudo: Latent Mixup's pseudo-negatives (embeddings
    // undefined when there are none).
    void record(const at::Tensor& indices, const at::Tensor& labels, const at::Tensor& z, const at::Tensor& negatives,
                const at::Tensor& fromTopK, const at::Tensor& negativeCos, const PseudoNegatives& pseudo);
    // The rows recorded since the last take() or clear(), stamped with `epoch` (1-based).
    std::vector<ProbeNegativeRow> take(std::int64_t epoch);
    void clear() { m_rows.clear(); }

private:
    at::Tensor m_labels;
    std::vector<char> m_isProbe;  // N flags
    std::int64_t m_negativesShown;
    std::vector<ProbeNegativeRow> m_rows;
};

}  // namespace scns
