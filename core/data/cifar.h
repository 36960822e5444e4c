#pragma once
// CIFAR-10 and CIFAR-100 (Krizhevsky 2009): 32x32 RGB images, 50000 train / 10000 test, in
// either official version: the binary one (cifar-10-batches-bin, cifar-100-binary) or the
// Python one of pickled dicts (cifar-10-batches-py, cifar-100-python; what torchvision
// downloads, written by Python 2).
#include "data/image_set.h"

#include <filesystem>

namespace scns {

enum class CifarVariant { Cifar10, Cifar100 };
enum class CifarFormat { Binary, Python };

struct CifarLocation {
    std::filesystem::path folder;  // the version folder holding the batch files
    CifarFormat format = CifarFormat::Binary;
};

// Finds the data: folder itself if it holds the batch files of either version (recognised by
// their names), else its official version subfolder (binary preferred when both exist).
// Throws DataError listing every file and folder looked at.
CifarLocation locateCifar(const std::filesystem::path& folder, CifarVariant variant);

// 3 x 32 x 32 images in file order (train: batches 1-5 in turn). CIFAR-100 sets labels to
// the 100 fine classes and coarseLabels to the 20 superclasses. Class names come from the
// data set's own meta files. Any inconsistency throws DataError naming the file.
ImageSet readCifar(const std::filesystem::path& folder, CifarVariant variant, Split split);
ImageSet readCifar10(const std::filesystem::path& folder, Split split);
ImageSet readCifar100(const std::filesystem::path& folder, Split split);

}  // namespace scns
