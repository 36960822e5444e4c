#pragma once
// Comparing run configurations: JSON flattened to dotted keys ("contrastive.sampler"), the
// keys whose values differ between runs, and groups of runs that differ only by seed.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace scns {

// Leaves of a JSON object as "a.b.c" -> compact JSON text of the value (arrays are leaves).
std::map<std::string, std::string> flattenConfig(const nlohmann::json& config);
// Parses text first; text that is not JSON becomes one key "(config)" holding the text.
std::map<std::string, std::string> flattenConfigText(const std::string& configText);

struct ConfigDiffRow {
    std::string key;
    std::vector<std::string> values;  // one per run; empty string: the run lacks the key
};
// Keys (sorted) whose value is not the same in every run; a key missing in some runs
// differs. Fewer than two runs: no rows.
std::vector<ConfigDiffRow> diffConfigs(const std::vector<std::map<std::string, std::string>>& configs);

// Keys that do not define an experiment's group: the seed and the name (which is often
// generated from the seed).
bool isSeedKey(const std::string& key);

struct SeedGroup {
    std::vector<int> members;  // indices into the runs given, ascending
    std::string label;         // the group's values of the keys that differ between groups
};
// Runs whose configurations are equal apart from seed keys share a group; groups are in
// the order of their first member. Labels read "contrastive.sampler=class, epochs=3"; with
// one group, "all runs".
std::vector<SeedGroup> groupBySeed(const std::vector<std::map<std::string, std::string>>& configs);

}  // namespace scns
