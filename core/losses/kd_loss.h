#pragma once
// Hinton et al.'s knowledge-distillation term (docs/method.md "Objectives", distillation):
//   L_KD = T^2 * KL( softmax(t / T) || softmax(s / T) ),
// averaged over the batch (KL summed over classes, then divided by B: PyTorch's
// kl_div(..., reduction='batchmean'), as RepDistiller's DistillKL computes it). The T^2 factor
// keeps the gradient's scale independent of T.
#include <ATen/core/Tensor.h>

namespace scns {

// student, teacher: B x C logits (the teacher's normally without gradient) -> scalar, >= 0,
// zero when the two are equal. T > 0 (the validated distill.temperature); TORCH_CHECK on shapes.
at::Tensor kdLoss(const at::Tensor& studentLogits, const at::Tensor& teacherLogits, double temperature);

}  // namespace scns
