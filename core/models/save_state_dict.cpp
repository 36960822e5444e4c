#include "models/save_state_dict.h"

#include "io/torch_file.h"

namespace scns {

// Written by io/torch_file.h: an OrderedDict of tensors rebuilt with torch._utils, nothing
// else, which torch.load(file, weights_only=True) accepts.
void saveTensors(const StateDict& tensors, const std::filesystem::path& file)
{
    TorchValue dict = TorchValue::dict(/*ordered=*/true);
    for (const auto& [key, t] : tensors)
        dict.set(key, TorchValue::of(t.detach()));
    writeTorchFile(dict, file);
}

void saveStateDict(const torch::nn::Module& module, const std::filesystem::path& file)
{
    saveTensors(stateDict(module), file);
}

void saveTensor(const torch::Tensor& tensor, const std::filesystem::path& file)
{
    writeTorchFile(TorchValue::of(tensor.detach()), file);
}

}  // namespace scns
