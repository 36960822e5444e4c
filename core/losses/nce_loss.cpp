#include "losses/nce_loss.h"

#include <cmath>

#include <ATen/ATen.h>

#include "losses/info_nce.h"
#include "sampling/config_fields.h"

namespace scns {

NceLoss::NceLoss(NceLossOptions options) : m_options(options)
{
    checkTemperature(m_options.tau());
    if (m_options.dataSize() < 1)
        field::fail(field::kSampler, "NCE noise over " + field::str(m_options.dataSize()) + " samples", "a non-empty training set");
}

void NceLoss::setNormalizer(double z)
{
    TORCH_CHECK(z > 0 && std::isfinite(z), "NceLoss: the normaliser Z must be finite and > 0, got ", z);
    m_z = z;
}

at::Tensor NceLoss::forward(const at::Tensor& anchor, const at::Tensor& positive, const at::Tensor& negatives)
{
    return forwardLogits(contrastLogits(anchor, positive, negatives, m_options.tau()));
}

at::Tensor NceLoss::forwardBank(const at::Tensor& anchor, const at::Tensor& positive, const at::Tensor& bank,
                                const at::Tensor& negativeIndices)
{
    return forwardLogits(bankContrastLogits(anchor, positive, bank, negativeIndices, m_options.tau()));
}

at::Tensor NceLoss::forwardLogits(const at::Tensor& s)
{
    TORCH_CHECK(s.defined() && s.dim() == 2 && s.size(1) >= 1, "NceLoss: logits must be B x (1 + K)");
    const std::int64_t B = s.size(0), K = s.size(1) - 1;
    if (!m_z) {
        // CRD: Z = out.mean() * outputSize, with out = exp(s) over the whole first batch.
        double z = s.detach().to(at::kDouble).exp().mean().item<double>() * static_cast<double>(m_options.dataSize());
        if (m_agree)
            z = m_agree(z);
        TORCH_CHECK(z > 0 && std::isfinite(z), "NceLoss: the normaliser Z of the first batch is ", z,
                    " (logits overflow: lower the temperature's inverse or check the inputs)");
        m_z = z;
    }
    const double kPn = static_cast<double>(K) / static_cast<double>(m_options.dataSize());
    const double logC = std::log(kPn + m_options.eps());  // log(K Pn + eps)
    const at::Tensor logP = s - std::log(*m_z);
    // log(P / (P + c)) = -softplus(log c - log P);  log(K Pn / (P + c)) = log(K Pn) - log c - softplus(log P - log c)
    const at::Tensor logD1 = -at::softplus(logC - logP.select(1, 0));
    const at::Tensor logD0 = (std::log(kPn) - logC) - at::softplus(logP.narrow(1, 1, K) - logC);
    return -(logD1.sum() + logD0.sum()) / static_cast<double>(B);
}

}  // namespace scns
