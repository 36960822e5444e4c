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

// glibc only (a no-op elsewhere): keep freed activation and gradient buffers in the heap for
// the next step instead of returning them to the kernel, which costs a page fault per 4 KiB
// on every step (measured: resnet20 from 0.91x to 1.19x of PyTorch's speed, docs/benchmarks.md
// "Model throughput vs PyTorch"). The price is that the heap keeps up to the peak activation
// memory. Call once at start-up, before training threads exist.
void configureAllocatorForTraining();

// What this build computes with, for About boxes and bug reports: "LibTorch 2.6.0, CUDA: 2
// devices" or "LibTorch 1.13.1, CPU only (no CUDA in this LibTorch)".
std::string computeBackendDescription();

}  // namespace scns
