#pragma once
// Subsets of an ImageSet, e.g. for quick runs on a few images per class.
#include "data/image_set.h"

#include <cstdint>
#include <vector>

namespace scns {

// The images at the given indices, in the given order (repeats allowed); class names and
// ids are kept. An index outside [0, count) throws DataError.
ImageSet takeIndices(const ImageSet& set, const std::vector<std::int64_t>& indices);

// At most maxPerClass images of each class (all of a class that has fewer), chosen by a
// Fisher-Yates shuffle driven by std::mt19937_64(seed), and kept in their original relative
// order. The shuffle avoids std::shuffle and std::uniform_int_distribution, whose results
// differ between standard libraries, so a seed picks the same subset everywhere.
// maxPerClass < 1 throws DataError.
ImageSet capPerClass(const ImageSet& set, std::int64_t maxPerClass, std::uint64_t seed);

}  // namespace scns
