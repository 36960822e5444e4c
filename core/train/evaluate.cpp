#include "train/evaluate.h"

#include <algorithm>

#include <torch/nn/functional/loss.h>
#include <torch/utils.h>

#include "data/to_device.h"

namespace scns {

at::Tensor correctTopK(const torch::Tensor& logits, const torch::Tensor& labels, std::int64_t k)
{
    k = std::min<std::int64_t>(k, logits.size(1));
    const auto top = std::get<1>(logits.topk(k, /*dim=*/1));
    return top.eq(labels.unsqueeze(1)).any(1).sum();
}

std::int64_t countTopK(const torch::Tensor& logits, const torch::Tensor& labels, std::int64_t k)
{
    return correctTopK(logits, labels, k).item<std::int64_t>();
}

EvalResult evaluate(NetworkImpl& model, BatchLoader& loader, const c10::Device& device, const EvalBatchHook& onBatch)
{
    torch::NoGradGuard noGrad;
    const bool wasTraining = model.is_training();
    model.eval();
    EvalResult r;
    // Sums stay on the device until the split is done: one read, not one per batch.
    torch::Tensor lossSum, top1, top5, confusion;  // double, int64, int64, C*C int64
    loader.startEpoch(0);
    while (auto batch = loader.next()) {
        const auto x = toDevice(batch->images, device);
        const auto y = batch->deviceLabels.defined() ? batch->deviceLabels : toDevice(batch->labels, device);
        const auto logits = model.forwardAll(x).logits;
        const auto c = logits.size(1);
        const auto loss = torch::nn::functional::cross_entropy(
                              logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                              .to(torch::kDouble);
        const auto cells = torch::bincount(y * c + logits.argmax(1), {}, c * c);
        if (!lossSum.defined()) {
            lossSum = loss;
            top1 = correctTopK(logits, y, 1);
            top5 = correctTopK(logits, y, 5);
            confusion = cells;
        } else {
            lossSum = lossSum + loss;
            top1 = top1 + correctTopK(logits, y, 1);
            top5 = top5 + correctTopK(logits, y, 5);
            confusion = confusion + cells;
        }
        r.count += x.size(0);
        if (onBatch)
            onBatch(logits, *batch);
    }
    model.train(wasTraining);
    if (confusion.defined()) {
        const auto cpu = confusion.to(torch::kCPU, torch::kInt64).contiguous();
        r.confusion.assign(cpu.data_ptr<std::int64_t>(), cpu.data_ptr<std::int64_t>() + cpu.numel());
    }
    if (r.count > 0) {
        r.loss = lossSum.item<double>() / static_cast<double>(r.count);
        r.top1 = 100.0 * static_cast<double>(top1.item<std::int64_t>()) / static_cast<double>(r.count);
        r.top5 = 100.0 * static_cast<double>(top5.item<std::int64_t>()) / static_cast<double>(r.count);
    }
    return r;
}

}  // namespace scns
