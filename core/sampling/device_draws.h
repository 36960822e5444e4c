#pragma once
// The samplers' draws as tensor operations, so negatives are drawn where the run's tensors live
// (a GPU) instead of in a host loop followed by a copy. Every function returns exactly what the
// host code computes (CounterRng::at, CounterRng::below, AliasTable::draw) for the same key and
// counters, bit for bit, on any device: 64-bit products wrap modulo 2^64 in LibTorch's int64
// kernels as in the host code's uint64 arithmetic, shifts are made logical with a mask, and
// Lemire's 128-bit product is split into two 32-bit halves. So a run draws the same negatives on a
// CPU and on a GPU (tests/sampling/test_device_draws.cpp checks both paths against each other).
#include <cstdint>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

namespace scns {

class AliasTable;
class ClassIndex;

namespace draws {

// SplitMix64 of `key` at each int64 counter (any shape, any device): CounterRng(key).at(c).
at::Tensor splitMix(std::uint64_t key, const at::Tensor& counters);

// CounterRng::below(r, n) elementwise; n broadcasts against r (int64, each in [1, 2^31)).
at::Tensor below(const at::Tensor& r, const at::Tensor& n);
at::Tensor below(const at::Tensor& r, std::int64_t n);

}  // namespace draws

// ClassIndex's tables as int64 tensors on one device.
struct ClassIndexTensors {
    at::Tensor labels;  // N
    at::Tensor order;  // N: sample indices sorted by class
    at::Tensor offsets;  // C
    at::Tensor counts;  // C

    ClassIndexTensors() = default;
    ClassIndexTensors(const ClassIndex& index, c10::Device device);
};

// AliasTable's cells as two int64 tensors on one device; draw() is AliasTable::draw elementwise.
class AliasTensors {
public:
    AliasTensors() = default;
    AliasTensors(const AliasTable& table, c10::Device device);

    bool defined() const { return m_thresholds.defined(); }
    // rows: int64 row of each draw, broadcasting against r.
    at::Tensor draw(const at::Tensor& rows, const at::Tensor& r) const;

private:
    std::int64_t m_cols = 0;
    at::Tensor m_thresholds;  // rows * cols, uint32 values
    at::Tensor m_aliases;  // rows * cols
};

// Where a sampler's negatives are made and returned. Tensor draws are the default off the CPU;
// on the CPU the host loops are faster, and tests select the tensor path there to check it.
struct SamplerPlacement {
    c10::Device device = c10::kCPU;
    bool tensorDraws = false;

    static SamplerPlacement on(c10::Device d) { return {d, !d.is_cpu()}; }
};

}  // namespace scns
