#include "views/config_diff.h"

#include <nlohmann/json.hpp>
#include <set>

namespace scns {

namespace {

void flattenInto(const nlohmann::json& j, const std::string& prefix, std::map<std::string, std::string>& out)
{
    if (j.is_object() && !j.empty()) {
        for (auto it = j.begin(); it != j.end(); ++it)
            flattenInto(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
        return;
    }
    out[prefix.empty() ? std::string("(config)") : prefix] = j.dump();
}

std::map<std::string, std::string> withoutSeedKeys(const std::map<std::string, std::string>& config)
{
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : config)
        if (!isSeedKey(k))
            out.emplace(k, v);
    return out;
}

}  // namespace

std::map<std::string, std::string> flattenConfig(const nlohmann::json& config)
{
    std::map<std::string, std::string> out;
    flattenInto(config, "", out);
    return out;
}

std::map<std::string, std::string> flattenConfigText(const std::string& configText)
{
    const auto j = nlohmann::json::parse(configText, nullptr, false);
    if (j.is_discarded())
        return {{"(config)", configText}};
    return flattenConfig(j);
}

std::vector<ConfigDiffRow> diffConfigs(const std::vector<std::map<std::string, std::string>>& configs)
{
    std::vector<ConfigDiffRow> rows;
    if (configs.size() < 2)
        return rows;
    std::set<std::string> keys;
    for (const auto& c : configs)
        for (const auto& [k, v] : c)
            keys.insert(k);
    for (const auto& key : keys) {
        ConfigDiffRow row{key, {}};
        bool differs = false;
        for (const auto& c : configs) {
            auto it = c.find(key);
            row.values.push_back(it == c.end() ? std::string() : it->second);
            differs = differs || it == c.end() || row.values.back() != row.values.front();
        }
        if (differs)
            rows.push_back(std::move(row));
    }
    return rows;
}

bool isSeedKey(const std::string& key) { return key == "seed" || key == "name"; }

std::vector<SeedGroup> groupBySeed(const std::vector<std::map<std::string, std::string>>& configs)
{
    std::vector<SeedGroup> groups;
    std::vector<std::map<std::string, std::string>> keys;  // each group's configuration without seed keys
    for (int i = 0; i < static_cast<int>(configs.size()); ++i) {
        auto key = withoutSeedKeys(configs[static_cast<std::size_t>(i)]);
        std::size_t g = 0;
        while (g < keys.size() && keys[g] != key)
            ++g;
        if (g == keys.size()) {
            keys.push_back(std::move(key));
            groups.push_back({});
        }
        groups[g].members.push_back(i);
    }
    if (groups.size() == 1) {
        groups[0].label = "all runs";
        return groups;
    }
    const auto differing = diffConfigs(keys);
    for (std::size_t g = 0; g < groups.size(); ++g) {
        std::string label;
        for (const auto& row : differing) {
            if (!label.empty())
                label += ", ";
            label += row.key + "=" + (row.values[g].empty() ? std::string("(unset)") : row.values[g]);
        }
        groups[g].label = label;
    }
    return groups;
}

}  // namespace scns
