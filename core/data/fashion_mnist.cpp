#include "data/fashion_mnist.h"

#include "data/idx_reader.h"

namespace scns {

const std::vector<std::string>& fashionMnistClassNames()
{
    static const std::vector<std::string> names{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return names;
}

std::filesystem::path defaultFashionMnistFolder()
{
    return "/usr/share/datasets/fashion-mnist";
}

ImageSet readFashionMnist(const std::filesystem::path& folder, Split split)
{
    return readIdxDataset(folder, split, fashionMnistClassNames());
}

}  // namespace scns
