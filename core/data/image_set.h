#pragma once
// In-memory image data set as read from disk: plain C++ (no LibTorch), so readers are quick
// to build and test. Tensors are made from it by the loader (data/loader.h).
#include <cstdint>
#include <string>
#include <vector>

namespace scns {

struct ImageSet {
    // Pixels as uint8, layout N x C x H x W (channel-major per image, like CIFAR's files).
    std::vector<std::uint8_t> pixels;
    std::int64_t count = 0;
    std::int64_t channels = 0;
    std::int64_t height = 0;
    std::int64_t width = 0;
    // One label per image, each in [0, classNames.size()).
    std::vector<std::int64_t> labels;
    std::vector<std::string> classNames;
    // CIFAR-100 only: the 20 superclass labels and names (empty otherwise).
    std::vector<std::int64_t> coarseLabels;
    std::vector<std::string> coarseClassNames;
    // Data-set specific class identifiers (Tiny-ImageNet: WordNet ids such as n01443537).
    std::vector<std::string> classIds;

    std::int64_t imageBytes() const { return channels * height * width; }
    std::int64_t numClasses() const { return static_cast<std::int64_t>(classNames.size()); }
};

enum class Split { Train, Test };

}  // namespace scns
