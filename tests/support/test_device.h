#pragma once
// The device the core tests compute on: SCNS_TEST_DEVICE (cpu, cuda or cuda:N; default cpu), so
// the same suites run on a GPU (bench/gpu/check.sh runs them with SCNS_TEST_DEVICE=cuda).
#include <cstdlib>
#include <string>

#include <c10/core/Device.h>

namespace scns::test {

inline std::string deviceName()
{
    const char* name = std::getenv("SCNS_TEST_DEVICE");
    return name && *name ? std::string(name) : std::string("cpu");
}

inline c10::Device device() { return c10::Device(deviceName()); }

inline bool onGpu() { return device().is_cuda(); }

}  // namespace scns::test
