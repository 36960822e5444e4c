#include "train/evaluate.h"

#include <algorithm>

#include <torch/nn/functional/loss.h>
#include <torch/utils.h>

namespace scns {

std::int64_t countTopK(const torch::Tensor& logits, const torch::Tensor& labels, std::int64_t k)
{
    k = std::min<std::int64_t>(k, logits.size(1));
    const auto top = std::get<1>(logits.topk(k, /*dim=*/1));
    return top.eq(labels.unsqueeze(1)).any(1).sum().item<std::int64_t>();
}

EvalResult evaluate(NetworkImpl& model, BatchLoader& loader, const c10::Device& device, const EvalBatchHook& onBatch)
{
    torch::NoGradGuard noGrad;
    const bool wasTraining = model.is_training();
    model.eval();
    EvalResult r;
    double lossSum = 0;
    std::int64_t top1 = 0, top5 = 0;
    torch::Tensor confusion;  // C*C int64 on the CPU
    loader.startEpoch(0);
    while (auto batch = loader.next()) {
        const auto x = batch->images.to(device);
        const auto y = batch->labels.to(device);
        const auto logits = model.forwardAll(x).logits;
        lossSum += torch::nn::functional::cross_entropy(
                       logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                       .item<double>();
        top1 += countTopK(logits, y, 1);
        top5 += countTopK(logits, y, 5);
        const auto c = logits.size(1);
        const auto cells = torch::bincount((y * c + logits.argmax(1)).to(torch::kCPU), {}, c * c);
        confusion = confusion.defined() ? confusion + cells : cells;
        r.count += x.size(0);
        if (onBatch)
            onBatch(logits, *batch);
    }
    model.train(wasTraining);
    if (confusion.defined()) {
        confusion = confusion.to(torch::kInt64).contiguous();
        r.confusion.assign(confusion.data_ptr<std::int64_t>(), confusion.data_ptr<std::int64_t>() + confusion.numel());
    }
    if (r.count > 0) {
        r.loss = lossSum / static_cast<double>(r.count);
        r.top1 = 100.0 * static_cast<double>(top1) / static_cast<double>(r.count);
        r.top5 = 100.0 * static_cast<double>(top5) / static_cast<double>(r.count);
    }
    return r;
}

}  // namespace scns
