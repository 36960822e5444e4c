// Forward + backward + SGD step throughput of zoo networks on a fixed random batch, printed as
// one JSON line per network so that bench/run_model_throughput.sh can set it beside
// bench/model_throughput.py (the same networks, defined independently in
// tests/core/models/reference_nets.py, and the same loop in Python PyTorch).
//
// Per step, on both sides: zero_grad (zeroing, as LibTorch's Optimizer::zero_grad and
// PyTorch 1.13's default do), forward in training mode, cross-entropy, backward, SGD step
// (momentum 0.9, weight decay 5e-4). No data loading and no .item(): the network and autograd
// are what is measured.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <malloc.h>

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/sgd.h>
#include <torch/version.h>

#include "models/registry.h"

namespace {

struct Options {
    std::vector<std::string> archs = {"resnet20", "resnet8x4", "wrn_16_2"};
    int threads = 1;
    std::int64_t batch = 64, steps = 20, warmup = 3, classes = 100;
    std::string profile;  // chrome trace of the timed steps (autograd profiler), per network
    bool tuneMalloc = false;
};

[[noreturn]] void usage(const char* argv0)
{
    std::fprintf(stderr,
                 "usage: %s [--archs resnet20,resnet8x4,wrn_16_2] [--threads T] [--batch-size B] [--steps N]\n"
                 "          [--warmup W] [--classes K] [--profile PREFIX (writes PREFIX<arch>.trace.json)]\n"
                 "          [--tune-malloc 1 (mallopt: mmap and trim thresholds 1 GiB, as MALLOC=scns-only)]\n",
                 argv0);
    std::exit(2);
}

Options parse(int argc, char** argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc)
            usage(argv[0]);
        const char* v = argv[++i];
        if (a == "--archs") {
            o.archs.clear();
            std::stringstream ss(v);
            for (std::string s; std::getline(ss, s, ',');)
                o.archs.push_back(s);
        } else if (a == "--threads") {
            o.threads = std::atoi(v);
        } else if (a == "--batch-size") {
            o.batch = std::atoll(v);
        } else if (a == "--steps") {
            o.steps = std::atoll(v);
        } else if (a == "--warmup") {
            o.warmup = std::atoll(v);
        } else if (a == "--classes") {
            o.classes = std::atoll(v);
        } else if (a == "--profile") {
            o.profile = v;
        } else if (a == "--tune-malloc") {
            o.tuneMalloc = std::atoi(v) != 0;
        } else {
            usage(argv[0]);
        }
    }
    if (o.threads < 1 || o.batch < 1 || o.steps < 1 || o.warmup < 0 || o.classes < 2 || o.archs.empty())
        usage(argv[0]);
    return o;
}

void measure(const Options& o, const std::string& arch)
{
    torch::manual_seed(0);
    auto net = scns::buildNetwork({arch, o.classes, 3});
    net->train();
    torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9).weight_decay(5e-4));
    const auto x = torch::randn({o.batch, 3, 32, 32});
    const auto y = torch::randint(o.classes, {o.batch}, torch::kLong);
    auto step = [&] {
        sgd.zero_grad();
        const auto loss = torch::nn::functional::cross_entropy(net->forward(x), y);
        loss.backward();
        sgd.step();
    };
    for (std::int64_t i = 0; i < o.warmup; ++i)
        step();
    std::vector<double> seconds;
    using Clock = std::chrono::steady_clock;
    {
        std::unique_ptr<torch::autograd::profiler::RecordProfile> profiler;
        if (!o.profile.empty())
            profiler = std::make_unique<torch::autograd::profiler::RecordProfile>(o.profile + arch + ".trace.json");
        for (std::int64_t i = 0; i < o.steps; ++i) {
            const auto t0 = Clock::now();
            step();
            seconds.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
        }
    }
    double total = 0;
    for (double s : seconds)
        total += s;
    std::sort(seconds.begin(), seconds.end());
    const double median = seconds[seconds.size() / 2];
    std::printf("{\"impl\": \"scns\", \"torch\": \"%s\", \"arch\": \"%s\", \"threads\": %d, \"batch\": %lld, "
                "\"steps\": %lld, \"seconds\": %.4f, \"images_per_second\": %.2f, \"median_step_images_per_second\": %.2f}\n",
                TORCH_VERSION, arch.c_str(), at::get_num_threads(), static_cast<long long>(o.batch),
                static_cast<long long>(o.steps), total, o.batch * o.steps / total, o.batch / median);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv)
{
    const Options o = parse(argc, argv);
    if (o.tuneMalloc) {
        // The in-process form of MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_: freed
        // activations stay in the heap for the next step instead of going back to the kernel.
        mallopt(M_MMAP_THRESHOLD, 1 << 30);
        mallopt(M_TRIM_THRESHOLD, 1 << 30);
    }
    at::set_num_threads(o.threads);
    for (const auto& arch : o.archs)
        measure(o, arch);
    return 0;
}
