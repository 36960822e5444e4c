#include "train/launch_plan.h"

#include <algorithm>
#include <charconv>
#include <set>

#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "common/json_text.h"
#include "train/run_settings.h"

namespace scns {

using nlohmann::json;

namespace {

// The pieces of `text` between `separator`s, trimmed, empty ones left out.
std::vector<std::string> splitTrimmed(const std::string& text, char separator)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(separator, start);
        if (end == std::string::npos)
            end = text.size();
        std::string part = text.substr(start, end - start);
        const auto first = part.find_first_not_of(" \t\r\n");
        const auto last = part.find_last_not_of(" \t\r\n");
        if (first != std::string::npos)
            out.push_back(part.substr(first, last - first + 1));
        start = end + 1;
    }
    return out;
}

// A whole decimal number (no sign, no spaces) into `value`.
bool parseUnsigned(const std::string& text, std::uint64_t& value)
{
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::vector<std::uint64_t> parseSeedList(const std::string& text)
{
    std::vector<std::uint64_t> out;
    const auto bad = [&](const std::string& part) {
        return ConfigError({{"seeds", part, "seeds like 3, 0-4 or 1, 2, 7-9 (non-negative integers)"}});
    };
    for (const std::string& part : splitTrimmed(text, ',')) {
        const auto dash = part.find('-');
        std::uint64_t a = 0, b = 0;
        if (dash != std::string::npos && dash > 0) {
            const auto range = splitTrimmed(part.substr(0, dash) + "," + part.substr(dash + 1), ',');
            if (range.size() != 2 || !parseUnsigned(range[0], a) || !parseUnsigned(range[1], b) || b < a
                || b - a >= kMaxLaunch)
                throw bad(part);
            for (std::uint64_t s = a; s <= b; ++s)
                out.push_back(s);
        } else {
            if (!parseUnsigned(part, a))
                throw bad(part);
            out.push_back(a);
        }
    }
    return out;
}

std::vector<GridAxis> parseGrid(const std::string& text)
{
    std::vector<GridAxis> out;
    for (const std::string& part : splitTrimmed(text, ';')) {
        const auto eq = part.find('=');
        GridAxis axis;
        if (eq != std::string::npos && eq > 0) {
            const auto key = splitTrimmed(part.substr(0, eq), ';');
            axis.key = key.empty() ? std::string() : key.front();
            axis.values = splitTrimmed(part.substr(eq + 1), ',');
        }
        if (axis.key.empty() || axis.values.empty())
            throw ConfigError({{"grid", part, "key=value1,value2 (e.g. optim.lr=0.1,0.2)"}});
        out.push_back(std::move(axis));
    }
    return out;
}

namespace {

json literal(const std::string& text)
{
    if (jsonNestingDepth(text, kMaxJsonDepth) > kMaxJsonDepth)
        throw ConfigError({{"grid", text, "a value nested at most " + std::to_string(kMaxJsonDepth) + " levels deep"}});
    try {
        return json::parse(text);
    } catch (const json::parse_error&) {
        return json(text);  // a bare word such as class or cosine
    }
}

// Sets a dotted key in a JSON object; the config reader reports unknown keys as typos.
void setPath(json& root, const std::string& key, const json& value)
{
    json* node = &root;
    std::size_t start = 0;
    while (true) {
        const auto dot = key.find('.', start);
        const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (dot == std::string::npos) {
            (*node)[part] = value;
            return;
        }
        json& child = (*node)[part];
        if (!child.is_object())
            child = json::object();
        node = &child;
        start = dot + 1;
    }
}

}  // namespace

std::vector<RunConfig> expandLaunch(const RunConfig& base, const std::vector<std::uint64_t>& seeds,
                                    const std::vector<GridAxis>& grid)
{
    std::size_t total = seeds.empty() ? 1 : seeds.size();
    for (const auto& axis : grid) {
        total *= axis.values.size();
        if (total > kMaxLaunch)
            break;
    }
    if (total > kMaxLaunch)
        throw ConfigError({{"grid", std::to_string(total) + "+ runs", "at most " + std::to_string(kMaxLaunch) + " runs at once"}});

    std::vector<RunConfig> out;
    std::set<std::string> seen;                    // each distinct run once
    std::vector<bool> axisApplies(grid.size(), false);
    const std::size_t seedCount = seeds.empty() ? 1 : seeds.size();
    for (std::size_t n = 0; n < total; ++n) {
        std::vector<std::size_t> at(grid.size(), 0);
        std::size_t rest = n;
        for (std::size_t a = grid.size(); a-- > 0;) {
            at[a] = rest % grid[a].values.size();
            rest /= grid[a].values.size();
        }
        const auto read = [&](const std::vector<bool>& use, const std::string& where) {
            json j = toJson(base);
            for (std::size_t a = 0; a < grid.size(); ++a)
                if (use[a])
                    setPath(j, grid[a].key, literal(grid[a].values[at[a]]));
            if (!seeds.empty())
                j["seed"] = seeds[rest % seedCount];
            try {
                return runConfigFromJson(j);
            } catch (const ConfigError& e) {
                auto problems = e.problems();
                for (auto& p : problems)
                    p.expected += " (grid point" + where + ")";
                throw ConfigError(std::move(problems));
            }
        };
        std::string where;
        for (std::size_t a = 0; a < grid.size(); ++a)
            where += "-" + grid[a].key + "=" + grid[a].values[at[a]];
        // Which keys matter at this point: a key applies when its setting applies to the
        // point's configuration (unknown keys are reported by the reader).
        const RunConfig full = read(std::vector<bool>(grid.size(), true), where);
        std::vector<bool> use(grid.size(), true);
        for (std::size_t a = 0; a < grid.size(); ++a)
            if (const Setting* s = findSetting(grid[a].key); s && !s->appliesTo(full))
                use[a] = false;
        for (std::size_t a = 0; a < grid.size(); ++a)
            axisApplies[a] = axisApplies[a] || use[a];
        RunConfig c = std::find(use.begin(), use.end(), false) == use.end() ? full : read(use, where);

        if (total > 1) {
            std::string name = base.name.empty() ? toString(c.data.dataset) + "-" + c.arch : base.name;
            for (std::size_t a = 0; a < grid.size(); ++a)
                if (use[a])
                    name += "-" + grid[a].key + "=" + grid[a].values[at[a]];
            if (!seeds.empty() || base.name.empty())
                name += "-seed" + std::to_string(c.seed);
            c.name = name;
        }
        if (seen.insert(toJsonText(c)).second)
            out.push_back(std::move(c));
    }
    std::vector<FieldProblem> unused;
    for (std::size_t a = 0; a < grid.size(); ++a) {
        if (axisApplies[a])
            continue;
        const Setting* s = findSetting(grid[a].key);
        std::string values;
        for (const auto& v : grid[a].values)
            values += (values.empty() ? "" : ",") + v;
        unused.push_back({"grid", grid[a].key + "=" + values,
                          "a key that applies to these runs; " + grid[a].key + " applies only when "
                              + (s ? s->appliesWhen : std::string("its section is on"))
                              + " (switch that on or take the key out of the grid)"});
    }
    if (!unused.empty())
        throw ConfigError(std::move(unused));
    return out;
}

std::string describeVariation(const std::vector<std::uint64_t>& seeds, const std::vector<GridAxis>& grid)
{
    std::vector<std::string> parts;
    if (seeds.size() > 1) {
        std::string list;
        for (std::size_t i = 0; i < seeds.size() && i < 8; ++i)
            list += (i ? ", " : "") + std::to_string(seeds[i]);
        if (seeds.size() > 8)
            list += ", ...";
        parts.push_back(std::to_string(seeds.size()) + " seeds (" + list + ")");
    }
    for (const auto& axis : grid) {
        if (axis.values.size() < 2)
            continue;
        std::string list;
        for (const auto& v : axis.values)
            list += (list.empty() ? "" : ", ") + v;
        parts.push_back(axis.key + " (" + list + ")");
    }
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : " x ") + p;
    return out;
}

}  // namespace scns
