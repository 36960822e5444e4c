#include "losses/bank_info_nce.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include "losses/row_kernels.h"

namespace scns {

namespace {

using row_kernels::dot;
using row_kernels::kPrefetch;
using row_kernels::prefetchRow;
using row_kernels::rowGrain;

struct Shapes {
    std::int64_t B, K, P, d;
};

// Per anchor b: loss[b] = lse_j(l_j) - l_0 over rows j = positive, K bank rows, P pseudo rows,
// l_j = z_b . r_j / tau; and the gradients of loss[b]:
//   d/dz_b = (sum_j softmax_j r_j - p_b) / tau,  d/dp_b = (softmax_0 - 1) z_b / tau,
//   d/dm_bq = softmax_q z_b / tau.
template <typename T>
void kernel(const T* z, const T* pos, const T* bank, const std::int64_t* idx, const T* pseudo, double tau, Shapes s,
            T* loss, T* gz, T* gp, T* gm)
{
    const double invTau = 1.0 / tau;
    at::parallel_for(0, s.B, rowGrain(s.K + s.P + 1, s.d), [&](std::int64_t begin, std::int64_t end) {
        std::vector<T> acc(static_cast<std::size_t>(s.d));
        for (std::int64_t b = begin; b < end; ++b) {
            const T* zb = z + b * s.d;
            double m = -std::numeric_limits<double>::infinity(), sum = 0;
            std::fill(acc.begin(), acc.end(), T(0));
            const auto take = [&](const T* row) {
                const double l = static_cast<double>(dot(zb, row, s.d)) * invTau;
                if (l > m) {  // rescale what was summed against the old maximum
                    const T scale = static_cast<T>(std::exp(m - l));
                    sum *= static_cast<double>(scale);
                    for (std::int64_t j = 0; j < s.d; ++j)
                        acc[j] *= scale;
                    m = l;
                }
                const double w = std::exp(l - m);
                sum += w;
                const T wt = static_cast<T>(w);
                for (std::int64_t j = 0; j < s.d; ++j)
                    acc[j] += wt * row[j];
                return l;
            };
            const T* pb = pos + b * s.d;
            const double l0 = take(pb);
            const std::int64_t* ib = idx + b * s.K;
            for (std::int64_t k = 0; k < s.K; ++k) {
                if (k + kPrefetch < s.K)
                    prefetchRow(bank + ib[k + kPrefetch] * s.d, s.d);
                take(bank + ib[k] * s.d);
            }
            for (std::int64_t q = 0; q < s.P; ++q)
                take(pseudo + (b * s.P + q) * s.d);
            const double lse = m + std::log(sum);
            loss[b] = static_cast<T>(lse - l0);
            const double inv = 1.0 / sum;
            for (std::int64_t j = 0; j < s.d; ++j)
                gz[b * s.d + j] = static_cast<T>((static_cast<double>(acc[j]) * inv - static_cast<double>(pb[j])) * invTau);
            const double c0 = (std::exp(l0 - lse) - 1.0) * invTau;
            for (std::int64_t j = 0; j < s.d; ++j)
                gp[b * s.d + j] = static_cast<T>(c0 * static_cast<double>(zb[j]));
            for (std::int64_t q = 0; q < s.P; ++q) {
                const T* row = pseudo + (b * s.P + q) * s.d;
                const double cq = std::exp(static_cast<double>(dot(zb, row, s.d)) * invTau - lse) * invTau;
                for (std::int64_t j = 0; j < s.d; ++j)
                    gm[(b * s.P + q) * s.d + j] = static_cast<T>(cq * static_cast<double>(zb[j]));
            }
        }
    });
}

class FusedBankInfoNce : public torch::autograd::Function<FusedBankInfoNce> {
public:
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& anchor, const at::Tensor& positive,
                              const at::Tensor& pseudo, const at::Tensor& bank, const at::Tensor& indices, double tau)
    {
        const at::Tensor z = anchor.contiguous(), p = positive.contiguous(), m = pseudo.contiguous();
        const at::Tensor bk = bank.contiguous(), idx = indices.contiguous();
        const Shapes s{z.size(0), idx.size(1), m.size(1), z.size(1)};
        at::Tensor loss = at::empty({s.B}, z.options());
        at::Tensor gz = at::empty_like(z), gp = at::empty_like(z), gm = at::empty_like(m);
        AT_DISPATCH_FLOATING_TYPES(z.scalar_type(), "fusedBankInfoNce", [&] {
            kernel<scalar_t>(z.data_ptr<scalar_t>(), p.data_ptr<scalar_t>(), bk.data_ptr<scalar_t>(),
                             idx.data_ptr<std::int64_t>(), m.data_ptr<scalar_t>(), tau, s, loss.data_ptr<scalar_t>(),
                             gz.data_ptr<scalar_t>(), gp.data_ptr<scalar_t>(), gm.data_ptr<scalar_t>());
        });
        ctx->save_for_backward({gz, gp, gm});
        return loss;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const at::Tensor g = grads[0];  // B: upstream gradient per anchor's loss
        return {saved[0] * g.unsqueeze(1), saved[1] * g.unsqueeze(1), saved[2] * g.view({-1, 1, 1}),
                at::Tensor(), at::Tensor(), at::Tensor()};
    }
};

}  // namespace

at::Tensor fusedBankInfoNceRows(const at::Tensor& anchor, const at::Tensor& positive, const at::Tensor& bank,
                                const at::Tensor& negativeIndices, double tau, const at::Tensor& pseudoNegatives)
{
    return FusedBankInfoNce::apply(anchor, positive, pseudoNegatives, bank, negativeIndices, tau);
}

}  // namespace scns
