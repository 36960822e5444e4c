#include "sampling/checked_class_distribution.h"

#include <cmath>

#include <ATen/ATen.h>

#include "sampling/config_fields.h"

namespace scns {

std::vector<double> checkedClassDistribution(const at::Tensor& distribution, const ClassIndex& index)
{
    const std::int64_t C = index.numClasses();
    if (!distribution.defined() || distribution.dim() != 2 || distribution.size(0) != C || distribution.size(1) != C)
        field::fail(field::kClassSimilarity,
                    "a class distribution of shape " + (distribution.defined() ? field::str(distribution.sizes()) : "undefined"),
                    "a " + field::str(C) + " x " + field::str(C) + " row-stochastic matrix (one row per class)");
    const at::Tensor d = distribution.to(at::kCPU, at::kDouble).contiguous();
    const double* p = d.data_ptr<double>();
    std::vector<double> out(p, p + C * C);
    for (std::int64_t y = 0; y < C; ++y) {
        double sum = 0;
        for (std::int64_t c = 0; c < C; ++c) {
            const double v = out[y * C + c];
            if (!std::isfinite(v) || v < 0)
                field::fail(field::kClassSimilarity,
                            "distribution[" + field::str(y) + "][" + field::str(c) + "] = " + field::str(v),
                            "finite, non-negative probabilities");
            sum += v;
        }
        if (std::abs(sum - 1.0) > 1e-4)
            field::fail(field::kClassSimilarity, "row " + field::str(y) + " sums to " + field::str(sum),
                        "rows summing to 1 (a sampling distribution per anchor class)");
        if (index.count(y) == 0)
            continue;  // no anchor has this class
        for (std::int64_t c = 0; c < C; ++c)
            if (out[y * C + c] > 0 && index.count(c) == 0)
                field::fail(field::kClassK,
                            "class " + field::str(c) + " (probability " + field::str(out[y * C + c]) + " for anchors of class "
                                + field::str(y) + ") has no training samples",
                            "every class the distribution can draw to have training samples (lower k or add data)");
    }
    return out;
}

}  // namespace scns
