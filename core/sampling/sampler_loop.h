#pragma once
// Shared by the samplers' inner loops.
#include <algorithm>
#include <cstdint>

namespace scns {

// Rows per parallel chunk: about 2^20 draws (1-2 ms of work), so a chunk amortises waking a
// worker thread. Measured on a shared two-core machine: with 32k-draw chunks a 128 x 4096 draw
// (0.6 ms on one thread) took 4-8 ms whenever the other core was busy, waiting a scheduler
// tick for the second thread; one chunk per 2^20 draws keeps the usual batch on the calling
// thread and splits only large requests (e.g. 64 x 16384 and up).
inline std::int64_t samplerGrain(std::int64_t drawsPerRow)
{
    return std::max<std::int64_t>(1, (std::int64_t{1} << 20) / std::max<std::int64_t>(1, drawsPerRow));
}

}  // namespace scns
