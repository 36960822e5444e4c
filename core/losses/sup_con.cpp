#include "losses/sup_con.h"

#include <limits>

#include <ATen/ATen.h>

#include "losses/info_nce.h"

namespace scns {

at::Tensor supConLoss(const at::Tensor& features, const at::Tensor& labels, double tau)
{
    checkTemperature(tau);
    TORCH_CHECK(features.defined() && features.dim() == 2, "supConLoss: features must be B x d");
    TORCH_CHECK(labels.defined() && labels.dim() == 1 && labels.size(0) == features.size(0),
                "supConLoss: labels must be B = ", features.size(0), " class ids");
    const std::int64_t B = features.size(0);
    const at::Tensor y = labels.to(features.device(), at::kLong);
    const at::Tensor self = at::eye(B, features.options().dtype(at::kBool));
    const at::Tensor positives = y.unsqueeze(0).eq(y.unsqueeze(1)).logical_and_(self.logical_not());  // B x B
    const at::Tensor logits = at::mm(features, features.t()) / tau;
    // Leave the anchor itself out of the denominator: -inf before the logsumexp.
    const at::Tensor masked = logits.masked_fill(self, -std::numeric_limits<double>::infinity());
    const at::Tensor logProb = logits - at::logsumexp(masked, 1, true);  // B x B
    const at::Tensor count = positives.sum(1);                           // B
    const at::Tensor has = count > 0;
    // where(), not masked multiplication, keeps -inf/NaN of the self entries out of the sums.
    const at::Tensor perAnchor = at::where(positives, logProb, at::zeros_like(logProb)).sum(1)
                                 / count.clamp_min(1).to(logits.scalar_type());
    const at::Tensor anchors = has.sum();
    if (anchors.item<std::int64_t>() == 0)
        return (features * 0).sum();  // defined, zero gradient
    return -(perAnchor * has.to(logits.scalar_type())).sum() / anchors.to(logits.scalar_type());
}

}  // namespace scns
