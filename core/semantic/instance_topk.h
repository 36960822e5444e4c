#pragma once
// The instance top-k table (docs/method.md "Instance similarity"): for every sample, its k most
// cosine-similar samples, built once from reference embeddings before training.
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>

#include <ATen/core/Tensor.h>

namespace scns {

struct TopKTable {
    at::Tensor indices;       // N x k int64: neighbour sample indices, most similar first
    at::Tensor similarities;  // N x k float32: their cosines, non-increasing along a row
};

// Called after each block of rows with (rows done, N).
using TopKProgress = std::function<void(std::int64_t done, std::int64_t total)>;

// Exact cosine neighbours. embeddings: N x d with unit rows (checked to 1e-3), any device;
// labels: N integers >= 0. A sample is never its own neighbour; with otherClassesOnly, no
// sample of its class is either. Rows are processed blockRows at a time against all N
// (block x N similarities, masked, topk), so memory is O(N k + blockRows N), never N x N;
// the intra-op threads LibTorch has (at::set_num_threads) are all used.
// Results lie on the embeddings' device. Returns nullopt when stop is requested (checked
// between blocks). Throws ConfigError naming contrastive.instance.k when k < 1 or k exceeds
// the fewest candidates any sample has (N - 1, or N minus the largest class with
// otherClassesOnly), and DataError for bad shapes, labels or non-unit rows.
std::optional<TopKTable> buildInstanceTopK(const at::Tensor& embeddings, const at::Tensor& labels, std::int64_t k,
                                           bool otherClassesOnly = true, std::int64_t blockRows = 1024,
                                           const TopKProgress& progress = {}, std::stop_token stop = {});

}  // namespace scns
