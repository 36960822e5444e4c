#include "sampling/memory_bank.h"

#include "data/to_device.h"

#include <cmath>

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include "common/errors.h"
#include "sampling/config_fields.h"

namespace scns {

namespace {

at::Tensor unitRows(const at::Tensor& x) { return x / x.norm(2, -1, true).clamp_min(1e-12); }

}  // namespace

MemoryBank::MemoryBank(std::int64_t size, std::int64_t dim, at::Generator& generator, c10::Device device,
                       c10::ScalarType storage)
{
    if (storage != at::kFloat && storage != at::kBFloat16 && storage != at::kHalf)
        field::fail("contrastive.bank_dtype", c10::toString(storage), "fp32, bf16 or fp16");
    if (dim < 1)
        field::fail(field::kFeatureDim, field::str(dim), "a feature dimension >= 1");
    if (size < 1)
        field::fail(field::kSampler, "memory bank of " + field::str(size) + " rows", "a non-empty training set");
    const double stdv = 1.0 / std::sqrt(static_cast<double>(dim) / 3.0);
    const at::Tensor init = at::rand({size, dim}, generator, at::kFloat).mul_(2 * stdv).add_(-stdv);
    m_memory = unitRows(init).to(device, storage);
}

at::Tensor MemoryBank::rows(const at::Tensor& indices) const
{
    at::NoGradGuard noGrad;
    TORCH_CHECK(indices.defined() && !indices.is_floating_point(), "MemoryBank::rows: indices must be an integer tensor");
    const at::Tensor flat = toDevice(indices.reshape({-1}).to(at::kLong), m_memory.device());
    std::vector<std::int64_t> shape(indices.sizes().begin(), indices.sizes().end());
    shape.push_back(dim());
    return m_memory.index_select(0, flat).view(shape).to(at::kFloat);
}

void MemoryBank::update(const at::Tensor& indices, const at::Tensor& z, double momentum)
{
    at::NoGradGuard noGrad;
    if (!(momentum >= 0.0 && momentum <= 1.0))
        field::fail(field::kMomentum, field::str(momentum), "a value in [0, 1]");
    TORCH_CHECK(indices.defined() && indices.dim() == 1 && !indices.is_floating_point(),
                "MemoryBank::update: indices must be a 1-D integer tensor (B)");
    TORCH_CHECK(z.defined() && z.dim() == 2 && z.size(0) == indices.size(0) && z.size(1) == dim(),
                "MemoryBank::update: z must be B x d = ", indices.size(0), " x ", dim(), ", got ",
                z.defined() ? z.sizes() : at::IntArrayRef{});
    if (indices.numel() == 0)
        return;
    // Checked where the indices are: host indices (the training loop's) cost no device
    // synchronisation; indices already on a device are checked there.
    const at::Tensor checked = indices.to(at::kLong);
    TORCH_CHECK(checked.min().item<std::int64_t>() >= 0 && checked.max().item<std::int64_t>() < size(),
                "MemoryBank::update: an index lies outside [0, ", size(), ")");
    TORCH_CHECK(std::get<0>(at::_unique(checked)).numel() == checked.numel(),
                "MemoryBank::update: indices must be distinct (one update per row and step)");
    const at::Tensor idx = toDevice(checked, m_memory.device());
    const at::Tensor zz = z.detach().to(m_memory.device(), at::kFloat);
    const at::Tensor mixed = m_memory.index_select(0, idx).to(at::kFloat).mul_(momentum).add_(zz, 1.0 - momentum);
    m_memory.index_copy_(0, idx, unitRows(mixed).to(m_memory.scalar_type()));
}

void MemoryBank::load(const at::Tensor& state)
{
    if (!state.defined() || state.sizes() != m_memory.sizes())
        throw CheckpointError("memory bank: checkpoint tensor has shape "
                              + (state.defined() ? field::str(state.sizes()) : std::string("undefined")) + ", expected "
                              + field::str(m_memory.sizes()));
    if (!at::isfinite(state).all().item<bool>())
        throw CheckpointError("memory bank: checkpoint tensor holds NaN or infinite values");
    at::NoGradGuard noGrad;
    m_memory.copy_(state);
}

}  // namespace scns
