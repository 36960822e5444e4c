#include "losses/kd_loss.h"

#include <ATen/ATen.h>

namespace scns {

at::Tensor kdLoss(const at::Tensor& studentLogits, const at::Tensor& teacherLogits, double temperature)
{
    // The temperature is a validated setting (distill.temperature, in (0, 100]): not checked again.
    TORCH_CHECK(studentLogits.dim() == 2 && studentLogits.sizes() == teacherLogits.sizes(),
                "kdLoss: student and teacher logits must both be B x C, got ", studentLogits.sizes(), " and ",
                teacherLogits.sizes());
    const auto logP = at::log_softmax(studentLogits / temperature, 1);
    const auto logQ = at::log_softmax(teacherLogits / temperature, 1);
    // sum_c q_c (log q_c - log p_c), with q from log q so a zero probability contributes 0.
    const auto kl = (logQ.exp() * (logQ - logP)).sum(1).mean();
    return kl * (temperature * temperature);
}

}  // namespace scns
