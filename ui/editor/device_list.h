#pragma once
#include <QStringList>

namespace scns {

// "cpu" followed by "cuda:0", "cuda:1", ... for each CUDA device this LibTorch can use.
QStringList availableDevices();

}  // namespace scns
