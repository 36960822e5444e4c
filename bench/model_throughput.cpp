// Forward + backward + SGD step throughput of zoo networks on a fixed random batch, printed as
// one JSON line per network so that bench/run_model_throughput.sh can set it beside
// bench/model_throughput.py (the same networks, defined independently in
// tests/core/models/reference_nets.py, and the same loop in Python PyTorch).
//
// Per step, on both sides: zero_grad (zeroing, as LibTorch's Optimizer::zero_grad and
// PyTorch 1.13's default do), forward in training mode, cross-entropy, backward, SGD step
// (momentum 0.9, weight decay 5e-4). No data loading and no .item(): the network and autograd
// are what is measured.
//
// --device cuda|cuda:N runs the same step on a GPU (bench/gpu/check.sh): the batch is created
// once on the device, and the clock is read after torch::cuda::synchronize() before the first
// and after the last timed step, so per-step times are not taken there (a synchronisation per
// step would serialise the host and the device): "median_step_images_per_second" then repeats
// the whole run's figure. --precision bf16|fp16 autocasts the forward pass and the loss
// (scns::AutocastScope, core/train/precision.h; fp16 with scns::LossScaler), --channels-last 1
// puts the convolution weights (scns::toChannelsLast) and the input in NHWC.
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
#include <torch/cuda.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/sgd.h>
#include <torch/version.h>

#include "common/choices.h"
#include "models/registry.h"
#include "train/device.h"
#include "train/precision.h"

namespace {

struct Options {
    std::vector<std::string> archs = {"resnet20", "resnet8x4", "wrn_16_2"};
    int threads = 1;
    std::int64_t batch = 64, steps = 20, warmup = 3, classes = 100;
    std::string profile;  // chrome trace of the timed steps (autograd profiler), per network
    bool tuneMalloc = false;
    std::string device = "cpu";
    scns::Precision precision = scns::Precision::Fp32;
    bool channelsLast = false;
    double minSeconds = 0;  // > 0: keep stepping past --steps until this much time has passed
};

[[noreturn]] void usage(const char* argv0)
{
    std::fprintf(stderr,
                 "usage: %s [--archs resnet20,resnet8x4,wrn_16_2] [--threads T] [--batch-size B] [--steps N]\n"
                 "          [--warmup W] [--classes K] [--profile PREFIX (writes PREFIX<arch>.trace.json)]\n"
                 "          [--tune-malloc 1 (mallopt: mmap and trim thresholds 1 GiB, as MALLOC=scns-only)]\n"
                 "          [--device cpu|cuda|cuda:N] [--precision fp32|bf16|fp16] [--channels-last 0|1]\n"
                 "          [--min-seconds S (time at least --steps steps and at least S seconds)]\n",
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
        } else if (a == "--device") {
            o.device = v;
        } else if (a == "--precision") {
            const auto p = scns::parseChoice<scns::Precision>(v);
            if (!p)
                usage(argv[0]);
            o.precision = *p;
        } else if (a == "--channels-last") {
            o.channelsLast = std::atoi(v) != 0;
        } else if (a == "--min-seconds") {
            o.minSeconds = std::atof(v);
        } else {
            usage(argv[0]);
        }
    }
    if (o.threads < 1 || o.batch < 1 || o.steps < 1 || o.warmup < 0 || o.classes < 2 || o.archs.empty())
        usage(argv[0]);
    return o;
}

// Seconds since the epoch (wall clock), so that bench/gpu/summarize.py can match the timed
// window against nvidia-smi's time-stamped samples.
double unixSeconds()
{
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void measure(const Options& o, const std::string& arch, const c10::Device& device)
{
    torch::manual_seed(0);
    auto net = scns::buildNetwork({arch, o.classes, 3});
    net->train();
    net->to(device);
    if (o.channelsLast)
        scns::toChannelsLast(net->parameters());
    const auto params = net->parameters();
    torch::optim::SGD sgd(params, torch::optim::SGDOptions(0.01).momentum(0.9).weight_decay(5e-4));
    auto x = torch::randn({o.batch, 3, 32, 32}).to(device);
    if (o.channelsLast)
        x = x.contiguous(at::MemoryFormat::ChannelsLast);
    const auto y = torch::randint(o.classes, {o.batch}, torch::kLong).to(device);
    scns::LossScaler scaler;
    const bool fp16 = o.precision == scns::Precision::Fp16;
    c10::ScalarType logitsType = c10::ScalarType::Undefined;  // what autocast made of the forward pass
    auto step = [&] {
        sgd.zero_grad();
        torch::Tensor loss;
        {
            scns::AutocastScope autocast(device, o.precision);
            const auto logits = net->forward(x);
            logitsType = logits.scalar_type();
            loss = torch::nn::functional::cross_entropy(logits, y);
        }
        if (fp16) {
            scaler.scale(loss).backward();
            const bool finite = scaler.unscale(params);
            if (finite)
                sgd.step();
            scaler.update(finite);
        } else {
            loss.backward();
            sgd.step();
        }
    };
    const bool cuda = device.is_cuda();
    const auto sync = [&] {
        if (cuda)
            torch::cuda::synchronize(device.has_index() ? device.index() : -1);
    };
    for (std::int64_t i = 0; i < o.warmup; ++i)
        step();
    sync();
    std::vector<double> seconds;
    using Clock = std::chrono::steady_clock;
    const double tStart = unixSeconds();
    std::int64_t steps = 0;
    const auto more = [&](Clock::time_point start) {
        return steps < o.steps
            || (o.minSeconds > 0 && std::chrono::duration<double>(Clock::now() - start).count() < o.minSeconds);
    };
    {
        std::unique_ptr<torch::autograd::profiler::RecordProfile> profiler;
        if (!o.profile.empty())
            profiler = std::make_unique<torch::autograd::profiler::RecordProfile>(o.profile + arch + ".trace.json");
        const auto start = Clock::now();
        if (cuda) {
            for (; more(start); ++steps)
                step();
            sync();
            seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
        } else {
            for (; more(start); ++steps) {
                const auto t0 = Clock::now();
                step();
                seconds.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
            }
        }
    }
    const double tEnd = unixSeconds();
    double total = 0;
    for (double s : seconds)
        total += s;
    std::sort(seconds.begin(), seconds.end());
    const double median = cuda ? total / static_cast<double>(steps) : seconds[seconds.size() / 2];
    std::printf(
        "{\"impl\": \"scns\", \"torch\": \"%s\", \"arch\": \"%s\", \"threads\": %d, \"batch\": %lld, "
        "\"steps\": %lld, \"seconds\": %.4f, \"images_per_second\": %.2f, \"median_step_images_per_second\": %.2f, "
        "\"device\": \"%s\", \"precision\": \"%s\", \"channels_last\": %d, \"warmup\": %lld, "
        "\"skipped_steps\": %lld, \"logits_dtype\": \"%s\", \"t_start\": %.3f, \"t_end\": %.3f}\n",
        TORCH_VERSION, arch.c_str(), at::get_num_threads(), static_cast<long long>(o.batch),
        static_cast<long long>(steps), total, static_cast<double>(o.batch * steps) / total, o.batch / median,
        device.str().c_str(), scns::toString(o.precision).c_str(), o.channelsLast ? 1 : 0,
        static_cast<long long>(o.warmup), static_cast<long long>(scaler.skippedSteps()), c10::toString(logitsType),
        tStart, tEnd);
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
    try {
        const c10::Device device = scns::resolveDevice(o.device);
        for (const auto& arch : o.archs)
            measure(o, arch, device);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_model_throughput: %s\n", e.what());
        return 1;
    }
    return 0;
}
