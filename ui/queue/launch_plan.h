#pragma once
// Expanding one edited configuration into the runs to launch: a list of seeds and/or a
// small grid over any configuration fields, addressed by the dotted JSON keys the CLI's
// config files use (e.g. "optim.lr=0.1,0.2; contrastive.class.k=2,3").
#include <QString>

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
std::vector<std::uint64_t> parseSeedList(const QString& text);
// "key=v1,v2; key2=v3" -> axes. Empty text -> none. Throws ConfigError on field "grid".
std::vector<GridAxis> parseGrid(const QString& text);

// Cartesian product of seeds x grid over `base`; each point validated by the same JSON reader
// as config files (ConfigError lists every problem, prefixed with the grid point). With a
// name in `base`, points get "-seedN" / "-key=value" suffixes. At most kMaxLaunch runs.
inline constexpr std::size_t kMaxLaunch = 512;
std::vector<RunConfig> expandLaunch(const RunConfig& base, const std::vector<std::uint64_t>& seeds,
                                    const std::vector<GridAxis>& grid);

}  // namespace scns
