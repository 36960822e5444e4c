#pragma once
// Random draws for the samplers that depend only on the seed and the call order, never on the
// number of threads: each call takes one 64-bit key from a seeded torch generator (under its
// lock), and draw number c of that call is SplitMix64 at counter c of the key. Rows of a batch
// own disjoint counter ranges, so they can be filled in parallel.
#include <cstdint>

#include <ATen/core/Generator.h>

namespace scns {

// A seeded CPU generator. It is a handle: copies share one state; get_state()/set_state() are
// what a checkpoint keeps.
at::Generator makeGenerator(std::uint64_t seed);

// One 64-bit draw from a CPU generator (TORCH_CHECK: defined and a CPU generator).
std::uint64_t nextKey(at::Generator& generator);

class CounterRng {
public:
    explicit CounterRng(std::uint64_t key) : m_key(key) {}

    // SplitMix64 (Steele, Lea, Flood 2014) at position `counter` of this key's sequence.
    std::uint64_t at(std::uint64_t counter) const
    {
        std::uint64_t z = m_key + (counter + 1) * 0x9e3779b97f4a7c15ULL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

    // r mapped to [0, n) by Lemire's multiply-shift; bias at most n / 2^64.
    static std::uint64_t below(std::uint64_t r, std::uint64_t n)
    {
        return static_cast<std::uint64_t>((static_cast<unsigned __int128>(r) * n) >> 64);
    }

    // r mapped to [0, 1) with 53 bits.
    static double unit(std::uint64_t r) { return static_cast<double>(r >> 11) * 0x1.0p-53; }

private:
    std::uint64_t m_key;
};

}  // namespace scns
