#include "train/run_config.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "common/json_text.h"
#include "common/message_text.h"
#include "train/json_fields.h"
#include "train/run_settings.h"

namespace scns {

using nlohmann::json;

namespace {

bool isFashionMnist(DatasetId dataset) { return dataset == DatasetId::FashionMnist; }

// Every object a setting key passes through ("contrastive", "contrastive.class", ...).
const std::set<std::string>& sectionKeys()
{
    static const std::set<std::string> sections = [] {
        std::set<std::string> out;
        for (const auto& s : runSettings())
            for (auto dot = s.key.find('.'); dot != std::string::npos; dot = s.key.find('.', dot + 1))
                out.insert(s.key.substr(0, dot));
        return out;
    }();
    return sections;
}

// Reads object `j` at `prefix` ("" or "contrastive."): settings into c, sections recursively,
// anything else is an unknown key. `given` collects the keys present (not null).
void readObject(const json& j, const std::string& prefix, RunConfig& c, std::vector<FieldProblem>& p,
                std::set<std::string>& given)
{
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string key = prefix + it.key();
        if (const Setting* s = findSetting(key)) {
            s->set(c, it.value(), p);
            if (!it->is_null())
                given.insert(key);
        } else if (sectionKeys().count(key)) {
            if (it->is_object())
                readObject(*it, key + ".", c, p, given);
            else if (!it->is_null())
                p.push_back({key, jsonForMessage(*it), "an object"});
        } else {
            p.push_back({key, jsonForMessage(*it), "no such field (a typo?)"});
        }
    }
}

void checkSettings(const RunConfig& c, std::vector<FieldProblem>& p)
{
    for (const auto& s : runSettings())
        if (s.appliesTo(c))
            s.check(c, p);
    checkSettingRelations(c, p);
}

}  // namespace

double DistillConfig::gamma() const { return ceWeight.value_or(method == DistillMethod::Kd ? 0.1 : 1.0); }
double DistillConfig::alpha() const
{
    return kdWeight.value_or(method == DistillMethod::Kd ? 0.9 : method == DistillMethod::CrdKd ? 1.0 : 0.0);
}
double DistillConfig::beta() const { return crdWeight.value_or(usesCrd() ? 0.8 : 0.0); }

std::int64_t DataConfig::resolvedCropPadding() const
{
    return cropPadding.value_or(isFashionMnist(dataset) ? 0 : 4);
}

bool DataConfig::resolvedFlip() const { return flip.value_or(!isFashionMnist(dataset)); }

std::string RunConfig::displayName() const
{
    if (!name.empty())
        return name;
    return toString(data.dataset) + "-" + arch + "-seed" + std::to_string(seed);
}

void RunConfig::validate() const
{
    std::vector<FieldProblem> p;
    checkSettings(*this, p);
    if (!p.empty())
        throw ConfigError(std::move(p));
}

std::uint64_t parseSeedText(const std::string& text, const std::string& field)
{
    std::uint64_t seed = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
        throw ConfigError({{field, text,
                            !text.empty() && text[0] == '-' ? "a non-negative integer (negative seeds are not allowed)"
                            : ec == std::errc::result_out_of_range ? "an integer in [0, 2^64 - 1] (the number overflows)"
                                                                   : "an integer in [0, 2^64 - 1]"}});
    return seed;
}

RunConfig runConfigFromJson(const json& j)
{
    std::vector<FieldProblem> p;
    RunConfig c;
    if (!j.is_object())
        throw ConfigError({{"(top level)", jsonForMessage(j, 60), "a JSON object"}});
    std::set<std::string> given;
    readObject(j, "", c, p, given);
    // A sampler or a crd method given without contrastive.enabled switches the term on (if the
    // file says otherwise, the relation check explains why a crd method needs it).
    applySectionSwitches(c, given);

    // Type problems first; range problems only make sense on well-typed values, but report
    // both kinds together so a user fixes a file in one pass.
    std::vector<FieldProblem> range;
    checkSettings(c, range);
    for (const auto& q : range) {
        const bool dup = std::any_of(p.begin(), p.end(), [&](const FieldProblem& x) { return x.field == q.field; });
        if (!dup)
            p.push_back(q);
    }
    if (!p.empty())
        throw ConfigError(std::move(p));
    return c;
}

RunConfig runConfigFromJsonText(const std::string& text, const std::string& source)
{
    return runConfigFromJson(parseJsonText(text, source));
}

RunConfig loadRunConfig(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ConfigError({{"config file", path, "a readable JSON file"}});
    std::stringstream buffer;
    buffer << in.rdbuf();
    return runConfigFromJsonText(buffer.str(), path);
}

json toJson(const RunConfig& c)
{
    json out = json::object();
    for (const auto& s : runSettings()) {
        json* at = &out;
        std::size_t start = 0;
        for (auto dot = s.key.find('.'); dot != std::string::npos; dot = s.key.find('.', start)) {
            at = &(*at)[s.key.substr(start, dot - start)];
            start = dot + 1;
        }
        (*at)[s.key.substr(start)] = s.get(c);
    }
    return out;
}

std::string toJsonText(const RunConfig& c) { return toJson(c).dump(2); }

}  // namespace scns
