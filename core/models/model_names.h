#pragma once
// Names of the networks the model registry builds. Plain C++ so configuration validation
// does not need LibTorch; models/registry.cpp checks that every name here can be built.
#include <string>
#include <vector>

namespace scns {

const std::vector<std::string>& knownArchitectures();

}  // namespace scns
