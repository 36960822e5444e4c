#include "train/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/ivalue.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "common/errors.h"

namespace scns {

namespace {
constexpr std::int64_t kFormatVersion = 1;
}

void saveCheckpoint(const std::filesystem::path& file, torch::nn::Module& model, torch::optim::Optimizer& optimizer,
                    const CheckpointMeta& meta, const SaveExtra& extra)
{
    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive modelArchive, optimArchive;
    model.save(modelArchive);
    optimizer.save(optimArchive);
    archive.write("model", modelArchive);
    archive.write("optimizer", optimArchive);
    archive.write("format_version", c10::IValue(kFormatVersion));
    archive.write("epochs_completed", c10::IValue(meta.epochsCompleted));
    archive.write("step", c10::IValue(meta.step));
    archive.write("arch", c10::IValue(meta.arch));
    archive.write("dataset", c10::IValue(meta.dataset));
    if (extra) {
        torch::serialize::OutputArchive extraArchive;
        extra(extraArchive);
        archive.write("extra", extraArchive);
    }
    {
        auto gen = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        archive.write("cpu_rng_state", gen.get_state(), /*is_buffer=*/true);
    }
    std::filesystem::create_directories(file.parent_path());
    const auto tmp = std::filesystem::path(file.string() + ".partial");
    try {
        archive.save_to(tmp.string());
        std::filesystem::rename(tmp, file);
    } catch (const std::exception& e) {
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
        throw CheckpointError(file.string() + ": could not write checkpoint: " + e.what());
    }
}

CheckpointMeta loadCheckpoint(const std::filesystem::path& file, const std::string& arch, torch::nn::Module& model,
                              torch::optim::Optimizer& optimizer, const LoadExtra& extra)
{
    if (!std::filesystem::exists(file))
        throw CheckpointError(file.string() + ": checkpoint file not found");
    CheckpointMeta meta;
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(file.string());
        c10::IValue v;
        archive.read("format_version", v);
        if (v.toInt() != kFormatVersion)
            throw CheckpointError(file.string() + ": checkpoint format " + std::to_string(v.toInt())
                                  + ", this program reads format " + std::to_string(kFormatVersion));
        archive.read("arch", v);
        meta.arch = v.toStringRef();
        if (meta.arch != arch)
            throw CheckpointError(file.string() + ": holds a " + meta.arch + " network, the run trains a " + arch);
        archive.read("epochs_completed", v);
        meta.epochsCompleted = v.toInt();
        archive.read("step", v);
        meta.step = v.toInt();
        torch::serialize::InputArchive modelArchive, optimArchive;
        archive.read("model", modelArchive);
        archive.read("optimizer", optimArchive);
        model.load(modelArchive);
        optimizer.load(optimArchive);
        if (extra) {
            torch::serialize::InputArchive extraArchive;
            if (!archive.try_read("extra", extraArchive))
                throw CheckpointError(file.string() + ": holds no contrastive state (head, memory bank); "
                                                      "it was written by a run without the contrastive term");
            extra(extraArchive);
        }
        torch::Tensor rng;
        archive.read("cpu_rng_state", rng, /*is_buffer=*/true);
        auto gen = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        gen.set_state(rng);
    } catch (const CheckpointError&) {
        throw;
    } catch (const std::exception& e) {
        std::string what = e.what();
        // LibTorch's messages carry a long C++ backtrace; the first line says what went wrong.
        what = what.substr(0, what.find('\n'));
        throw CheckpointError(file.string() + ": not a readable SCNS checkpoint for this network: " + what);
    }
    return meta;
}

}  // namespace scns
