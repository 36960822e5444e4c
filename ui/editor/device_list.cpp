#include "editor/device_list.h"

// The one ui file that asks LibTorch something: how many CUDA devices exist. <torch/cuda.h>
// is small and answers 0 on a CPU-only LibTorch.
#include <torch/cuda.h>

namespace scns {

QStringList availableDevices()
{
    QStringList out{QStringLiteral("cpu")};
    const auto n = static_cast<int>(torch::cuda::device_count());
    for (int i = 0; i < n; ++i)
        out << QStringLiteral("cuda:%1").arg(i);
    return out;
}

}  // namespace scns
