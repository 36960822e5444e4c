// Cost of the negative samplers against a training step (docs/benchmarks.md, "Sampler cost"):
// batch 128, K = 4096 negatives, N = 60,000, C = 10, d = 128, as in a Fashion-MNIST run.
// Times (median of repeated calls, milliseconds):
//   - sample() of the uniform, class (top-3 softmax rows), instance (k = 64, uniform and
//     softmax) and epsilon (class + 10% uniform) samplers;
//   - the memory-bank part of a contrastive step: gather 128 x 4096 x 128 rows, InfoNCE forward
//     and backward, bank update;
//   - a plain training step of the small CNN (batch 128, 1 x 28 x 28, SGD);
//   - the same with the fused form (losses/gather_dot.h: logits straight from the bank);
//   - a whole contrastive step (CNN + projection head + sampler + fused InfoNCE + update) per
//     sampler, and once with materialised negatives.
// Prints one JSON line on stdout and a readable table on stderr.
// --draws DEVICE (cpu, cuda): only where the negatives are made, per sampler: drawn by the host
// loops and copied to DEVICE (the path before the samplers were placed) against drawn on DEVICE
// by tensor operations (sampling/device_draws.h), each timed until the indices are on DEVICE.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/sgd.h>

#include "losses/info_nce.h"
#include "data/to_device.h"
#include "models/registry.h"
#include "sampling/class_sampler.h"
#include "sampling/counter_rng.h"
#include "sampling/epsilon_sampler.h"
#include "sampling/instance_sampler.h"
#include "sampling/memory_bank.h"
#include "sampling/projection_head.h"
#include "sampling/uniform_sampler.h"

using namespace scns;

namespace {

constexpr std::int64_t kN = 60000, kC = 10, kB = 128, kK = 4096, kD = 128, kTopK = 64;

struct Timing {
    double median = 0, min = 0;  // ms; min is the least disturbed by other load on the machine
};

Timing timeMs(int repeats, const std::function<void()>& body, int warmup = 3)
{
    for (int i = 0; i < warmup; ++i)
        body();
    std::vector<double> t;
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        body();
        t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(t.begin(), t.end());
    return {t[t.size() / 2], t.front()};
}

// Row y: classes y+1, y+2, y+3 (mod C) with softmax([0.9, 0.7, 0.5] / 0.1), the shape
// classSamplingDistribution gives for k = 3.
at::Tensor classDistribution()
{
    at::Tensor d = at::zeros({kC, kC}, at::kDouble);
    const at::Tensor w = at::softmax(at::tensor({0.9, 0.7, 0.5}, at::kDouble) / 0.1, 0);
    for (std::int64_t y = 0; y < kC; ++y)
        for (std::int64_t j = 0; j < 3; ++j)
            d[y][(y + 1 + j) % kC] = w[j];
    return d;
}

}  // namespace

