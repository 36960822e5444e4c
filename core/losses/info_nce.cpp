#include "losses/info_nce.h"

#include <cmath>

#include <ATen/ATen.h>

#include "losses/bank_info_nce.h"
#include "losses/gather_dot.h"
#include "sampling/config_fields.h"

namespace scns {

void checkTemperature(double tau)
{
    if (!(tau > 0) || !std::isfinite(tau))
        field::fail(field::kTau, field::str(tau), "a temperature > 0");
}

namespace {

// z: B x d, rows: B x K x d -> B x K dot products.
at::Tensor rowDots(const at::Tensor& z, const at::Tensor& rows) { return at::bmm(rows, z.unsqueeze(2)).squeeze(2); }

void checkRows(const at::Tensor& rows, const at::Tensor& anchor, const char* name)
{
    TORCH_CHECK(rows.dim() == 3 && rows.size(0) == anchor.size(0) && rows.size(2) == anchor.size(1), "infoNce: ", name,
                " must be B x K x d = ", anchor.size(0), " x K x ", anchor.size(1), ", got ", rows.sizes());
}

// [z.p | negative dots | pseudo dots] / tau, given the negative dots (B x K).
at::Tensor assemble(const at::Tensor& anchor, const at::Tensor& positive, const at::Tensor& negativeDots, double tau,
                    const at::Tensor& pseudoNegatives)
{
    std::vector<at::Tensor> parts{(anchor * positive).sum(1, true), negativeDots};
    if (pseudoNegatives.defined()) {
        checkRows(pseudoNegatives, anchor, "pseudoNegatives");
        parts.push_back(rowDots(anchor, pseudoNegatives));
    }
    return at::cat(parts, 1) / tau;
}

void checkPair(const at::Tensor& anchor, const at::Tensor& positive, double tau)
{
    checkTemperature(tau);
    TORCH_CHECK(anchor.defined() && anchor.dim() == 2, "infoNce: anchor must be B x d");
    TORCH_CHECK(positive.defined() && positive.sizes() == anchor.sizes(), "infoNce: positive must be B x d = ",
                anchor.sizes(), ", got ", positive.defined() ? positive.sizes() : at::IntArrayRef{});
}

at::Tensor lossFromLogits(const at::Tensor& logits) { return (at::logsumexp(logits, 1) - logits.select(1, 0)).mean(); }

}  // namespace

at::Tensor contrastLogits(const at::Tensor& anchor, const at::Tensor& positive, const at::Tensor& negatives, double tau,
                          const at::Tensor& pseudoNegatives)
{
    checkPair(anchor, positive, tau);
    TORCH_CHECK(negatives.defined(), "infoNce: negatives undefined");
    checkRows(negatives, anchor, "negatives");
    return assemble(anchor, positive, rowDots(anchor, negatives), tau, pseudoNegatives);
}

at::Tensor bankContrastLogits(const at::Tensor& anchor, const at::Tensor& positive, const at::Tensor& bank,
                              const at::Tensor& negativeIndices, double tau, const at::Tensor& pseudoNegatives)
{
    checkPair(anchor, positive, tau);
    return assemble(anchor, positive, gatherDot(anchor, bank, negativeIndices), tau, pseudoNegatives);
}

at::Tensor infoNce(const at::Tensor& anchor, const at::Tensor& positive, const at::Tensor& negatives, double tau,
                   const at::Tensor& pseudoNegatives)
{
    return lossFromLogits(contrastLogits(anchor, positive, negatives, tau, pseudoNegatives));
}

at::Tensor bankInfoNce(const at::Tensor& anchor, const at::Tensor& positive, const at::Tensor& bank,
                       const at::Tensor& negativeIndices, double tau, const at::Tensor& pseudoNegatives)
{
    checkPair(anchor, positive, tau);
    if (anchor.device().is_cpu() && reducedBank(anchor, bank))  // widened once for the fused kernel
        return bankInfoNce(anchor, positive, bank.to(anchor.scalar_type()), negativeIndices, tau, pseudoNegatives);
    if (!anchor.device().is_cpu())  // the fused kernel is CPU code; elsewhere gather + logsumexp
        return lossFromLogits(bankContrastLogits(anchor, positive, bank, negativeIndices, tau, pseudoNegatives));
    const at::Tensor idx = checkedBankIndices(anchor, bank, negativeIndices);
    at::Tensor pseudo = pseudoNegatives;
    if (pseudo.defined())
        checkRows(pseudo, anchor, "pseudoNegatives");
    else
        pseudo = at::empty({anchor.size(0), 0, anchor.size(1)}, anchor.options());
    TORCH_CHECK(positive.scalar_type() == anchor.scalar_type() && pseudo.scalar_type() == anchor.scalar_type(),
                "bankInfoNce: anchor, positive and pseudoNegatives must share one dtype");
    return fusedBankInfoNceRows(anchor, positive, bank, idx, tau, pseudo).mean();
}

}  // namespace scns
