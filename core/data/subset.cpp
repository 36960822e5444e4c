#include "data/subset.h"

#include "common/errors.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <random>

namespace scns {

namespace {

// Uniform in [0, bound) by rejection, so the result depends only on the generator's output.
std::uint64_t uniformBelow(std::mt19937_64& rng, std::uint64_t bound)
{
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
    std::uint64_t x;
    do {
        x = rng();
    } while (x >= limit);
    return x % bound;
}

}  // namespace

ImageSet takeIndices(const ImageSet& set, const std::vector<std::int64_t>& indices)
{
    if (static_cast<std::int64_t>(set.labels.size()) != set.count
        || static_cast<std::int64_t>(set.pixels.size()) != set.count * set.imageBytes()
        || (!set.coarseLabels.empty() && static_cast<std::int64_t>(set.coarseLabels.size()) != set.count))
        throw DataError("inconsistent image set: " + std::to_string(set.count) + " images, "
                        + std::to_string(set.labels.size()) + " labels, " + std::to_string(set.pixels.size())
                        + " pixel bytes");
    ImageSet out;
    out.channels = set.channels;
    out.height = set.height;
    out.width = set.width;
    out.classNames = set.classNames;
    out.coarseClassNames = set.coarseClassNames;
    out.classIds = set.classIds;
    out.count = static_cast<std::int64_t>(indices.size());

    const std::int64_t bytes = set.imageBytes();
    const bool hasCoarse = !set.coarseLabels.empty();
    out.pixels.resize(static_cast<std::size_t>(out.count * bytes));
    out.labels.reserve(indices.size());
    if (hasCoarse)
        out.coarseLabels.reserve(indices.size());
    for (std::size_t k = 0; k < indices.size(); ++k) {
        const std::int64_t i = indices[k];
        if (i < 0 || i >= set.count)
            throw DataError("image index " + std::to_string(i) + " at position " + std::to_string(k)
                            + " is out of range [0, " + std::to_string(set.count) + ")");
        std::memcpy(out.pixels.data() + k * bytes, set.pixels.data() + i * bytes, static_cast<std::size_t>(bytes));
        out.labels.push_back(set.labels[static_cast<std::size_t>(i)]);
        if (hasCoarse)
            out.coarseLabels.push_back(set.coarseLabels[static_cast<std::size_t>(i)]);
    }
    return out;
}

ImageSet capPerClass(const ImageSet& set, std::int64_t maxPerClass, std::uint64_t seed)
{
    if (maxPerClass < 1)
        throw DataError("images per class must be at least 1, found " + std::to_string(maxPerClass));
    std::vector<std::int64_t> order(static_cast<std::size_t>(set.count));
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = static_cast<std::int64_t>(i);
    std::mt19937_64 rng(seed);
    for (std::size_t i = order.size(); i > 1; --i)
        std::swap(order[i - 1], order[uniformBelow(rng, i)]);

    std::vector<std::int64_t> taken;
    std::vector<std::int64_t> perClass;
    for (const std::int64_t i : order) {
        const std::int64_t label = set.labels[static_cast<std::size_t>(i)];
        if (label < 0)
            throw DataError("label " + std::to_string(label) + " at index " + std::to_string(i) + " is negative");
        if (static_cast<std::size_t>(label) >= perClass.size())
            perClass.resize(static_cast<std::size_t>(label) + 1, 0);
        if (perClass[static_cast<std::size_t>(label)] < maxPerClass) {
            ++perClass[static_cast<std::size_t>(label)];
            taken.push_back(i);
        }
    }
    std::sort(taken.begin(), taken.end());
    return takeIndices(set, taken);
}

}  // namespace scns
