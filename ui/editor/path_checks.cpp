#include "editor/path_checks.h"

#include <filesystem>
#include <system_error>

#include <nlohmann/json.hpp>

#include "data/dataset_registry.h"
#include "train/run_settings.h"

namespace scns {

namespace {

bool isFile(const std::string& path)
{
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

bool isFolder(const std::string& path)
{
    std::error_code ec;
    return std::filesystem::is_directory(path, ec);
}

}  // namespace

std::vector<FieldProblem> checkPaths(const RunConfig& c)
{
    std::vector<FieldProblem> p;
    const std::string dataset = toString(c.data.dataset);
    if (c.data.folder.empty()) {
        const std::filesystem::path def = defaultDatasetFolder(dataset);
        if (def.empty())
            p.push_back({"data.folder", "\"\"", "the folder holding " + dataset + " (it has no default)"});
        else if (!isFolder(def.string()))
            p.push_back({"data.folder", "\"\"", "a folder: the default " + def.string() + " does not exist"});
    }
    // Every file and folder setting that applies and is given must exist.
    for (const Setting& s : runSettings()) {
        const bool file = s.type == SettingType::File;
        if ((!file && s.type != SettingType::Folder) || !s.appliesTo(c))
            continue;
        const std::string path = s.get(c).get<std::string>();
        if (!path.empty() && !(file ? isFile(path) : isFolder(path)))
            p.push_back({s.key, path, file ? "an existing file" : "an existing folder"});
    }
    return p;
}

}  // namespace scns
