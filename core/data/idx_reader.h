#pragma once
// IDX files, the format of MNIST and Fashion-MNIST: a big-endian header (magic number,
// dimension sizes) followed by uint8 data, usually gzip'd.
#include "data/image_set.h"

#include <filesystem>
#include <string>
#include <vector>

namespace scns {

// Reads <prefix>-images-idx3-ubyte[.gz] and <prefix>-labels-idx1-ubyte[.gz] from folder,
// prefix "train" or "t10k"; gzip is detected from the content. Returns single-channel
// images. Labels must lie in [0, classNames.size()). Any problem (missing file, wrong magic,
// truncation, trailing bytes, image/label count mismatch) throws DataError.
ImageSet readIdxDataset(const std::filesystem::path& folder, Split split,
                        const std::vector<std::string>& classNames);

// One IDX file already in memory (inflated); sourceName labels errors. Exposed for tests.
// Images: fills pixels, count, channels (1), height, width. Labels: returns the raw labels.
void parseIdxImages(std::vector<std::uint8_t> bytes, const std::string& sourceName, ImageSet& into);
std::vector<std::int64_t> parseIdxLabels(const std::vector<std::uint8_t>& bytes, const std::string& sourceName);

}  // namespace scns
