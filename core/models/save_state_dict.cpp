#include "models/save_state_dict.h"

#include <fstream>

#include <ATen/core/Dict.h>
#include <torch/serialize.h>

#include "common/errors.h"

namespace scns {

namespace {

// torch::pickle_save writes torch.save's zip container (data.pkl, data/<key>, version) with
// tensors pickled as torch._utils._rebuild_tensor_v2, which Python's torch.load reads.
void writeAtomically(const c10::IValue& value, const std::filesystem::path& file)
{
    const auto tmp = std::filesystem::path(file.string() + ".partial");
    try {
        if (file.has_parent_path())
            std::filesystem::create_directories(file.parent_path());
        const std::vector<char> bytes = torch::pickle_save(value);
        {
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            out.close();
            if (!out)
                throw std::runtime_error("write failed");
        }
        std::filesystem::rename(tmp, file);
    } catch (const std::exception& e) {
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
        const std::string what = e.what();
        throw CheckpointError(file.string() + ": cannot write the weights file: " + what.substr(0, what.find('\n')));
    }
}

torch::Tensor portable(const torch::Tensor& t)
{
    return t.detach().to(torch::kCPU).contiguous().clone();
}

}  // namespace

void saveTensors(const StateDict& tensors, const std::filesystem::path& file)
{
    c10::Dict<std::string, at::Tensor> dict;
    for (const auto& [key, t] : tensors)
        dict.insert(key, portable(t));
    writeAtomically(c10::IValue(dict), file);
}

void saveStateDict(const torch::nn::Module& module, const std::filesystem::path& file)
{
    saveTensors(stateDict(module), file);
}

void saveTensor(const torch::Tensor& tensor, const std::filesystem::path& file)
{
    writeAtomically(c10::IValue(portable(tensor)), file);
}

}  // namespace scns
