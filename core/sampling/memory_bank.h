#pragma once
// The memory bank M (N x d, one unit vector per training sample; docs/method.md "Notation"),
// updated after the loss: M_i <- normalize(m M_i + (1 - m) z_i) [CRD].
#include <cstdint>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

namespace scns {

class MemoryBank {
public:
    // Initialised as CRD's ContrastMemory (uniform in [-1/sqrt(d/3), 1/sqrt(d/3)], which gives
    // rows of expected squared norm 1) and then normalised to unit rows, so that every row is a
    // unit vector from the start (CRD leaves the initial rows unnormalised until their first
    // update). Drawn on the CPU from `generator`, then moved to `device` and stored as `storage`:
    // float32, or bfloat16/float16 (contrastive.bank_dtype: half the memory; updates are computed
    // in float32 and rounded once when stored).
    // Throws ConfigError: contrastive.feature_dim (dim < 1); contrastive.sampler (size < 1);
    // contrastive.bank_dtype (a storage type other than those three).
    MemoryBank(std::int64_t size, std::int64_t dim, at::Generator& generator, c10::Device device = c10::kCPU,
               c10::ScalarType storage = c10::ScalarType::Float);

    std::int64_t size() const { return m_memory.size(0); }
    std::int64_t dim() const { return m_memory.size(1); }
    c10::Device device() const { return m_memory.device(); }

    // indices: any shape S of int64 in [0, N) (any device) -> S x d float32 rows, on the bank's
    // device, no gradient (a copy: later updates do not change it).
    at::Tensor rows(const at::Tensor& indices) const;

    // After the loss, without gradient: M_i <- normalize(m M_i + (1 - m) z_i) for each i in
    // indices (B int64, distinct), z: B x d (detached here). TORCH_CHECK on shapes, duplicate
    // or out-of-range indices; ConfigError (contrastive.momentum) unless m is in [0, 1].
    void update(const at::Tensor& indices, const at::Tensor& z, double momentum);

    // The bank as one N x d tensor in its storage type, for checkpoints; load() copies one back,
    // converting its type (CheckpointError when its shape differs or it holds non-finite values).
    const at::Tensor& state() const { return m_memory; }
    void load(const at::Tensor& state);

    void to(c10::Device device) { m_memory = m_memory.to(device); }

private:
    at::Tensor m_memory;  // N x d, float32 or the storage type given
};

}  // namespace scns
