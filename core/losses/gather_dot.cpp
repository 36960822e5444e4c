#include "losses/gather_dot.h"

#include "data/to_device.h"

#include <algorithm>

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

template <typename T>
void forwardKernel(const T* z, const T* bank, const std::int64_t* idx, T* out, std::int64_t B, std::int64_t K, std::int64_t d)
{
    at::parallel_for(0, B, rowGrain(K, d), [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t b = begin; b < end; ++b)
            for (std::int64_t k = 0; k < K; ++k) {
                if (k + kPrefetch < K)
                    prefetchRow(bank + idx[b * K + k + kPrefetch] * d, d);
                out[b * K + k] = dot(z + b * d, bank + idx[b * K + k] * d, d);
            }
    });
}

// gz[b] = sum_k g[b][k] bank[idx[b][k]]
template <typename T>
void backwardKernel(const T* g, const T* bank, const std::int64_t* idx, T* gz, std::int64_t B, std::int64_t K, std::int64_t d)
{
    at::parallel_for(0, B, rowGrain(K, d), [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t b = begin; b < end; ++b) {
            T* acc = gz + b * d;
            for (std::int64_t k = 0; k < K; ++k) {
                if (k + kPrefetch < K)
                    prefetchRow(bank + idx[b * K + k + kPrefetch] * d, d);
                const T w = g[b * K + k];
                const T* row = bank + idx[b * K + k] * d;
                for (std::int64_t j = 0; j < d; ++j)
                    acc[j] += w * row[j];
            }
        }
    });
}

class GatherDotFunction : public torch::autograd::Function<GatherDotFunction> {
public:
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& z, const at::Tensor& bank,
                              const at::Tensor& indices)
    {
        const at::Tensor zc = z.contiguous(), bc = bank.contiguous(), ic = indices.contiguous();
        at::Tensor out = at::empty({ic.size(0), ic.size(1)}, zc.options());
        AT_DISPATCH_FLOATING_TYPES(zc.scalar_type(), "gatherDot", [&] {
            forwardKernel(zc.data_ptr<scalar_t>(), bc.data_ptr<scalar_t>(), ic.data_ptr<std::int64_t>(),
                          out.data_ptr<scalar_t>(), ic.size(0), ic.size(1), zc.size(1));
        });
        ctx->save_for_backward({bc, ic});
        return out;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const at::Tensor& bank = saved[0];
        const at::Tensor& idx = saved[1];
        const at::Tensor g = grads[0].contiguous();
        at::Tensor gz = at::zeros({idx.size(0), bank.size(1)}, bank.options());
        AT_DISPATCH_FLOATING_TYPES(bank.scalar_type(), "gatherDotBackward", [&] {
            backwardKernel(g.data_ptr<scalar_t>(), bank.data_ptr<scalar_t>(), idx.data_ptr<std::int64_t>(),
                           gz.data_ptr<scalar_t>(), idx.size(0), idx.size(1), bank.size(1));
        });
        return {gz, at::Tensor(), at::Tensor()};
    }
};

}  // namespace

bool reducedBank(const at::Tensor& z, const at::Tensor& bank)
{
    return z.scalar_type() == at::kFloat && (bank.scalar_type() == at::kBFloat16 || bank.scalar_type() == at::kHalf);
}

at::Tensor checkedBankIndices(const at::Tensor& z, const at::Tensor& bank, const at::Tensor& indices)
{
    TORCH_CHECK(z.defined() && z.dim() == 2, "gatherDot: z must be B x d");
    TORCH_CHECK(bank.defined() && bank.dim() == 2 && bank.size(1) == z.size(1), "gatherDot: bank must be N x d = N x ",
                z.size(1), ", got ", bank.defined() ? bank.sizes() : at::IntArrayRef{});
    TORCH_CHECK(bank.device() == z.device(), "gatherDot: bank and z must share a device");
    TORCH_CHECK(bank.scalar_type() == z.scalar_type() || reducedBank(z, bank),
                "gatherDot: bank and z must share a dtype (or the bank be bfloat16/float16 with float32 z)");
    TORCH_CHECK(!bank.requires_grad(), "gatherDot: the bank is a constant (no gradient); detach it");
    TORCH_CHECK(indices.defined() && indices.dim() == 2 && indices.size(0) == z.size(0) && !indices.is_floating_point(),
                "gatherDot: indices must be B x K integers with B = ", z.size(0));
    // Host indices (the samplers') are range-checked here at no cost; indices already on a GPU
    // are not read back (that would make the host wait every step): there, index_select's own
    // device-side bounds assertion stands guard.
    const at::Tensor checked = indices.to(at::kLong);
    if (checked.numel() > 0 && checked.device().is_cpu())
        TORCH_CHECK(checked.min().item<std::int64_t>() >= 0 && checked.max().item<std::int64_t>() < bank.size(0),
                    "gatherDot: an index lies outside the bank [0, ", bank.size(0), ")");
    return toDevice(checked, z.device());
}

at::Tensor gatherDot(const at::Tensor& z, const at::Tensor& bank, const at::Tensor& indices)
{
    const at::Tensor idx = checkedBankIndices(z, bank, indices);
    const bool dense = !z.device().is_cpu() && bank.size(0) <= idx.size(1) * z.size(1);
    if (reducedBank(z, bank)) {
        // contrastive.bank_dtype bf16/fp16: on a GPU the product runs in the bank's precision
        // (tensor cores); on a CPU the bank is widened once per call for the fused kernel.
        if (dense)
            return at::mm(z.to(bank.scalar_type()), bank.t()).to(z.scalar_type()).gather(1, idx);
        return gatherDot(z, bank.to(z.scalar_type()), idx);
    }
    if (dense)
        return at::mm(z, bank.t()).gather(1, idx);
    if (!z.device().is_cpu())
        return at::bmm(bank.index_select(0, idx.reshape({-1})).view({idx.size(0), idx.size(1), z.size(1)}), z.unsqueeze(2))
            .squeeze(2);
    return GatherDotFunction::apply(z, bank, idx);
}

at::Tensor gatherDotDense(const at::Tensor& z, const at::Tensor& bank, const at::Tensor& indices)
{
    return at::mm(z, bank.t()).gather(1, checkedBankIndices(z, bank, indices));
}

}  // namespace scns
