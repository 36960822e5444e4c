#pragma once
// The seeded generator streams of a contrastive run. Each draw source (sampler, mixup,
// positives, memory banks, probe anchors, SupCon batches) has its own stream, seeded from
// (run seed, epoch, stream), so the draws of epoch e depend on (seed, e) only and a resumed run
// repeats them. The values are part of the results: changing one changes every run's series.
#include <cstdint>

namespace scns {

enum SeedStream : std::uint64_t {
    kSamplerStream = 11,
    kMixupStream = 12,
    kPositiveStream = 13,
    kBankStream = 14,
    kProbeStream = 15,
    kBatchesStream = 16,
    kTeacherBankStream = 17,
    kReplicaStream = 18
};

// Distinct seeds for the streams of one run (splitmix-style mixing).
inline std::uint64_t streamSeed(std::uint64_t seed, std::uint64_t epoch, std::uint64_t stream)
{
    std::uint64_t z = seed * 0x9E3779B97F4A7C15ull + (epoch + 1) * 0xD1B54A32D192ED03ull + stream * 0x8CB92BA72F3D8DD7ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// The seed of replica `rank` of a data-parallel run's per-anchor draws: rank 0 draws as one
// process does, each other rank from a stream of its own.
inline std::uint64_t replicaSeed(std::uint64_t seed, int rank)
{
    return rank == 0 ? seed : streamSeed(seed, static_cast<std::uint64_t>(rank), kReplicaStream);
}

}  // namespace scns
