#include "editor/path_checks.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "data/dataset_registry.h"

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
    if (c.data.folder.empty()) {
        std::filesystem::path def;
        try {
            def = defaultDatasetFolder(c.data.dataset);
        } catch (const Error&) {
            // An unknown data set: validate() names it.
        }
        const auto known = knownDatasets();
        if (def.empty() && std::find(known.begin(), known.end(), c.data.dataset) != known.end())
            p.push_back({"data.folder", "\"\"", "the folder holding " + c.data.dataset + " (it has no default)"});
        else if (!def.empty() && !isFolder(def.string()))
            p.push_back({"data.folder", "\"\"", "a folder: the default " + def.string() + " does not exist"});
    } else if (!isFolder(c.data.folder)) {
        p.push_back({"data.folder", c.data.folder, "an existing folder"});
    }
    const bool contrastive = c.contrastive.enabled;
    if (contrastive && c.contrastive.similarity == "file" && !c.contrastive.similarityFile.empty()
        && !isFile(c.contrastive.similarityFile))
        p.push_back({"contrastive.class.similarity_file", c.contrastive.similarityFile, "an existing file"});
    if (contrastive && !c.contrastive.referenceWeights.empty() && !isFile(c.contrastive.referenceWeights))
        p.push_back({"contrastive.reference.weights", c.contrastive.referenceWeights, "an existing weights file"});
    if (c.distill.enabled() && !c.distill.teacherWeights.empty() && !isFile(c.distill.teacherWeights))
        p.push_back({"distill.teacher.weights", c.distill.teacherWeights, "an existing weights file"});
    return p;
}

}  // namespace scns
