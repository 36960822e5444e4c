// Build time and peak memory of the instance top-k table (core/semantic/instance_topk.h) on
// random unit vectors: N = 60,000, d = 128, k = 64, 10 classes by default (a CIFAR-sized
// training set with CRD's feature size). Prints one JSON line; progress goes to stderr.
//
//   bench_topk_build [--n N] [--d D] [--k K] [--classes C] [--block B] [--threads T] [--all]
//
// --all builds over all samples instead of other classes only. Peak RSS is the process's
// high-water mark (VmHWM); the build's own share is VmHWM after minus VmRSS before.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include <ATen/ATen.h>

#include "common/errors.h"
#include "semantic/instance_topk.h"
#include "train/device.h"

namespace {

// A "VmRSS:  1234 kB" style field of /proc/self/status, in MiB.
double statusMiB(const std::string& field)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field + ":", 0) == 0)
            return std::strtod(line.c_str() + field.size() + 1, nullptr) / 1024.0;
    return -1;
}

[[noreturn]] void usage(const char* argv0, const std::string& problem)
{
    std::cerr << problem << "\nusage: " << argv0
              << " [--n N] [--d D] [--k K] [--classes C] [--block B] [--threads T] [--all]\n";
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv)
{
    std::int64_t n = 60000, d = 128, k = 64, classes = 10, block = 1024, threads = 0;
    bool all = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::int64_t {
            if (i + 1 >= argc)
                usage(argv[0], a + " needs a value");
            return std::atoll(argv[++i]);
        };
        if (a == "--n") n = value();
        else if (a == "--d") d = value();
        else if (a == "--k") k = value();
        else if (a == "--classes") classes = value();
        else if (a == "--block") block = value();
        else if (a == "--threads") threads = value();
        else if (a == "--all") all = true;
        else usage(argv[0], "unknown argument " + a);
    }
    try {
        const int usedThreads = scns::configureThreads(threads);
        at::manual_seed(0);
        at::Tensor e = at::randn({n, d});
        e = e / e.norm(2, 1, true);
        const at::Tensor labels = at::randint(classes, {n}, at::kLong);
        const double rssBefore = statusMiB("VmRSS");
        const double hwmBefore = statusMiB("VmHWM");

        const auto t0 = std::chrono::steady_clock::now();
        std::int64_t lastReport = 0;
        const auto table = scns::buildInstanceTopK(e, labels, k, !all, block, [&](std::int64_t done, std::int64_t total) {
            if (done - lastReport >= total / 10 || done == total) {
                std::fprintf(stderr, "topk %lld / %lld rows\n", static_cast<long long>(done), static_cast<long long>(total));
                lastReport = done;
            }
        });
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double hwmAfter = statusMiB("VmHWM");
        if (!table)
            throw std::runtime_error("cancelled");
        std::printf("{\"bench\": \"topk_build\", \"n\": %lld, \"d\": %lld, \"k\": %lld, \"classes\": %lld, "
                    "\"block\": %lld, \"other_classes_only\": %s, \"threads\": %d, \"seconds\": %.3f, "
                    "\"rss_before_mib\": %.1f, \"peak_rss_before_mib\": %.1f, \"peak_rss_after_mib\": %.1f, "
                    "\"build_peak_extra_mib\": %.1f, \"table_mib\": %.1f}\n",
                    static_cast<long long>(n), static_cast<long long>(d), static_cast<long long>(k),
                    static_cast<long long>(classes), static_cast<long long>(block), all ? "false" : "true",
                    usedThreads, seconds, rssBefore, hwmBefore, hwmAfter, hwmAfter - rssBefore,
                    (table->indices.nbytes() + table->similarities.nbytes()) / 1048576.0);
    } catch (const std::exception& ex) {
        std::cerr << "bench_topk_build: " << ex.what() << "\n";
        return 1;
    }
    return 0;
}
