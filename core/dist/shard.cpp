#include "dist/shard.h"

#include <cstddef>

namespace scns {

namespace {

std::vector<std::int64_t> strided(const std::vector<std::int64_t>& order, int rank, int worldSize, bool pad)
{
    if (worldSize < 1 || rank < 0 || rank >= worldSize || order.empty())
        return {};
    const std::size_t world = static_cast<std::size_t>(worldSize);
    const std::size_t total = pad ? (order.size() + world - 1) / world * world : order.size();
    std::vector<std::int64_t> out;
    out.reserve(total / world + 1);
    for (std::size_t i = static_cast<std::size_t>(rank); i < total; i += world)
        out.push_back(order[i % order.size()]);
    return out;
}

}  // namespace

std::vector<std::int64_t> shardOf(const std::vector<std::int64_t>& order, int rank, int worldSize)
{
    return strided(order, rank, worldSize, true);
}

std::vector<std::int64_t> unpaddedShardOf(const std::vector<std::int64_t>& order, int rank, int worldSize)
{
    return strided(order, rank, worldSize, false);
}

}  // namespace scns
