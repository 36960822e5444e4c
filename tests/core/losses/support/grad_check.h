#pragma once
// Central finite differences against autograd, for double tensors.
#include <QString>
#include <cmath>
#include <functional>
#include <vector>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>  // ATen.h includes it in LibTorch 1.13, not in 2.x

namespace scns::test {

// f: a scalar function of `inputs` (each a double tensor with requires_grad). Returns "" when
// every derivative matches: |numeric - analytic| <= tol * max(|analytic|, 1e-2); else the first
// mismatch.
inline QString gradCheck(const std::function<at::Tensor()>& f, std::vector<at::Tensor> inputs, double eps = 1e-6,
                         double tol = 1e-4)
{
    for (auto& x : inputs)
        if (x.grad().defined())
            x.mutable_grad().zero_();
    f().backward();
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        at::Tensor& x = inputs[k];
        const at::Tensor analytic = x.grad().clone().reshape({-1});
        c10::NoGradGuard noGrad;  // the same class as at:: and torch::NoGradGuard, in 1.13 and 2.x
        at::Tensor flat = x.view({-1});
        for (std::int64_t i = 0; i < flat.numel(); ++i) {
            const double v = flat[i].item<double>();
            flat[i] = v + eps;
            const double up = f().item<double>();
            flat[i] = v - eps;
            const double down = f().item<double>();
            flat[i] = v;
            const double numeric = (up - down) / (2 * eps);
            const double a = analytic[i].item<double>();
            if (!(std::abs(numeric - a) <= tol * std::max(std::abs(a), 1e-2)))
                return QString("input %1 element %2: numeric %3, analytic %4").arg(k).arg(i).arg(numeric, 0, 'g', 10).arg(a, 0, 'g', 10);
        }
    }
    return {};
}

}  // namespace scns::test