int main(int argc, char** argv)
{
    int threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    int repeats = 30;
    std::string drawsDevice;  // --draws: only the draws, host+copy vs tensor draws on the device
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--threads")
            threads = std::stoi(argv[i + 1]);
        else if (a == "--repeats")
            repeats = std::stoi(argv[i + 1]);
        else if (a == "--draws")
            drawsDevice = argv[i + 1];
        else {
            std::fprintf(stderr, "bench_sampler_cost: unknown option %s (--threads N, --repeats N, --draws DEVICE)\n", a.c_str());
            return 2;
        }
    }
    at::set_num_threads(threads);
    at::manual_seed(0);
    auto gen = makeGenerator(1);

    const at::Tensor labels = at::arange(kN, at::kLong).remainder(kC).index_select(0, at::randperm(kN, gen, at::kLong));
    auto uniform = std::make_shared<UniformSampler>(labels, kC, makeGenerator(2));
    auto classS = std::make_shared<ClassSampler>(labels, kC, classDistribution(), makeGenerator(3));
    // Instance table: 64 samples of other classes per row, similarities descending in [0.3, 0.9].
    const at::Tensor table = uniform->sample(at::arange(kN, at::kLong), kTopK).indices;
    const at::Tensor sims = std::get<0>(at::sort(at::rand({kN, kTopK}, gen) * 0.6 + 0.3, 1, true));
    auto instU = std::make_shared<InstanceSampler>(labels, kC, table, sims, InstanceWeighting::Uniform, 0.1, makeGenerator(4));
    auto instS = std::make_shared<InstanceSampler>(labels, kC, table, sims, InstanceWeighting::Softmax, 0.1, makeGenerator(5));
    auto eps = std::make_shared<EpsilonSampler>(classS, 0.1, uniform, makeGenerator(6));
    const std::vector<std::pair<std::string, std::shared_ptr<NegativeSampler>>> samplers = {
        {"uniform", uniform}, {"class", classS}, {"instance_uniform", instU}, {"instance_softmax", instS}, {"epsilon_class_0.1", eps}};

    // Distinct anchors, as a shuffled epoch gives them.
    const auto anchorsFor = [&] { return at::randperm(kN, gen, at::kLong).narrow(0, 0, kB).clone(); };
    if (!drawsDevice.empty()) {
        const c10::Device device(drawsDevice);
        const at::Tensor anchors = anchorsFor();
        // Reading one element waits for the device's queue: the time until the indices are there.
        const auto ready = [](const SampledNegatives& n) { return n.indices[0][0].item<std::int64_t>(); };
        std::string json = "{\"device\": \"" + device.str() + "\", \"batch\": " + std::to_string(kB)
                           + ", \"K\": " + std::to_string(kK) + ", \"threads\": " + std::to_string(threads) + ", \"draws_ms\": {";
        std::fprintf(stderr, "negatives of %lld anchors x K = %lld, made on %s; milliseconds, median (min)\n",
                     static_cast<long long>(kB), static_cast<long long>(kK), device.str().c_str());
        std::fprintf(stderr, "%-18s %22s %22s\n", "sampler", "host loops + copy", "tensor draws there");
        for (const auto& [name, s] : samplers) {
            s->place({});
            const Timing host = timeMs(repeats, [&] {
                SampledNegatives n = s->sample(anchors, kK);
                n.indices = toDevice(n.indices, device);
                ready(n);
            });
            s->place({device, true});
            const Timing there = timeMs(repeats, [&] { ready(s->sample(anchors, kK)); });
            s->place({});
            std::fprintf(stderr, "%-18s %12.2f (%7.2f) %12.2f (%7.2f)\n", name.c_str(), host.median, host.min, there.median, there.min);
            json += std::string(name == samplers.front().first ? "\"" : ", \"") + name + "\": {\"host_copy\": "
                    + std::to_string(host.median) + ", \"tensor\": " + std::to_string(there.median) + "}";
        }
        std::printf("%s}}\n", json.c_str());
        return 0;
    }
    std::map<std::string, Timing> sampleMs;
    for (const auto& [name, s] : samplers) {
        at::Tensor anchors = anchorsFor();
        sampleMs[name] = timeMs(repeats, [&] { s->sample(anchors, kK); });
    }

    // Memory-bank part of a step (uniform negatives drawn outside the timing).
    MemoryBank bank(kN, kD, gen);
    const at::Tensor anchors = anchorsFor();
    const at::Tensor negIdx = uniform->sample(anchors, kK).indices;
    at::Tensor z = at::randn({kB, kD}, gen);
    z = (z / z.norm(2, 1, true)).requires_grad_();
    const Timing gatherMs = timeMs(repeats, [&] { bank.rows(negIdx); });
    const at::Tensor negatives = bank.rows(negIdx), positives = bank.rows(anchors);
    const Timing lossMs = timeMs(repeats, [&] {
        z.mutable_grad() = at::Tensor();
        infoNce(z, positives, negatives, 0.07).backward();
    });
    const Timing bankStepMs = timeMs(repeats, [&] {
        z.mutable_grad() = at::Tensor();
        infoNce(z, bank.rows(anchors), bank.rows(negIdx), 0.07).backward();
        bank.update(anchors, z.detach(), 0.5);
    });
    // The fused form: gatherDot computes the B x K logits straight from the bank.
    const Timing fusedLossMs = timeMs(repeats, [&] {
        z.mutable_grad() = at::Tensor();
        bankInfoNce(z, positives, bank.state(), negIdx, 0.07).backward();
    });
    const Timing fusedBankStepMs = timeMs(repeats, [&] {
        z.mutable_grad() = at::Tensor();
        bankInfoNce(z, bank.rows(anchors), bank.state(), negIdx, 0.07).backward();
        bank.update(anchors, z.detach(), 0.5);
    });

    // A plain supervised step of the small CNN.
    auto net = buildNetwork({"small-cnn", kC, 1});
    ProjectionHead head(ProjectionHeadOptions(net->featureDim()).outDim(kD));
    std::vector<at::Tensor> params = net->parameters();
    for (const auto& p : head->parameters())
        params.push_back(p);
    torch::optim::SGD opt(params, torch::optim::SGDOptions(0.05).momentum(0.9).weight_decay(5e-4));
    const at::Tensor x = at::randn({kB, 1, 28, 28}, gen), y = at::randint(kC, {kB}, gen, at::kLong);
    const Timing cnnStepMs = timeMs(repeats, [&] {
        opt.zero_grad();
        torch::nn::functional::cross_entropy(net->forwardAll(x).logits, y).backward();
        opt.step();
    });

    // A whole contrastive step per sampler: CE + InfoNCE over the bank (fused), then the bank
    // update; and once with the materialised B x K x d negatives, for comparison.
    const auto contrastiveStep = [&](NegativeSampler& sampler, bool fused) {
        opt.zero_grad();
        const NetworkOutput out = net->forwardAll(x);
        const at::Tensor zz = head->forward(out.features);
        const SampledNegatives neg = sampler.sample(anchors, kK);
        const at::Tensor con = fused ? bankInfoNce(zz, bank.rows(anchors), bank.state(), neg.indices, 0.07)
                                     : infoNce(zz, bank.rows(anchors), bank.rows(neg.indices), 0.07);
        (torch::nn::functional::cross_entropy(out.logits, y) + con).backward();
        opt.step();
        bank.update(anchors, zz.detach(), 0.5);
    };
    std::map<std::string, Timing> stepMs;
    for (const auto& [name, s] : samplers)
        stepMs[name] = timeMs(repeats, [&] { contrastiveStep(*s, true); });
    const Timing materialisedStepMs = timeMs(repeats, [&] { contrastiveStep(*uniform, false); });

    const auto json = [](const Timing& t) { return "{\"median\": " + std::to_string(t.median) + ", \"min\": " + std::to_string(t.min) + "}"; };
    std::fprintf(stderr, "threads %d, repeats %d; milliseconds, median (min)\n", threads, repeats);
    std::fprintf(stderr, "%-18s %18s %18s %22s %22s\n", "sampler", "sample()", "extra vs uniform", "extra, % of CNN step",
                 "contrastive step");
    for (const auto& [name, s] : samplers) {
        const Timing& t = sampleMs[name];
        const Timing& u = sampleMs["uniform"];
        std::fprintf(stderr, "%-18s %9.2f (%6.2f) %+9.2f (%+6.2f) %+10.2f%% (%+6.2f%%) %12.1f (%7.1f)\n", name.c_str(), t.median,
                     t.min, t.median - u.median, t.min - u.min, 100.0 * (t.median - u.median) / cnnStepMs.median,
                     100.0 * (t.min - u.min) / cnnStepMs.min, stepMs[name].median, stepMs[name].min);
    }
    std::fprintf(stderr, "bank gather 128x4096x128: %.2f (%.2f); InfoNCE fwd+bwd: %.2f (%.2f); gather+loss+update: %.2f (%.2f)\n",
                 gatherMs.median, gatherMs.min, lossMs.median, lossMs.min, bankStepMs.median, bankStepMs.min);
    std::fprintf(stderr, "fused (bankInfoNce) InfoNCE fwd+bwd: %.2f (%.2f); fused loss+update: %.2f (%.2f)\n",
                 fusedLossMs.median, fusedLossMs.min, fusedBankStepMs.median, fusedBankStepMs.min);
    std::fprintf(stderr, "small-cnn SGD step (batch 128): %.2f (%.2f)\n", cnnStepMs.median, cnnStepMs.min);
    std::fprintf(stderr, "contrastive step, uniform, materialised negatives: %.2f (%.2f)\n", materialisedStepMs.median,
                 materialisedStepMs.min);

    std::string out = "{\"threads\": " + std::to_string(threads) + ", \"repeats\": " + std::to_string(repeats)
                      + ", \"batch\": " + std::to_string(kB) + ", \"K\": " + std::to_string(kK) + ", \"N\": "
                      + std::to_string(kN) + ", \"C\": " + std::to_string(kC) + ", \"d\": " + std::to_string(kD);
    for (const auto* group : {&sampleMs, &stepMs}) {
        out += group == &sampleMs ? ", \"sample_ms\": {" : ", \"contrastive_step_ms\": {";
        bool first = true;
        for (const auto& [name, s] : samplers) {
            out += (first ? "\"" : ", \"") + name + "\": " + json(group->at(name));
            first = false;
        }
        out += "}";
    }
    out += ", \"bank_gather_ms\": " + json(gatherMs) + ", \"infonce_fwd_bwd_ms\": " + json(lossMs)
           + ", \"bank_step_ms\": " + json(bankStepMs) + ", \"fused_infonce_fwd_bwd_ms\": " + json(fusedLossMs)
           + ", \"fused_bank_step_ms\": " + json(fusedBankStepMs) + ", \"cnn_step_ms\": " + json(cnnStepMs)
           + ", \"contrastive_step_materialised_uniform_ms\": " + json(materialisedStepMs) + "}";
    std::printf("%s\n", out.c_str());
    return 0;
}
