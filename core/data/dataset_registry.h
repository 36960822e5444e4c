#pragma once
// Data sets by name, as configuration files and the command line spell them.
#include "data/image_set.h"

#include <filesystem>
#include <string>
#include <vector>

namespace scns {

// {"fashion-mnist", "cifar10", "cifar100", "tiny-imagenet"}.
std::vector<std::string> knownDatasets();

// Where the data set lives when no folder is given: only fashion-mnist has one (the Debian
// package's). Empty for the others; an unknown name throws DataError listing known names.
std::filesystem::path defaultDatasetFolder(const std::string& name);

// Reads the named data set from folder (empty: the default folder, if the data set has one;
// otherwise DataError asking for the folder). Unknown names throw DataError listing the
// known ones; reader errors pass through.
ImageSet loadDataset(const std::string& name, const std::filesystem::path& folder, Split split);

}  // namespace scns
