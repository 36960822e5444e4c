#pragma once
#include <string>

#include <c10/core/Device.h>

namespace scns {

// "cpu", "cuda" or "cuda:N" -> a usable device. Throws DeviceError when CUDA is asked for and
// this LibTorch has no CUDA support or no such device.
c10::Device resolveDevice(const std::string& name);

// Sets LibTorch's intra-op threads for this process (0: all cores); returns the count in use.
// Debian's LibTorch otherwise starts with one thread.
int configureThreads(long long requested);

}  // namespace scns
