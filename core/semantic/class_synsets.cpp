#include "semantic/class_synsets.h"

#include <fstream>
#include <unordered_map>

#include "common/choices.h"
#include "common/errors.h"
#include "semantic/resource_path.h"

namespace scns {

namespace {

std::string trim(const std::string& s)
{
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace

std::filesystem::path classSynsetTablePath(const std::string& dataset)
{
    return findResource("wordnet/" + dataset + ".tsv");
}

std::vector<std::pair<std::string, std::string>> readClassSynsetTable(const std::filesystem::path& file)
{
    std::ifstream in(file);
    if (!in)
        throw DataError(file.string() + ": expected a class-to-synset table, found no readable file");
    std::vector<std::pair<std::string, std::string>> rows;
    std::unordered_map<std::string, std::size_t> seen;
    std::string line;
    for (std::size_t lineNo = 1; std::getline(in, line); ++lineNo) {
        if (trim(line).empty() || trim(line).front() == '#')
            continue;
        const auto tab = line.find('\t');
        const std::string cls = tab == std::string::npos ? "" : trim(line.substr(0, tab));
        const std::string synset = tab == std::string::npos ? "" : trim(line.substr(tab + 1));
        if (cls.empty() || synset.empty() || synset.find('\t') != std::string::npos)
            throw DataError(file.string() + ":" + std::to_string(lineNo)
                            + ": expected 'class name<TAB>synset name', found '" + line + "'");
        if (const auto [it, fresh] = seen.emplace(cls, lineNo); !fresh)
            throw DataError(file.string() + ":" + std::to_string(lineNo) + ": expected each class once, found '"
                            + cls + "' again (first on line " + std::to_string(it->second) + ")");
        rows.emplace_back(cls, synset);
    }
    return rows;
}

std::vector<std::string> classSynsets(const std::string& dataset, const std::vector<std::string>& classNames)
{
    // Tiny-ImageNet's class ids are WordNet ids already.
    if (parseChoice<DatasetId>(dataset) == DatasetId::TinyImageNet)
        return classNames;
    const auto file = classSynsetTablePath(dataset);
    std::unordered_map<std::string, std::string> table;
    for (auto& [cls, synset] : readClassSynsetTable(file))
        table.emplace(std::move(cls), std::move(synset));
    std::vector<std::string> out;
    std::string missing;
    for (const auto& name : classNames) {
        const auto it = table.find(name);
        if (it == table.end())
            missing += (missing.empty() ? "'" : ", '") + name + "'";
        else
            out.push_back(it->second);
    }
    if (!missing.empty())
        throw DataError(file.string() + ": expected a row for every class of " + dataset
                        + ", found none for " + missing);
    return out;
}

std::vector<std::string> classSynsets(const std::string& dataset, const ImageSet& set)
{
    return classSynsets(dataset, set.classIds.empty() ? set.classNames : set.classIds);
}

}  // namespace scns
