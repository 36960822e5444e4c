// Where a training step of the small CNN spends its time: the step of scns::train
// (core/train/trainer.cpp) rebuilt from the same parts (BatchLoader, buildNetwork, SGD, the
// one-cycle LrSchedule, countTopK) with a clock around each phase. On CPU every ATen call is
// synchronous, so the phase times are the real costs. bench/train_throughput.py --profile
// prints the same phases for PyTorch in Python.
//
//   bench_train_step_profile [--threads T] [--batch-size B] [--batches N] [--no-prefetch]
//
// Prints one JSON line: seconds per phase summed over the timed batches (the first
// --warmup batches are not timed) and the images per second of the timed batches.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/sgd.h>
#include <torch/utils.h>

#include "data/dataset_registry.h"
#include "data/loader.h"
#include "models/registry.h"
#include "train/device.h"
#include "train/evaluate.h"
#include "train/lr_schedule.h"
#include "train/run_config.h"

namespace {
using Clock = std::chrono::steady_clock;

struct Phases {
    std::vector<std::pair<std::string, double>> order;
    void add(const std::string& name, Clock::time_point& t)
    {
        const auto now = Clock::now();
        const double s = std::chrono::duration<double>(now - t).count();
        t = now;
        for (auto& [n, v] : order)
            if (n == name) {
                v += s;
                return;
            }
        order.emplace_back(name, s);
    }
};
}  // namespace

int main(int argc, char** argv)
{
    std::int64_t threads = 0, batchSize = 128, batches = 200, warmup = 20;
    bool prefetch = true;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto num = [&] {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", a.c_str());
                std::exit(2);
            }
            return std::atoll(argv[++i]);
        };
        if (a == "--threads")
            threads = num();
        else if (a == "--batch-size")
            batchSize = num();
        else if (a == "--batches")
            batches = num();
        else if (a == "--warmup")
            warmup = num();
        else if (a == "--no-prefetch")
            prefetch = false;
        else {
            std::fprintf(stderr,
                         "usage: %s [--threads T] [--batch-size B] [--batches N] [--warmup N] [--no-prefetch]\n",
                         argv[0]);
            return 2;
        }
    }
    const int used = scns::configureThreads(threads);
    auto train = std::make_shared<const scns::ImageSet>(scns::loadDataset("fashion-mnist", "", scns::Split::Train));
    scns::LoaderOptions lo;
    lo.batchSize = batchSize;
    lo.prefetch = prefetch;
    scns::BatchLoader loader(train, scns::normalizationFor("fashion-mnist", *train), lo);
    torch::manual_seed(0);
    auto model = scns::buildNetwork({"small-cnn", train->numClasses(), train->channels});
    model->train();
    scns::RunConfig cfg;
    torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(cfg.optim.lr)
                                                         .momentum(cfg.optim.momentum)
                                                         .weight_decay(cfg.optim.weightDecay)
                                                         .nesterov(cfg.optim.nesterov));
    const scns::LrSchedule schedule(cfg.optim, cfg.schedule, 1, loader.batchesPerEpoch());

    Phases ph;
    loader.startEpoch(0);
    std::int64_t step = 0, images = 0;
    Clock::time_point start;
    while (step < warmup + batches) {
        if (step == warmup) {
            ph = Phases{};
            images = 0;
            start = Clock::now();
        }
        auto t = Clock::now();
        auto batch = loader.next();
        if (!batch) {
            loader.startEpoch(1);
            continue;
        }
        ph.add("data", t);
        const double lr = schedule.at(step);
        for (auto& group : optimizer.param_groups())
            static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
        ph.add("lr", t);
        const auto logits = model->forwardAll(batch->images).logits;
        ph.add("forward", t);
        const auto loss = torch::nn::functional::cross_entropy(logits, batch->labels);
        ph.add("loss", t);
        volatile double v = loss.item<double>();
        (void)v;
        ph.add("item", t);
        optimizer.zero_grad();
        ph.add("zero_grad", t);
        loss.backward();
        ph.add("backward", t);
        optimizer.step();
        ph.add("step", t);
        volatile std::int64_t c = scns::countTopK(logits.detach(), batch->labels, 1);
        (void)c;
        ph.add("top1", t);
        images += batch->images.size(0);
        ++step;
    }
    const double total = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("{\"impl\": \"scns\", \"threads\": %d, \"batch_size\": %lld, \"batches\": %lld, \"prefetch\": %s, "
                "\"images_per_second\": %.2f, \"seconds\": %.4f, \"phases\": {",
                used, static_cast<long long>(batchSize), static_cast<long long>(batches), prefetch ? "true" : "false",
                static_cast<double>(images) / total, total);
    for (std::size_t i = 0; i < ph.order.size(); ++i)
        std::printf("%s\"%s\": %.4f", i ? ", " : "", ph.order[i].first.c_str(), ph.order[i].second);
    std::printf("}}\n");
    return 0;
}
