#pragma once
// Fashion-MNIST (Zalando): 28x28 grey images in 10 classes, 60000 train / 10000 test, as IDX
// files. Debian's dataset-fashion-mnist package installs them (see defaultFashionMnistFolder).
#include "data/image_set.h"

#include <filesystem>
#include <string>
#include <vector>

namespace scns {

// The 10 class names in label order: T-shirt/top, Trouser, ..., Ankle boot.
const std::vector<std::string>& fashionMnistClassNames();

// /usr/share/datasets/fashion-mnist, where dataset-fashion-mnist puts the gzip'd IDX files.
std::filesystem::path defaultFashionMnistFolder();

// readIdxDataset with the Fashion-MNIST class names.
ImageSet readFashionMnist(const std::filesystem::path& folder, Split split);

}  // namespace scns
