#include "semantic/resource_path.h"

#include <cstdlib>
#include <system_error>

#include "common/errors.h"

#ifndef SCNS_RESOURCE_DIR
#define SCNS_RESOURCE_DIR ""
#endif

namespace scns {

std::vector<std::filesystem::path> resourceSearchPath()
{
    std::vector<std::filesystem::path> out;
    if (const char* env = std::getenv("SCNS_RESOURCE_DIR"); env && *env)
        out.emplace_back(env);
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec)
        out.push_back(exe.parent_path().parent_path() / "share" / "scns-workbench" / "resources");
    if (const std::filesystem::path built = SCNS_RESOURCE_DIR; !built.empty())
        out.push_back(built);
    return out;
}

std::filesystem::path findResource(const std::string& relative)
{
    std::string looked;
    for (const auto& folder : resourceSearchPath()) {
        const auto candidate = folder / relative;
        std::error_code ec;
        if (std::filesystem::is_regular_file(candidate, ec))
            return candidate;
        looked += "\n  " + candidate.string();
    }
    throw DataError("resource " + relative + ": expected one of these files (set SCNS_RESOURCE_DIR to the "
                    "folder holding wordnet/), found none:" + looked);
}

}  // namespace scns
