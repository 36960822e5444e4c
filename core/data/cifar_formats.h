#pragma once
// The two on-disk versions of CIFAR, behind readCifar (cifar.h). versionFolder is what
// locateCifar found.
#include "data/cifar.h"

#include <cstdint>
#include <string>
#include <vector>

namespace scns::cifar {

constexpr std::int64_t side = 32;
constexpr std::int64_t imageBytes = 3 * side * side;  // R plane, G plane, B plane
constexpr std::int64_t numClasses10 = 10;
constexpr std::int64_t numFine = 100;
constexpr std::int64_t numCoarse = 20;

ImageSet readBinary(const std::filesystem::path& versionFolder, CifarVariant variant, Split split);
ImageSet readPython(const std::filesystem::path& versionFolder, CifarVariant variant, Split split);

// The batch files of a split, without the .bin suffix of the binary version.
std::vector<std::string> batchNames(CifarVariant variant, Split split);

// Throws DataError for the first label outside [0, numClasses), naming its index in the file.
void checkLabels(const std::vector<std::int64_t>& labels, std::int64_t numClasses, const std::string& sourceName,
                 const char* what = "label");

void checkNameCount(const std::vector<std::string>& names, std::int64_t expected, const std::string& sourceName,
                    const char* what);

}  // namespace scns::cifar
