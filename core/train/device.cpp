#include "train/device.h"

#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include "common/errors.h"
#include "common/message_text.h"

namespace scns {

c10::Device resolveDevice(const std::string& name)
{
    if (name == "cpu")
        return c10::Device(c10::kCPU);
    if (name.rfind("cuda", 0) != 0)
        throw DeviceError("device '" + name + "' is not one of cpu, cuda, cuda:N");
    if (!torch::cuda::is_available())
        throw DeviceError("device '" + name
                          + "' requested, but this LibTorch has no CUDA support or no CUDA device is visible; "
                            "use device cpu or build against a CUDA LibTorch (see README)");
    c10::Device device(name);
    const auto count = static_cast<long long>(torch::cuda::device_count());
    if (device.has_index() && device.index() >= count)
        throw DeviceError("device '" + name + "' requested, but only "
                          + counted(count, "CUDA device is", "CUDA devices are")
                          + " visible (cuda:0 .. cuda:" + std::to_string(count - 1) + ")");
    return device;
}

void configureAllocatorForTraining()
{
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

int configureThreads(long long requested)
{
    const int threads = requested > 0 ? static_cast<int>(requested)
                                      : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    if (at::get_num_threads() != threads)
        at::set_num_threads(threads);
    return at::get_num_threads();
}

std::string computeBackendDescription()
{
    std::string out = "LibTorch " TORCH_VERSION;
    if (!torch::cuda::is_available())
        return out + ", CPU only (no CUDA device or no CUDA in this LibTorch)";
    const auto n = torch::cuda::device_count();
    return out + ", CUDA: " + std::to_string(n) + (n == 1 ? " device" : " devices");
}

}  // namespace scns
