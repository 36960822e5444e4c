#pragma once
// Fused memory-bank logits: out[b][k] = z_b . bank[indices[b][k]], without materialising the
// B x K x d tensor of gathered rows (128 x 4096 x 128 floats are 268 MB; writing and reading
// them costs several times a small network's training step on a CPU). Differentiable with
// respect to z only: bank rows are constants, as in CRD (its ContrastMemory gathers them with
// .detach()), and are updated after the loss (sampling/memory_bank.h).
#include <ATen/core/Tensor.h>

namespace scns {

// z: B x d (float or double, requires_grad as needed); bank: N x d, same dtype and device, no
// gradient; indices: B x K integer in [0, N) (any device). Returns B x K.
// CPU: a fused kernel parallel over B. Other devices (GPUs): gatherDotDense while N <= K d
// (its B x N product is then no larger than the B x K x d rows a gather would write; with d =
// 128 at K >= 782 for every data set here), else index_select + bmm. Same values.
// TORCH_CHECK on shapes, dtypes, indices out of range and a bank that requires grad.
at::Tensor gatherDot(const at::Tensor& z, const at::Tensor& bank, const at::Tensor& indices);

// All B x N dot products as one matrix product, then the K wanted ones gathered: z bank^T
// .gather(1, indices). Differentiable in z like gatherDot. What a GPU does best (one GEMM at
// full speed instead of B K random row reads); on a CPU the fused kernel is faster.
at::Tensor gatherDotDense(const at::Tensor& z, const at::Tensor& bank, const at::Tensor& indices);

// True when `bank` is stored in bfloat16 or float16 for float32 z (contrastive.bank_dtype):
// gatherDot and bankInfoNce accept it and compute in float32 (a GPU's product in the bank's type).
bool reducedBank(const at::Tensor& z, const at::Tensor& bank);

// The checks gatherDot makes (shared with bankInfoNce); returns the indices as int64 on z's device.
at::Tensor checkedBankIndices(const at::Tensor& z, const at::Tensor& bank, const at::Tensor& indices);

}  // namespace scns
