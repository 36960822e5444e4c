#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include <c10/core/Device.h>

#include "data/loader.h"
#include "models/network.h"

namespace scns {

struct EvalResult {
    double loss = 0;  // mean cross-entropy
    double top1 = 0;  // percent
    double top5 = 0;  // percent (equals top1 bookkeeping when there are fewer than 5 classes)
    std::int64_t count = 0;
    // C x C counts, row-major: row = true class, column = predicted (arg-max) class.
    std::vector<std::int64_t> confusion;
};

// Called once a batch with its logits (B x K, on the device) and the batch itself, e.g. to
// write per-sample predictions (`scns evaluate --predictions`).
using EvalBatchHook = std::function<void(const torch::Tensor& logits, const Batch& batch)>;

// Evaluates in eval mode without gradients (both set here, on the calling thread), then
// restores the model's previous mode.
EvalResult evaluate(NetworkImpl& model, BatchLoader& loader, const c10::Device& device,
                    const EvalBatchHook& onBatch = {});

// Number of rows of logits (B x K) whose label is among the k largest logits: as a 0-d int64
// tensor on the logits' device (no host synchronisation), or read.
at::Tensor correctTopK(const torch::Tensor& logits, const torch::Tensor& labels, std::int64_t k);
std::int64_t countTopK(const torch::Tensor& logits, const torch::Tensor& labels, std::int64_t k);

}  // namespace scns
