#pragma once
// Shared by the samplers' inner loops.
#include <algorithm>
#include <cstdint>

namespace scns {

// Rows per parallel chunk: about 32k draws, so small batches stay on one thread.
inline std::int64_t samplerGrain(std::int64_t drawsPerRow)
{
    return std::max<std::int64_t>(1, 32768 / std::max<std::int64_t>(1, drawsPerRow));
}

}  // namespace scns
