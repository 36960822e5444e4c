#pragma once
// CRD's NCE form of the contrastive loss (Tian et al. 2020; RepDistiller's crd/memory.py
// ContrastMemory and crd/criterion.py ContrastLoss), one direction (CRD uses two: student
// anchors against the teacher bank and back, each with its own Z, so two NceLoss objects):
//   s_bj   = z_b . m_bj / tau for column 0 (the positive) and the K negatives,
//   P_bj   = exp(s_bj) / Z, with Z = mean_{b,j}(exp(s_bj)) * N fixed at the first call (detached,
//            over all B x (K + 1) entries of that batch) and kept afterwards, as CRD does,
//   Pn     = 1 / N (uniform noise),
//   L      = -(1/B) sum_b [ log(P_b0 / (P_b0 + K Pn + eps))
//                           + sum_{j>=1} log(K Pn / (P_bj + K Pn + eps)) ],   eps = 1e-7.
// The logs are evaluated with softplus on log P (log P = s - log Z), identical to CRD's
// expression up to rounding but finite when exp(s) overflows.
#include <cstdint>
#include <functional>
#include <optional>

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

namespace scns {

struct NceLossOptions {
    /* implicit */ NceLossOptions(std::int64_t dataSize) : dataSize_(dataSize) {}
    TORCH_ARG(std::int64_t, dataSize);  // N: rows of the memory bank
    TORCH_ARG(double, tau) = 0.07;
    TORCH_ARG(double, eps) = 1e-7;      // CRD's eps
};

class NceLoss {
public:
    // ConfigError: contrastive.tau (tau <= 0), contrastive.sampler (dataSize < 1).
    explicit NceLoss(NceLossOptions options);

    // anchor: B x d; positive: B x d; negatives: B x K x d -> scalar. Sets Z on the first call.
    at::Tensor forward(const at::Tensor& anchor, const at::Tensor& positive, const at::Tensor& negatives);
    at::Tensor operator()(const at::Tensor& anchor, const at::Tensor& positive, const at::Tensor& negatives)
    {
        return forward(anchor, positive, negatives);
    }

    // The same with the negatives as memory-bank rows (see bankInfoNce in losses/info_nce.h):
    // bank N x d without gradient, negativeIndices B x K.
    at::Tensor forwardBank(const at::Tensor& anchor, const at::Tensor& positive, const at::Tensor& bank,
                           const at::Tensor& negativeIndices);
    // The loss from logits s = z.m / tau, B x (1 + K), column 0 the positive.
    at::Tensor forwardLogits(const at::Tensor& logits);

    // Z, once set; a checkpoint keeps it (setNormalizer on resume). TORCH_CHECK z > 0 and finite.
    std::optional<double> normalizer() const { return m_z; }
    void setNormalizer(double z);
    // Data-parallel runs: the first batch's Z of every replica goes through `agree` (their mean),
    // so all replicas keep the Z one process would have computed from the global batch.
    void setNormalizerAgreement(std::function<double(double)> agree) { m_agree = std::move(agree); }

    const NceLossOptions& options() const { return m_options; }

private:
    NceLossOptions m_options;
    std::optional<double> m_z;
    std::function<double(double)> m_agree;
};

}  // namespace scns
