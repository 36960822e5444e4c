// Training throughput of scns::train on Fashion-MNIST with the small CNN: the numbers the
// trainer itself reports (images per second of the training part of each epoch, and the share
// of it spent waiting for the loader), printed as one JSON line so that
// bench/run_train_throughput.sh can set them beside bench/train_throughput.py.
//
// Nothing is stored: the recorder is a no-op and checkpoints go to a temporary folder that is
// removed at exit. Evaluation and checkpointing run after each epoch but lie outside
// EpochSummary::seconds, so they do not count.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stop_token>
#include <string>
#include <system_error>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

#include <torch/version.h>

#include "common/errors.h"
#include "train/device.h"
#include "train/trainer.h"

namespace {

long minorFaults()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_minflt;
}

class NullRecorder final : public scns::RunRecorder {
public:
    void metric(std::int64_t, std::int64_t, const std::string&, double) override {}
    void flush() override {}
    void checkpoint(std::int64_t, const std::string&) override {}
};

class CollectingObserver final : public scns::TrainingObserver {
public:
    void onRunBegin(const scns::RunStartInfo& info) override { start = info; }
    void onEpochBegin(std::int64_t, std::int64_t) override { m_faultsAtBegin = minorFaults(); }
    // Page faults of the training part only (the last batch ends before evaluation starts).
    void onBatchEnd(const scns::BatchProgress& p) override
    {
        if (p.batch == p.batchesPerEpoch)
            faults.push_back(minorFaults() - m_faultsAtBegin);
    }
    void onEpochEnd(const scns::EpochSummary& s) override
    {
        epochs.push_back(s);
        std::fprintf(stderr, "scns epoch %lld: %.1f img/s, data wait %.2f%%, %.2f s train, test top-1 %.2f%%\n",
                     static_cast<long long>(s.epoch), s.imagesPerSecond, 100.0 * s.dataWaitShare, s.seconds,
                     s.testTop1);
    }
    scns::RunStartInfo start;
    std::vector<scns::EpochSummary> epochs;
    std::vector<long> faults;

private:
    long m_faultsAtBegin = 0;
};

struct Options {
    std::int64_t threads = 0;
    std::int64_t batchSize = 128;
    std::int64_t epochs = 1;
    std::int64_t trainPerClass = 0;
    std::int64_t testPerClass = 100;
    std::uint64_t seed = 0;
    std::string dataDir;
    bool prefetch = true;
    bool glibcMalloc = false;  // skip configureAllocatorForTraining(), as scns did before it
};

[[noreturn]] void usage(const char* argv0, const std::string& problem)
{
    if (!problem.empty())
        std::fprintf(stderr, "%s\n", problem.c_str());
    std::fprintf(stderr,
                 "usage: %s [--threads T (0: all cores)] [--batch-size B] [--epochs N] [--train-per-class N (0: all)]\n"
                 "          [--test-per-class N (evaluation, untimed; 0: all)] [--seed S] [--data-dir DIR] [--no-prefetch]\n"
                 "          [--glibc-malloc (leave glibc's malloc thresholds as they are; scns sets them)]\n",
                 argv0);
    std::exit(2);
}

std::int64_t parseInt(const char* argv0, const std::string& name, const char* text)
{
    try {
        std::size_t used = 0;
        const long long v = std::stoll(text, &used);
        if (used == std::string(text).size() && v >= 0)
            return v;
    } catch (const std::exception&) {
    }
    usage(argv0, name + ": expected a non-negative integer, got '" + text + "'");
}

