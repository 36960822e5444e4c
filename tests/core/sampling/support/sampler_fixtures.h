#pragma once
// Shared fixtures of the sampler tests: 16 labelled samples of 4 classes, a class distribution,
// an instance top-k table.
#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

namespace scns::test {

inline constexpr std::int64_t kC = 4;
// 16 samples, class sizes 3, 5, 2, 6, interleaved.
inline const std::vector<std::int64_t> kLabels = {1, 3, 0, 1, 3, 2, 1, 3, 0, 3, 1, 2, 3, 0, 1, 3};
inline const std::vector<std::int64_t> kCounts = {3, 5, 2, 6};
inline constexpr std::int64_t kN = 16;

inline at::Tensor labels() { return at::tensor(kLabels, at::kLong); }

// Zero diagonal, clearly non-uniform rows.
inline at::Tensor classDistribution()
{
    return at::tensor({0.0, 0.6, 0.3, 0.1,  //
                       0.5, 0.0, 0.2, 0.3,  //
                       0.1, 0.1, 0.0, 0.8,  //
                       0.25, 0.25, 0.5, 0.0},
                      at::kDouble)
        .view({kC, kC});
}

// The instance table: row i holds 5 distinct samples, (i + 1 + 3j) mod N, similarities 0.9 .. 0.1.
inline at::Tensor topkIndices()
{
    at::Tensor t = at::empty({kN, 5}, at::kLong);
    for (std::int64_t i = 0; i < kN; ++i)
        for (std::int64_t j = 0; j < 5; ++j)
            t[i][j] = (i + 1 + 3 * j) % kN;
    return t;
}
inline at::Tensor topkSimilarities() { return at::tensor({0.9f, 0.7f, 0.5f, 0.3f, 0.1f}).repeat({kN, 1}); }

}  // namespace scns::test
