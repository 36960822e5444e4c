#include "semantic/class_distribution.h"

#include <cmath>
#include <limits>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include "common/errors.h"

namespace scns {

at::Tensor classSamplingDistribution(const at::Tensor& S, std::int64_t k, double tauC, bool uniformOverTopK)
{
    if (S.dim() != 2 || S.size(0) != S.size(1) || S.size(0) < 2)
        throw DataError("class similarity: expected a C x C matrix with C >= 2, found shape " + c10::str(S.sizes()));
    const std::int64_t C = S.size(0);
    std::vector<FieldProblem> problems;
    if (k < 1 || k > C - 1)
        problems.push_back({"contrastive.class.k", std::to_string(k),
                            "an integer in [1, C-1] = [1, " + std::to_string(C - 1) + "] for C = " + std::to_string(C)
                                + " classes"});
    if (!(tauC > 0) || !std::isfinite(tauC))
        problems.push_back({"contrastive.class.tau", std::to_string(tauC), "a temperature > 0"});
    if (!problems.empty())
        throw ConfigError(std::move(problems));

    at::NoGradGuard noGrad;
    at::Tensor s = S.detach().to(at::kFloat).clone();
    if (!at::isfinite(s).all().item<bool>())
        throw DataError("class similarity: expected finite values, found NaN or infinity");
    // -inf on the diagonal: with k <= C-1 finite entries per row, topk never picks it.
    s.fill_diagonal_(-std::numeric_limits<float>::infinity());
    const auto [values, indices] = at::topk(s, k, 1, true, true);
    const at::Tensor weights = uniformOverTopK ? at::full_like(values, 1.0 / static_cast<double>(k))
                                               : at::softmax(values / tauC, 1);
    return at::zeros_like(s).scatter_(1, indices, weights);
}

}  // namespace scns
