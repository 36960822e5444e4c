#include "train/probe_recorder.h"

#include <algorithm>
#include <random>

#include <ATen/ATen.h>

#include "sampling/mixup.h"
#include "train/seed_streams.h"

namespace scns {

ProbeRecorder::ProbeRecorder(const std::vector<std::vector<std::int64_t>>& byClass, const at::Tensor& labels,
                             std::int64_t anchors, std::int64_t negativesShown, std::uint64_t seed)
    : m_labels(labels), m_negativesShown(negativesShown)
{
    const std::int64_t n = labels.numel();
    const auto numClasses = static_cast<std::int64_t>(byClass.size());
    m_isProbe.assign(static_cast<std::size_t>(n), 0);
    std::mt19937_64 rng(streamSeed(seed, 0, kProbeStream));
    std::vector<std::vector<std::int64_t>> pools = byClass;
    for (auto& pool : pools)
        std::shuffle(pool.begin(), pool.end(), rng);
    for (std::int64_t i = 0; i < std::min<std::int64_t>(anchors, n); ++i) {
        auto& pool = pools[static_cast<std::size_t>(i % numClasses)];
        const auto j = static_cast<std::size_t>(i / numClasses);
        if (j < pool.size())
            m_isProbe[static_cast<std::size_t>(pool[j])] = 1;
    }
}

void ProbeRecorder::record(const at::Tensor& indices, const at::Tensor& labels, const at::Tensor& z,
                           const at::Tensor& negIdx, const at::Tensor& fromTopK, const at::Tensor& negCos,
                           const PseudoNegatives& pseudoNegatives)
{
    const at::Tensor& pseudo = pseudoNegatives.embeddings;
    const std::int64_t* idx = indices.data_ptr<std::int64_t>();
    for (std::int64_t b = 0; b < indices.size(0); ++b) {
        if (!m_isProbe[static_cast<std::size_t>(idx[b])])
            continue;
        const std::int64_t anchorClass = labels[b].item<std::int64_t>();
        const std::int64_t shown = std::min<std::int64_t>(m_negativesShown, negIdx.size(1));
        // One copy of the anchor's rows (they may live on a GPU; probe anchors are rare).
        const at::Tensor cosRow = negCos[b].narrow(0, 0, shown).to(at::kCPU, at::kDouble);
        const at::Tensor negRow = negIdx[b].to(at::kCPU, at::kLong);
        const at::Tensor topRow = fromTopK[b].narrow(0, 0, shown).to(at::kCPU, at::kBool);
        const std::int64_t* neg = negRow.data_ptr<std::int64_t>();
        for (std::int64_t j = 0; j < shown; ++j) {
            ProbeNegativeRow r;
            r.anchorIndex = idx[b];
            r.anchorClass = anchorClass;
            r.slot = j;
            r.sampleIndex = neg[j];
            r.sampleClass = m_labels[r.sampleIndex].item<std::int64_t>();
            r.similarity = cosRow[j].item<double>();
            r.fromTopK = topRow[j].item<bool>();
            m_rows.push_back(r);
        }
        if (!pseudo.defined())
            continue;
        const auto pcos = at::mv(pseudo[b], z[b]).to(at::kCPU);
        for (std::int64_t q = 0; q < pseudo.size(1); ++q) {
            ProbeNegativeRow r;
            r.anchorIndex = idx[b];
            r.anchorClass = anchorClass;
            r.slot = shown + q;
            r.kind = "pseudo";
            r.similarity = pcos[q].item<double>();
            // Sources as training-set indices (-1: the anchor itself).
            const auto a = pseudoNegatives.sourceA[b][q].item<std::int64_t>(), s = pseudoNegatives.sourceB[b][q].item<std::int64_t>();
            r.sourceA = a < 0 ? -1 : neg[a];
            r.sourceB = s < 0 ? -1 : neg[s];
            r.lambda = pseudoNegatives.lambdas[b][q].item<double>();
            m_rows.push_back(r);
        }
    }
}

std::vector<ProbeNegativeRow> ProbeRecorder::take(std::int64_t epoch)
{
    std::vector<ProbeNegativeRow> rows = std::move(m_rows);
    m_rows.clear();
    for (auto& r : rows)
        r.epoch = epoch;
    return rows;
}

}  // namespace scns
