#pragma once
// Tiny-ImageNet-200 (Stanford CS231n): 64x64 RGB JPEGs of 200 ImageNet classes, 500 train
// images per class and 10000 labelled validation images.
#include "data/image_set.h"

#include <filesystem>

namespace scns {

// folder is tiny-imagenet-200 (holding wnids.txt, words.txt, train/, val/) or its parent.
// Train: train/<wnid>/images/*.JPEG, classes in wnids.txt order, files sorted by name.
// Test: the labelled val split (val/val_annotations.txt + val/images), in annotation order;
// the official test split has no labels. Returns 3 x 64 x 64 images (greyscale JPEGs are
// expanded to three channels); classIds are the WordNet ids, classNames the first name
// words.txt gives each. threads <= 0 means std::thread::hardware_concurrency().
// Any missing file, undecodable JPEG or image not 64x64 throws DataError naming the file.
ImageSet readTinyImageNet(const std::filesystem::path& folder, Split split, int threads = 0);

}  // namespace scns
