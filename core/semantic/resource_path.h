#pragma once
// Where the data files the program ships (resources/) are found at run time.
#include <filesystem>
#include <string>
#include <vector>

namespace scns {

// Folders searched for shipped resources, in order:
//   $SCNS_RESOURCE_DIR, if set;
//   <executable>/../share/scns-workbench/resources (an installed program);
//   the source tree's resources/ (compile definition SCNS_RESOURCE_DIR: a build tree).
std::vector<std::filesystem::path> resourceSearchPath();

// The first existing <folder>/<relative> over resourceSearchPath(). Throws DataError
// listing every place looked at when none exists.
std::filesystem::path findResource(const std::string& relative);

}  // namespace scns
