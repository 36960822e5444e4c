#include "train/run_config.h"

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "data/dataset_registry.h"
#include "models/model_names.h"

namespace scns {

using nlohmann::json;

namespace {

bool isFashionMnist(const std::string& dataset) { return dataset == "fashion-mnist"; }

std::string joinNames(const std::vector<std::string>& names)
{
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

// Reads fields from one JSON object, remembering which keys it consumed and every type
// problem, so all problems of a file are reported together.
class FieldReader {
public:
    FieldReader(const json& object, std::string prefix, std::vector<FieldProblem>& problems)
        : m_object(object), m_prefix(std::move(prefix)), m_problems(problems)
    {
    }

    template <typename T>
    void read(const char* key, T& out, const char* expected)
    {
        m_seen.insert(key);
        auto it = m_object.find(key);
        if (it == m_object.end() || it->is_null())
            return;
        if (!matches<T>(*it)) {
            m_problems.push_back({m_prefix + key, it->dump(), expected});
            return;
        }
        out = it->template get<T>();
    }

    template <typename T>
    void readOptional(const char* key, std::optional<T>& out, const char* expected)
    {
        m_seen.insert(key);
        auto it = m_object.find(key);
        if (it == m_object.end() || it->is_null())
            return;
        T value{};
        read(key, value, expected);
        if (matches<T>(*it))
            out = value;
    }

    // Object member: returns it, or an empty object (recording a problem if not an object).
    json object(const char* key)
    {
        m_seen.insert(key);
        auto it = m_object.find(key);
        if (it == m_object.end() || it->is_null())
            return json::object();
        if (!it->is_object()) {
            m_problems.push_back({m_prefix + key, it->dump(), "an object"});
            return json::object();
        }
        return *it;
    }

    void reportUnknown()
    {
        for (auto it = m_object.begin(); it != m_object.end(); ++it)
            if (!m_seen.count(it.key()))
                m_problems.push_back({m_prefix + it.key(), it.value().dump(), "no such field (a typo?)"});
    }

private:
    template <typename T>
    static bool matches(const json& v)
    {
        if constexpr (std::is_same_v<T, bool>)
            return v.is_boolean();
        else if constexpr (std::is_same_v<T, std::string>)
            return v.is_string();
        else if constexpr (std::is_same_v<T, std::uint64_t>)
            return v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
        else if constexpr (std::is_integral_v<T>)
            return v.is_number_integer();
        else if constexpr (std::is_floating_point_v<T>)
            return v.is_number();
        else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) {
            if (!v.is_array())
                return false;
            for (const auto& e : v)
                if (!e.is_number_integer())
                    return false;
            return true;
        }
        return false;
    }

    const json& m_object;
    std::string m_prefix;
    std::vector<FieldProblem>& m_problems;
    std::set<std::string> m_seen;
};

template <typename T>
std::string str(const T& v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}

}  // namespace

std::int64_t DataConfig::resolvedCropPadding() const
{
    return cropPadding.value_or(isFashionMnist(dataset) ? 0 : 4);
}

bool DataConfig::resolvedFlip() const { return flip.value_or(!isFashionMnist(dataset)); }

std::string RunConfig::displayName() const
{
    if (!name.empty())
        return name;
    return data.dataset + "-" + arch + "-seed" + std::to_string(seed);
}

void RunConfig::validate() const
{
    std::vector<FieldProblem> p;
    const auto datasets = knownDatasets();
    if (std::find(datasets.begin(), datasets.end(), data.dataset) == datasets.end())
        p.push_back({"data.dataset", data.dataset, "one of " + joinNames(datasets)});
    if (data.trainPerClass < 0)
        p.push_back({"data.train_per_class", str(data.trainPerClass), "0 (all) or a positive count"});
    if (data.testPerClass < 0)
        p.push_back({"data.test_per_class", str(data.testPerClass), "0 (all) or a positive count"});
    if (data.cropPadding && (*data.cropPadding < 0 || *data.cropPadding > 16))
        p.push_back({"data.crop_padding", str(*data.cropPadding), "an integer in [0, 16]"});
    const auto archs = knownArchitectures();
    if (std::find(archs.begin(), archs.end(), arch) == archs.end())
        p.push_back({"model.arch", arch, "one of " + joinNames(archs)});
    if (optim.optimizer != "sgd")
        p.push_back({"optim.optimizer", optim.optimizer, "sgd"});
    if (!(optim.lr > 0 && optim.lr <= 10))
        p.push_back({"optim.lr", str(optim.lr), "a learning rate in (0, 10]"});
    if (!(optim.momentum >= 0 && optim.momentum < 1))
        p.push_back({"optim.momentum", str(optim.momentum), "a value in [0, 1)"});
    if (!(optim.weightDecay >= 0 && optim.weightDecay < 1))
        p.push_back({"optim.weight_decay", str(optim.weightDecay), "a value in [0, 1)"});
    if (optim.nesterov && optim.momentum <= 0)
        p.push_back({"optim.nesterov", "true", "false when momentum is 0 (Nesterov needs momentum)"});
    static const std::vector<std::string> kinds = {"constant", "multistep", "cosine", "onecycle"};
    if (std::find(kinds.begin(), kinds.end(), schedule.kind) == kinds.end())
        p.push_back({"schedule.kind", schedule.kind, "one of " + joinNames(kinds)});
    if (!(schedule.warmupEpochs >= 0 && schedule.warmupEpochs <= static_cast<double>(epochs)))
        p.push_back({"schedule.warmup_epochs", str(schedule.warmupEpochs),
                     "a value in [0, epochs = " + str(epochs) + "]"});
    for (std::size_t i = 0; i < schedule.milestones.size(); ++i) {
        const auto m = schedule.milestones[i];
        if (m <= 0 || m >= epochs || (i > 0 && m <= schedule.milestones[i - 1]))
            p.push_back({"schedule.milestones[" + str(i) + "]", str(m),
                         "strictly increasing epochs in (0, epochs = " + str(epochs) + ")"});
    }
    if (schedule.kind == "multistep" && schedule.milestones.empty())
        p.push_back({"schedule.milestones", "[]", "at least one epoch for a multistep schedule"});
    if (!(schedule.gamma > 0 && schedule.gamma <= 1))
        p.push_back({"schedule.gamma", str(schedule.gamma), "a factor in (0, 1]"});
    if (!(schedule.minLr >= 0 && (optim.lr <= 0 || schedule.minLr < optim.lr)))
        p.push_back({"schedule.min_lr", str(schedule.minLr), "a value in [0, optim.lr)"});
    if (epochs < 1 || epochs > 100000)
        p.push_back({"epochs", str(epochs), "an integer in [1, 100000]"});
    if (batchSize < 1 || batchSize > 65536)
        p.push_back({"batch_size", str(batchSize), "an integer in [1, 65536]"});
    if (evalBatchSize < 1 || evalBatchSize > 65536)
        p.push_back({"eval_batch_size", str(evalBatchSize), "an integer in [1, 65536]"});
    if (threads < 0 || threads > 1024)
        p.push_back({"threads", str(threads), "0 (all cores) or a thread count up to 1024"});
    const bool cudaDevice = device.rfind("cuda:", 0) == 0 && device.size() > 5
                            && device.find_first_not_of("0123456789", 5) == std::string::npos;
    if (device != "cpu" && device != "cuda" && !cudaDevice)
        p.push_back({"device", device, "cpu, cuda or cuda:N"});
    if (checkpoint.keep < 1)
        p.push_back({"checkpoint.keep", str(checkpoint.keep), "at least 1 (resume needs the newest)"});
    if (!p.empty())
        throw ConfigError(std::move(p));
}

RunConfig runConfigFromJson(const json& j)
{
    std::vector<FieldProblem> p;
    RunConfig c;
    if (!j.is_object())
        throw ConfigError({{"(top level)", j.dump().substr(0, 60), "a JSON object"}});
    FieldReader top(j, "", p);
    top.read("name", c.name, "a string");
    top.read("epochs", c.epochs, "an integer");
    top.read("batch_size", c.batchSize, "an integer");
    top.read("eval_batch_size", c.evalBatchSize, "an integer");
    top.read("seed", c.seed, "a non-negative integer");
    top.read("threads", c.threads, "an integer");
    top.read("device", c.device, "a string: cpu, cuda or cuda:N");

    const json data = top.object("data");
    FieldReader d(data, "data.", p);
    d.read("dataset", c.data.dataset, "a string");
    d.read("folder", c.data.folder, "a folder path");
    d.read("train_per_class", c.data.trainPerClass, "an integer");
    d.read("test_per_class", c.data.testPerClass, "an integer");
    d.readOptional("crop_padding", c.data.cropPadding, "an integer");
    d.readOptional("flip", c.data.flip, "true or false");
    d.read("prefetch", c.data.prefetch, "true or false");
    d.reportUnknown();

    const json model = top.object("model");
    FieldReader m(model, "model.", p);
    m.read("arch", c.arch, "a network name");
    m.reportUnknown();

    const json optim = top.object("optim");
    FieldReader o(optim, "optim.", p);
    o.read("optimizer", c.optim.optimizer, "a string");
    o.read("lr", c.optim.lr, "a number");
    o.read("momentum", c.optim.momentum, "a number");
    o.read("weight_decay", c.optim.weightDecay, "a number");
    o.read("nesterov", c.optim.nesterov, "true or false");
    o.reportUnknown();

    const json schedule = top.object("schedule");
    FieldReader s(schedule, "schedule.", p);
    s.read("kind", c.schedule.kind, "a string");
    s.read("warmup_epochs", c.schedule.warmupEpochs, "a number");
    s.read("milestones", c.schedule.milestones, "a list of integers");
    s.read("gamma", c.schedule.gamma, "a number");
    s.read("min_lr", c.schedule.minLr, "a number");
    s.reportUnknown();

    const json checkpoint = top.object("checkpoint");
    FieldReader k(checkpoint, "checkpoint.", p);
    k.read("keep", c.checkpoint.keep, "an integer");
    k.reportUnknown();
    top.reportUnknown();

    // Type problems first; range problems only make sense on well-typed values, but report
    // both kinds together so a user fixes a file in one pass.
    try {
        c.validate();
    } catch (const ConfigError& e) {
        for (const auto& q : e.problems()) {
            const bool dup = std::any_of(p.begin(), p.end(), [&](const FieldProblem& x) { return x.field == q.field; });
            if (!dup)
                p.push_back(q);
        }
    }
    if (!p.empty())
        throw ConfigError(std::move(p));
    return c;
}

RunConfig runConfigFromJsonText(const std::string& text, const std::string& source)
{
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        throw ConfigError({{source, "(file contents)", std::string("valid JSON: ") + e.what()}});
    }
    return runConfigFromJson(j);
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
    json data = {{"dataset", c.data.dataset},
                 {"folder", c.data.folder},
                 {"train_per_class", c.data.trainPerClass},
                 {"test_per_class", c.data.testPerClass},
                 {"prefetch", c.data.prefetch}};
    data["crop_padding"] = c.data.cropPadding ? json(*c.data.cropPadding) : json(nullptr);
    data["flip"] = c.data.flip ? json(*c.data.flip) : json(nullptr);
    return {{"name", c.name},
            {"data", data},
            {"model", {{"arch", c.arch}}},
            {"optim",
             {{"optimizer", c.optim.optimizer},
              {"lr", c.optim.lr},
              {"momentum", c.optim.momentum},
              {"weight_decay", c.optim.weightDecay},
              {"nesterov", c.optim.nesterov}}},
            {"schedule",
             {{"kind", c.schedule.kind},
              {"warmup_epochs", c.schedule.warmupEpochs},
              {"milestones", c.schedule.milestones},
              {"gamma", c.schedule.gamma},
              {"min_lr", c.schedule.minLr}}},
            {"epochs", c.epochs},
            {"batch_size", c.batchSize},
            {"eval_batch_size", c.evalBatchSize},
            {"seed", c.seed},
            {"threads", c.threads},
            {"device", c.device},
            {"checkpoint", {{"keep", c.checkpoint.keep}}}};
}

std::string toJsonText(const RunConfig& c) { return toJson(c).dump(2); }

}  // namespace scns
