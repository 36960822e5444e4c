#pragma once
// The scalar kernels the memory-bank losses share (gather_dot.cpp, bank_info_nce.cpp): one
// dot product, one prefetch of a scattered bank row, one grain for at::parallel_for. Kept in
// one place so that a change to the vectorised reduction (and so to the rounding of every
// logit) reaches both losses at once.
#include <algorithm>
#include <cstdint>

namespace scns::row_kernels {

// Eight independent partial sums, so the compiler vectorises the reduction without -ffast-math.
template <typename T>
T dot(const T* a, const T* b, std::int64_t d)
{
    T acc[8] = {};
    std::int64_t j = 0;
    for (; j + 8 <= d; j += 8)
        for (int u = 0; u < 8; ++u)
            acc[u] += a[j + u] * b[j + u];
    T s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; j < d; ++j)
        s += a[j] * b[j];
    return s;
}

// Rows are scattered over the bank: request the row kPrefetch ahead so that several memory
// reads are in flight at once (measured: about 1.5x faster at N = 60,000).
inline constexpr std::int64_t kPrefetch = 8;

template <typename T>
inline void prefetchRow(const T* row, std::int64_t d)
{
    const char* p = reinterpret_cast<const char*>(row);
    for (std::int64_t off = 0; off < d * static_cast<std::int64_t>(sizeof(T)); off += 64)
        __builtin_prefetch(p + off);
}

// Anchors per parallel chunk: about 2^23 multiply-adds (a millisecond or more), so that waking
// a worker thread pays off; small inputs stay on the calling thread.
inline std::int64_t rowGrain(std::int64_t rows, std::int64_t d)
{
    return std::max<std::int64_t>(1, (std::int64_t{1} << 23) / std::max<std::int64_t>(1, rows * d));
}

}  // namespace scns::row_kernels
