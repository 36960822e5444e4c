// Blocked exact top-k. With otherClassesOnly the samples are first ordered by label, so the
// columns to exclude for a row (its own class, itself included) form one contiguous range;
// masking then touches only the same-class rectangles of each block instead of comparing
// labels over the whole block x N matrix.
#include "semantic/instance_topk.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include "common/errors.h"

namespace scns {

namespace {

// [begin, end) ranges of equal values in a sorted CPU int64 vector.
std::vector<std::pair<std::int64_t, std::int64_t>> equalRuns(const at::Tensor& sorted)
{
    std::vector<std::pair<std::int64_t, std::int64_t>> runs;
    const auto* v = sorted.data_ptr<std::int64_t>();
    const std::int64_t n = sorted.numel();
    for (std::int64_t i = 0; i < n;) {
        std::int64_t j = i + 1;
        while (j < n && v[j] == v[i])
            ++j;
        runs.emplace_back(i, j);
        i = j;
    }
    return runs;
}

void checkInputs(const at::Tensor& embeddings, const at::Tensor& labels)
{
    const std::string what = "instance top-k: expected ";
    if (embeddings.dim() != 2 || !at::isFloatingType(embeddings.scalar_type()) || embeddings.size(0) < 1)
        throw DataError(what + "N x d float embeddings, found shape " + c10::str(embeddings.sizes()) + " of "
                        + c10::toString(embeddings.scalar_type()));
    const std::int64_t n = embeddings.size(0);
    if (labels.dim() != 1 || labels.size(0) != n || !at::isIntegralType(labels.scalar_type(), false))
        throw DataError(what + std::to_string(n) + " integer labels, found shape " + c10::str(labels.sizes()) + " of "
                        + c10::toString(labels.scalar_type()));
    if (labels.min().item<std::int64_t>() < 0)
        throw DataError(what + "labels >= 0, found " + std::to_string(labels.min().item<std::int64_t>()));
    const double worst = (embeddings.detach().to(at::kDouble).norm(2, 1) - 1.0).abs().max().item<double>();
    if (!(worst <= 1e-3))
        throw DataError(what + "unit-length embedding rows (normalise them first), found a row norm off by "
                        + std::to_string(worst));
}

}  // namespace

std::optional<TopKTable> buildInstanceTopK(const at::Tensor& embeddings, const at::Tensor& labels, std::int64_t k,
                                           bool otherClassesOnly, std::int64_t blockRows,
                                           const TopKProgress& progress, std::stop_token stop)
{
    at::NoGradGuard noGrad;
    checkInputs(embeddings, labels);
    const std::int64_t n = embeddings.size(0);
    const at::Tensor labelsCpu = labels.to(at::kCPU, at::kLong).contiguous();
    const std::int64_t largestClass = at::bincount(labelsCpu).max().item<std::int64_t>();
    const std::int64_t fewest = otherClassesOnly ? n - largestClass : n - 1;
    if (k < 1 || k > fewest)
        throw ConfigError({{"contrastive.instance.k", std::to_string(k),
                            "an integer in [1, " + std::to_string(fewest) + "]: the fewest candidates any sample has is "
                                + std::to_string(fewest)
                                + (otherClassesOnly ? " (N = " + std::to_string(n) + " minus the largest class, "
                                                          + std::to_string(largestClass) + " samples)"
                                                    : " (N - 1)")}});
    if (blockRows < 1)
        throw ConfigError({{"blockRows", std::to_string(blockRows), "at least 1"}});

    const auto device = embeddings.device();
    const auto type = embeddings.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
    at::Tensor e = embeddings.detach().to(type).contiguous();
    at::Tensor order;  // sorted position -> sample index (otherClassesOnly only)
    std::vector<std::pair<std::int64_t, std::int64_t>> runs;
    if (otherClassesOnly) {
        const auto [sortedLabels, perm] = at::sort(labelsCpu, /*stable=*/true, 0, false);
        runs = equalRuns(sortedLabels.contiguous());
        order = perm.to(device);
        e = e.index_select(0, order);
    }
    // Debian's LibTorch runs at::mm on the reference BLAS unless an optimised one is
    // installed: about 4 GFLOP/s here, over a minute for N = 60,000. oneDNN's inner product
    // (linked into every x86 LibTorch) is about ten times faster, so float32 on the CPU uses it.
    const bool oneDnn = e.is_cpu() && e.scalar_type() == at::kFloat && at::hasMKLDNN();
    const at::Tensor eT = e.t();

    const std::int64_t block = std::min(blockRows, n);
    at::Tensor buffer = oneDnn ? at::Tensor() : at::empty({block, n}, e.options());
    TopKTable out{at::empty({n, k}, e.options().dtype(at::kLong)), at::empty({n, k}, e.options().dtype(at::kFloat))};
    const float minusInf = -std::numeric_limits<float>::infinity();
    std::size_t run = 0;
    for (std::int64_t start = 0; start < n; start += block) {
        if (stop.stop_requested())
            return std::nullopt;
        const std::int64_t rows = std::min(block, n - start);
        // rows x N cosines
        at::Tensor sim;
        if (oneDnn) {
            sim = at::mkldnn_linear(e.narrow(0, start, rows).to_mkldnn(), e).to_dense();
        } else {
            sim = buffer.narrow(0, 0, rows);
            at::mm_out(sim, e.narrow(0, start, rows), eT);
        }
        if (otherClassesOnly) {
            while (runs[run].second <= start)
                ++run;
            for (std::size_t r = run; r < runs.size() && runs[r].first < start + rows; ++r) {
                const auto [a, b] = runs[r];
                const std::int64_t r0 = std::max(a, start), r1 = std::min(b, start + rows);
                sim.narrow(0, r0 - start, r1 - r0).narrow(1, a, b - a).fill_(minusInf);
            }
        } else {
            sim.narrow(1, start, rows).diagonal().fill_(minusInf);
        }
        auto [values, indices] = at::topk(sim, k, 1, /*largest=*/true, /*sorted=*/true);
        if (otherClassesOnly) {
            // Sorted positions back to sample indices, for both columns and rows.
            indices = order.index_select(0, indices.reshape(-1)).view({rows, k});
            const at::Tensor samples = order.narrow(0, start, rows);
            out.indices.index_copy_(0, samples, indices);
            out.similarities.index_copy_(0, samples, values.to(at::kFloat));
        } else {
            out.indices.narrow(0, start, rows).copy_(indices);
            out.similarities.narrow(0, start, rows).copy_(values);
        }
        if (progress)
            progress(start + rows, n);
    }
    return out;
}

}  // namespace scns
