#include "models/model_names.h"

namespace scns {

const std::vector<std::string>& knownArchitectures()
{
    static const std::vector<std::string> names = {
        "small-cnn", "resnet8",  "resnet14",  "resnet20",  "resnet32", "resnet44",
        "resnet56",  "resnet110", "resnet8x4", "resnet32x4"};
    return names;
}

}  // namespace scns
