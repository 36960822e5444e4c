#include "data/dataset_registry.h"

#include "common/errors.h"
#include "data/cifar.h"
#include "data/fashion_mnist.h"
#include "data/tiny_imagenet.h"

#include <algorithm>

namespace scns {

namespace {

void requireKnown(const std::string& name)
{
    const auto known = knownDatasets();
    if (std::find(known.begin(), known.end(), name) != known.end())
        return;
    std::string list;
    for (std::size_t i = 0; i < known.size(); ++i)
        list += (i ? ", " : "") + known[i];
    throw DataError("unknown data set '" + name + "' (known: " + list + ")");
}

}  // namespace

std::vector<std::string> knownDatasets()
{
    return {"fashion-mnist", "cifar10", "cifar100", "tiny-imagenet"};
}

std::filesystem::path defaultDatasetFolder(const std::string& name)
{
    requireKnown(name);
    if (name == "fashion-mnist")
        return defaultFashionMnistFolder();
    return {};
}

ImageSet loadDataset(const std::string& name, const std::filesystem::path& folder, Split split)
{
    requireKnown(name);
    std::filesystem::path where = folder.empty() ? defaultDatasetFolder(name) : folder;
    if (where.empty())
        throw DataError("data set '" + name + "' has no default location: give the folder that holds it");
    if (name == "fashion-mnist")
        return readFashionMnist(where, split);
    if (name == "cifar10")
        return readCifar10(where, split);
    if (name == "cifar100")
        return readCifar100(where, split);
    return readTinyImageNet(where, split);
}

}  // namespace scns
