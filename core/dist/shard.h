#pragma once
// Which part of an epoch's order a rank of a data-parallel run reads.
#include <cstdint>
#include <vector>

namespace scns {

// PyTorch's DistributedSampler without its shuffle (the order given is already the epoch's
// seeded permutation): padded by repeating its start to a multiple of the world size, rank r
// takes positions r, r + W, r + 2W, ... So each rank's k-th batch of B / W samples, taken
// together, is the k-th block of B samples of the order: a global batch means the same samples
// at any world size.
std::vector<std::int64_t> shardOf(const std::vector<std::int64_t>& order, int rank, int worldSize);

// The same without padding (evaluation: every sample counted once): positions r, r + W, ...
std::vector<std::int64_t> unpaddedShardOf(const std::vector<std::int64_t>& order, int rank, int worldSize);

}  // namespace scns