Options parseArgs(int argc, char** argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc)
                usage(argv[0], a + " needs a value");
            return argv[++i];
        };
        if (a == "--threads")
            o.threads = parseInt(argv[0], a, value());
        else if (a == "--batch-size")
            o.batchSize = parseInt(argv[0], a, value());
        else if (a == "--epochs")
            o.epochs = parseInt(argv[0], a, value());
        else if (a == "--train-per-class")
            o.trainPerClass = parseInt(argv[0], a, value());
        else if (a == "--test-per-class")
            o.testPerClass = parseInt(argv[0], a, value());
        else if (a == "--seed")
            o.seed = static_cast<std::uint64_t>(parseInt(argv[0], a, value()));
        else if (a == "--data-dir")
            o.dataDir = value();
        else if (a == "--no-prefetch")
            o.prefetch = false;
        else if (a == "--glibc-malloc")
            o.glibcMalloc = true;
        else if (a == "--help" || a == "-h")
            usage(argv[0], "");
        else
            usage(argv[0], "unknown option '" + a + "'");
    }
    return o;
}

}  // namespace

int main(int argc, char** argv)
{
    const Options opt = parseArgs(argc, argv);
    // As `scns` does first thing in main(): keep freed tensor memory in the heap. Without it
    // glibc's dynamic thresholds can make every step unmap and re-fault tens of MB.
    if (!opt.glibcMalloc)
        scns::configureAllocatorForTraining();

    scns::TrainRequest request;
    scns::RunConfig& cfg = request.config;
    cfg.name = "bench-train-throughput";
    cfg.data.dataset = scns::DatasetId::FashionMnist;
    cfg.data.folder = opt.dataDir;
    cfg.data.trainPerClass = opt.trainPerClass;
    cfg.data.testPerClass = opt.testPerClass;
    cfg.data.prefetch = opt.prefetch;
    cfg.arch = "small-cnn";
    cfg.epochs = opt.epochs;
    cfg.batchSize = opt.batchSize;
    cfg.threads = opt.threads;
    cfg.seed = opt.seed;
    // Optimiser and schedule: the RunConfig defaults (SGD, Nesterov momentum 0.9, weight decay
    // 5e-4, one-cycle from lr 0.2), the same that `scns train` uses.

    const auto tmp = std::filesystem::temp_directory_path()
                     / ("scns-bench-" + std::to_string(static_cast<long long>(::getpid())));
    request.checkpointDir = tmp / "checkpoints";

    NullRecorder recorder;
    CollectingObserver observer;
    scns::RunResult result;
    try {
        result = scns::train(request, observer, recorder, std::stop_token{});
    } catch (const std::exception& e) {
        std::error_code ec;
        std::filesystem::remove_all(tmp, ec);
        std::fprintf(stderr, "bench_train_throughput: %s\n", e.what());
        return 1;
    }
    std::error_code ec;
    std::filesystem::remove_all(tmp, ec);
    if (result.outcome != scns::RunOutcome::Finished) {
        std::fprintf(stderr, "bench_train_throughput: run did not finish: %s\n", result.message.c_str());
        return 1;
    }

    // One JSON line, the same fields as bench/train_throughput.py prints.
    std::printf("{\"impl\": \"scns\", \"torch\": \"%s\", \"threads\": %lld, \"batch_size\": %lld, "
                "\"train_images\": %lld, \"prefetch\": %s, \"glibc_malloc\": %s, \"epochs\": [",
                TORCH_VERSION, static_cast<long long>(observer.start.threads), static_cast<long long>(cfg.batchSize),
                static_cast<long long>(observer.start.trainSize), opt.prefetch ? "true" : "false",
                opt.glibcMalloc ? "true" : "false");
    for (std::size_t i = 0; i < observer.epochs.size(); ++i) {
        const auto& s = observer.epochs[i];
        std::printf("%s{\"epoch\": %lld, \"seconds\": %.4f, \"images_per_second\": %.2f, \"data_wait_share\": %.6f, "
                    "\"train_loss\": %.5f, \"minor_faults\": %ld}",
                    i ? ", " : "", static_cast<long long>(s.epoch), s.seconds, s.imagesPerSecond, s.dataWaitShare,
                    s.trainLoss, i < observer.faults.size() ? observer.faults[i] : -1L);
    }
    std::printf("]}\n");
    return 0;
}
