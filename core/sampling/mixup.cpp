#include "sampling/mixup.h"

#include "data/to_device.h"

#include <algorithm>
#include <cmath>

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include "sampling/config_fields.h"
#include "sampling/counter_rng.h"

namespace scns {

LatentMixup::LatentMixup(MixupOptions options, at::Generator generator)
    : m_options(options), m_generator(std::move(generator))
{
    if (m_options.count() < 1)
        field::fail(field::kMixupCount, field::str(m_options.count()), "at least 1 pseudo-negative per anchor (0 turns mixup off)");
    if (!(m_options.alpha() > 0) || !std::isfinite(m_options.alpha()))
        field::fail(field::kMixupAlpha, field::str(m_options.alpha()), "a Beta parameter > 0");
}

LatentMixup::Draws LatentMixup::draw(std::int64_t B, std::int64_t K)
{
    const bool pairs = m_options.mode() == MixupMode::Pairs;
    if (K < (pairs ? 2 : 1))
        field::fail(field::kNegatives, field::str(K),
                    pairs ? "at least 2 negatives per anchor for mixup pairs" : "at least 1 negative per anchor");
    const std::int64_t P = m_options.count();
    // Sources, then lambda = X / (X + Y): draw order fixed (key, then the two Gamma tensors).
    const CounterRng rng(nextKey(m_generator));
    const at::Tensor shape = at::full({B, P}, m_options.alpha(), at::kDouble);
    const at::Tensor x = at::_standard_gamma(shape, m_generator).contiguous();
    const at::Tensor y = at::_standard_gamma(shape, m_generator).contiguous();
    Draws out{at::empty({B, P}, at::kLong), at::empty({B, P}, at::kLong), at::empty({B, P}, at::kDouble)};
    std::int64_t* sa = out.sourceA.data_ptr<std::int64_t>();
    std::int64_t* sb = out.sourceB.data_ptr<std::int64_t>();
    double* lam = out.lambdas.data_ptr<double>();
    const double* px = x.data_ptr<double>();
    const double* py = y.data_ptr<double>();
    const std::uint64_t k = static_cast<std::uint64_t>(K);
    for (std::int64_t i = 0; i < B * P; ++i) {
        const std::uint64_t c = 3 * static_cast<std::uint64_t>(i);
        if (pairs) {
            const std::uint64_t a = CounterRng::below(rng.at(c), k);
            std::uint64_t b = CounterRng::below(rng.at(c + 1), k - 1);
            b += b >= a ? 1 : 0;  // a different position, uniform over the other K - 1
            sa[i] = static_cast<std::int64_t>(a);
            sb[i] = static_cast<std::int64_t>(b);
        } else {
            sa[i] = -1;
            sb[i] = static_cast<std::int64_t>(CounterRng::below(rng.at(c), k));
        }
        const double sum = px[i] + py[i];
        double l = sum > 0 ? px[i] / sum : (CounterRng::unit(rng.at(c + 2)) < 0.5 ? 0.0 : 1.0);
        if (!pairs)
            l = std::min({l, 1.0 - l, kAnchorShareCap});
        lam[i] = l;
    }
    return out;
}

template <typename RowsOf>
PseudoNegatives LatentMixup::combine(const at::Tensor& anchors, Draws draws, std::int64_t d, RowsOf rowsOf)
{
    const std::int64_t B = draws.sourceA.size(0), P = draws.sourceA.size(1);
    const bool pairs = m_options.mode() == MixupMode::Pairs;
    const at::Tensor second = rowsOf(draws.sourceB);
    const at::Tensor first = pairs ? rowsOf(draws.sourceA) : anchors.detach().to(second.scalar_type()).unsqueeze(1).expand({B, P, d});
    const at::Tensor l3 = draws.lambdas.to(second.device(), second.scalar_type()).unsqueeze(2);
    const at::Tensor mixed = first * l3 + second * (1 - l3);
    const at::Tensor norm = mixed.norm(2, 2, true);
    const at::Tensor unit = at::where(norm > 1e-6, mixed / norm.clamp_min(1e-6), second);
    return {unit, draws.sourceA, draws.sourceB, draws.lambdas};
}

PseudoNegatives LatentMixup::generate(const at::Tensor& anchors, const at::Tensor& negatives)
{
    at::NoGradGuard noGrad;
    TORCH_CHECK(negatives.defined() && negatives.dim() == 3, "LatentMixup: negatives must be B x K x d, got ",
                negatives.defined() ? negatives.sizes() : at::IntArrayRef{});
    const std::int64_t B = negatives.size(0), K = negatives.size(1), d = negatives.size(2);
    TORCH_CHECK(anchors.defined() && anchors.dim() == 2 && anchors.size(0) == B && anchors.size(1) == d,
                "LatentMixup: anchors must be B x d = ", B, " x ", d, ", got ",
                anchors.defined() ? anchors.sizes() : at::IntArrayRef{});
    const at::Tensor neg = negatives.detach();
    return combine(anchors, draw(B, K), d, [&](const at::Tensor& positions) {
        const std::int64_t P = positions.size(1);
        return neg.gather(1, positions.to(neg.device()).unsqueeze(2).expand({B, P, d}));
    });
}

PseudoNegatives LatentMixup::generateFromBank(const at::Tensor& anchors, const at::Tensor& bank,
                                              const at::Tensor& negativeIndices)
{
    at::NoGradGuard noGrad;
    TORCH_CHECK(bank.defined() && bank.dim() == 2, "LatentMixup: bank must be N x d");
    TORCH_CHECK(negativeIndices.defined() && negativeIndices.dim() == 2 && !negativeIndices.is_floating_point(),
                "LatentMixup: negativeIndices must be B x K integers");
    const std::int64_t B = negativeIndices.size(0), K = negativeIndices.size(1), d = bank.size(1);
    TORCH_CHECK(anchors.defined() && anchors.dim() == 2 && anchors.size(0) == B && anchors.size(1) == d,
                "LatentMixup: anchors must be B x d = ", B, " x ", d, ", got ",
                anchors.defined() ? anchors.sizes() : at::IntArrayRef{});
    const at::Tensor b = bank.detach();
    const at::Tensor idx = toDevice(negativeIndices, b.device()).to(at::kLong);
    return combine(anchors, draw(B, K), d, [&](const at::Tensor& positions) {
        // The draws are made on the host; the negatives' indices may live on the bank's device.
        const at::Tensor rows = idx.gather(1, toDevice(positions, b.device())).reshape({-1});
        // A reduced-precision bank (contrastive.bank_dtype) mixes in the anchors' float32.
        return b.index_select(0, rows).view({B, positions.size(1), d}).to(anchors.scalar_type());
    });
}

}  // namespace scns
