#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

namespace scns {

// A host tensor on `device` without making the host wait: on a CUDA device through pinned
// memory and an asynchronous copy (ordered on the current stream, so the kernels that use it
// see it; the caching host allocator keeps the pinned buffer until the copy is done); on the CPU
// the tensor itself. A tensor already on `device` is returned as it is. Per-step copies go
// through here: a plain .to(cuda) from pageable memory waits for the GPU.
inline at::Tensor toDevice(const at::Tensor& tensor, const c10::Device& device)
{
    if (!tensor.defined() || tensor.device() == device)
        return tensor;
    if (device.is_cuda() && tensor.device().is_cpu())
        return (tensor.is_pinned() ? tensor : tensor.pin_memory()).to(device, /*non_blocking=*/true);
    return tensor.to(device);
}

}  // namespace scns
