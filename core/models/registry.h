#pragma once
// Builds networks by name (see models/model_names.h for the list).
#include <memory>

#include "models/network.h"

namespace scns {

// Throws ConfigError naming the known architectures when spec.arch is unknown.
std::shared_ptr<NetworkImpl> buildNetwork(const NetworkSpec& spec);

}  // namespace scns
