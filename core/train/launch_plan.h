#pragma once
// Expanding one edited configuration into the runs to launch: a list of seeds and/or a
// small grid over any configuration fields, addressed by the dotted JSON keys the CLI's
// config files use (e.g. "optim.lr=0.1,0.2; contrastive.class.k=2,3").
#include <cstdint>
#include <string>
#include <vector>

#include "train/run_config.h"

namespace scns {

struct GridAxis {
    std::string key;                  // dotted JSON key, e.g. "contrastive.tau"
    std::vector<std::string> values;  // JSON literals ("0.1", "true") or bare strings ("class")
};

// "3", "0-4", "1, 2, 7-9" -> seeds in order. Empty text -> empty list (use the config's seed).
// Throws ConfigError on field "seeds".
std::vector<std::uint64_t> parseSeedList(const std::string& text);
// "key=v1,v2; key2=v3" -> axes. Empty text -> none. Throws ConfigError on field "grid".
std::vector<GridAxis> parseGrid(const std::string& text);

// Cartesian product of seeds x grid over `base`; each point validated by the same JSON reader
// as config files (ConfigError lists every problem, prefixed with the grid point). Honest
// about what varies:
//   - a grid key whose setting applies at no point (contrastive.sampler with the contrastive
//     term off) is an error on field "grid", not N identical runs under different names;
//   - at a point where a key does not apply (contrastive.class.k with the instance sampler) it
//     keeps base's value and is left out of the name, and points that are then the same run
//     are launched once.
// Several runs get names with their grid values and seed: base's name, or "dataset-network",
// then "-key=value" for each applicable key, then "-seedN". At most kMaxLaunch runs.
inline constexpr std::size_t kMaxLaunch = 512;
std::vector<RunConfig> expandLaunch(const RunConfig& base, const std::vector<std::uint64_t>& seeds,
                                    const std::vector<GridAxis>& grid);

// What a launch varies, for the question before it: "3 seeds (0, 1, 2) x optim.lr (0.1, 0.2)".
// Empty when it varies nothing.
std::string describeVariation(const std::vector<std::uint64_t>& seeds, const std::vector<GridAxis>& grid);

}  // namespace scns
