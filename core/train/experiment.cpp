#include "train/experiment.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/errors.h"
#include "data/dataset_registry.h"
#include "store/run_store.h"
#include "train/json_fields.h"
#include "train/run_job.h"
#include "train/teacher.h"

namespace scns {

using nlohmann::json;

namespace {

struct TeacherRef {
    std::string weights, arch;
    std::int64_t runId = 0;
};

// Field problems of a nested configuration, renamed under `prefix`.
void collect(const std::string& prefix, const std::function<void()>& check, std::vector<FieldProblem>& problems)
{
    try {
        check();
    } catch (const ConfigError& e) {
        for (const auto& q : e.problems())
            problems.push_back({prefix + q.field, q.value, q.expected});
    }
}

bool validLabel(const std::string& s) { return !s.empty() && s.find('/') == std::string::npos; }

std::string canonical(const RunConfig& c) { return toJsonText(c); }

RunConfig studentConfigWith(const ExperimentConfig& x, std::size_t index, std::uint64_t seed, const TeacherRef& teacher)
{
    json cfg = x.base;
    cfg.merge_patch(x.student);
    cfg.merge_patch(x.students.at(index).overrides);
    cfg["seed"] = seed;
    cfg["name"] = x.name + "/" + x.students[index].label + "/seed" + std::to_string(seed);
    const auto distill = cfg.find("distill");
    if (distill != cfg.end() && distill->is_object()) {
        const auto method = distill->find("method");
        if (method != distill->end() && method->is_string()
            && parseChoice<DistillMethod>(method->get<std::string>()).value_or(DistillMethod::None) != DistillMethod::None)
            (*distill)["teacher"] = {{"weights", teacher.weights}, {"arch", teacher.arch}, {"run_id", teacher.runId}};
    }
    return runConfigFromJson(cfg);
}

}  // namespace

RunConfig ExperimentConfig::teacherConfig() const
{
    json cfg = base;
    cfg.merge_patch(teacherTrain);
    cfg["name"] = name + "/teacher";
    return runConfigFromJson(cfg);
}

RunConfig ExperimentConfig::studentConfig(std::size_t index, std::uint64_t seed) const
{
    return studentConfigWith(*this, index, seed, {"(the experiment's teacher)", "", 0});
}

ExperimentConfig experimentConfigFromJson(const json& j)
{
    if (!j.is_object())
        throw ConfigError({{"(top level)", jsonForMessage(j, 60), "a JSON object"}});
    std::vector<FieldProblem> p;
    ExperimentConfig x;
    JsonFieldReader top(j, "", p);
    top.read("name", x.name, "a string");
    if (!validLabel(x.name))
        p.push_back({"name", jsonForMessage(json(x.name)), "a non-empty experiment name without '/'"});
    x.base = top.object("base");
    x.student = top.object("student");

    const json teacher = top.object("teacher");
    JsonFieldReader t(teacher, "teacher.", p);
    int sources = 0;
    if (teacher.contains("train")) {
        x.teacherTrain = t.object("train");
        ++sources;
    }
    if (teacher.contains("run")) {
        const json& r = teacher.at("run");
        std::int64_t id = 0;
        if (r.is_number_integer() && (id = r.get<std::int64_t>()) > 0)
            x.teacherRun = std::to_string(id);
        else if (r.is_string() && !r.get<std::string>().empty())
            x.teacherRun = r.get<std::string>();
        else
            p.push_back({"teacher.run", jsonForMessage(r), "a run id or name"});
        t.any("run");
        ++sources;
    }
    t.read("weights", x.teacherWeights, "a weights file path");
    t.read("arch", x.teacherArch, "a network name");
    if (!x.teacherWeights.empty())
        ++sources;
    t.reportUnknown();
    if (sources != 1)
        p.push_back({"teacher", jsonForMessage(teacher, 80), "exactly one of train (an object), run (a stored run) or weights"});

    if (j.contains("students") && !j.at("students").is_array())
        p.push_back({"students", jsonForMessage(j.at("students"), 60), "a list of student settings"});
    top.any("students");
    std::set<std::string> labels;
    if (j.contains("students") && j.at("students").is_array()) {
        const json& list = j.at("students");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string where = "students[" + std::to_string(i) + "]";
            if (!list[i].is_object() || !list[i].contains("label") || !list[i].at("label").is_string()) {
                p.push_back({where, jsonForMessage(list[i], 60), "an object with a \"label\" and run settings"});
                continue;
            }
            StudentSetting s{list[i].at("label").get<std::string>(), list[i]};
            s.overrides.erase("label");
            if (!validLabel(s.label) || !labels.insert(s.label).second)
                p.push_back({where + ".label", jsonForMessage(json(s.label)), "a unique, non-empty label without '/'"});
            x.students.push_back(std::move(s));
        }
    }
    if (x.students.empty())
        p.push_back({"students", "[]", "at least one student setting"});

    std::vector<std::int64_t> seeds;
    top.read("seeds", seeds, "a list of non-negative integers");
    if (j.contains("seeds")) {
        std::set<std::int64_t> unique(seeds.begin(), seeds.end());
        if (seeds.empty() || unique.size() != seeds.size() || *unique.begin() < 0)
            p.push_back({"seeds", jsonForMessage(j.at("seeds")), "distinct non-negative integers, at least one"});
        else
            x.seeds.assign(seeds.begin(), seeds.end());
    }
    top.reportUnknown();

    // Every configuration the experiment will run, checked now.
    if (!x.teacherTrain.is_null())
        collect("teacher.train.", [&] {
            const RunConfig c = x.teacherConfig();
            if (c.distill.enabled())
                throw ConfigError({{"distill.method", toString(c.distill.method), "none for the teacher (it trains with cross-entropy)"}});
        }, p);
    std::string dataset;
    for (std::size_t i = 0; i < x.students.size(); ++i)
        collect("students[" + std::to_string(i) + "] (" + x.students[i].label + ").", [&] {
            const RunConfig c = x.studentConfig(i, x.seeds.front());
            const std::string name = toString(c.data.dataset);
            if (dataset.empty())
                dataset = name;
            else if (name != dataset)
                throw ConfigError({{"data.dataset", name, "the same data set for every student (" + dataset + ")"}});
        }, p);
    if (!p.empty())
        throw ConfigError(std::move(p));
    return x;
}

ExperimentConfig loadExperimentConfig(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ConfigError({{"experiment file", path, "a readable JSON file"}});
    std::stringstream buffer;
    buffer << in.rdbuf();
    const json j = parseJsonText(buffer.str(), path);
    try {
        return experimentConfigFromJson(j);
    } catch (const ConfigError& e) {
        std::vector<FieldProblem> named;
        for (const auto& q : e.problems())
            named.push_back({path + ": " + q.field, q.value, q.expected});
        throw ConfigError(std::move(named));
    }
}

namespace {

class Planner {
public:
    Planner(RunStore& store, const ExperimentConfig& x) : m_store(store), m_x(x), m_tag("experiment:" + x.name)
    {
        for (auto& r : store.listRuns())
            if (hasTag(r.tags) && !m_byName.emplace(r.name, r).second)
                throw StoreError(store.path().string() + ": several runs named '" + r.name + "' carry the tag " + m_tag
                                 + "; delete or rename all but one");
    }

    // The stored run of this experiment for `config`, or a new queued one.
    ExperimentRun plan(const std::string& role, const RunConfig& config, std::int64_t parent)
    {
        ExperimentRun run;
        run.role = role;
        run.seed = config.seed;
        run.name = config.displayName();
        const auto it = m_byName.find(run.name);
        if (it == m_byName.end()) {
            run.runId = createRun(m_store, config, parent);
            m_store.setTags(run.runId, m_tag);
            run.action = ExperimentRun::Action::Started;
            return run;
        }
        const RunRecord& r = it->second;
        run.runId = r.id;
        const RunConfig stored = runConfigFromJsonText(r.configJson, "run " + std::to_string(r.id) + " configuration");
        if (canonical(stored) != canonical(config))
            throw ConfigError({{"experiment " + m_x.name, run.name,
                                "the configuration stored with run " + std::to_string(r.id)
                                    + " (the file changed since it ran: rename the experiment, or delete run "
                                    + std::to_string(r.id) + ")"}});
        if (r.status == RunStatus::Running)
            throw StoreError("run " + std::to_string(r.id) + " (" + r.name + ") is running in process "
                             + std::to_string(r.ownerPid) + " on " + r.host + "; wait for it or stop it first");
        run.action = r.status == RunStatus::Finished ? ExperimentRun::Action::Reused
                     : r.status == RunStatus::Queued ? ExperimentRun::Action::Started
                                                     : ExperimentRun::Action::Resumed;
        if (run.action == ExperimentRun::Action::Reused) {
            run.result.outcome = RunOutcome::Finished;
            run.result.message = r.message;
        }
        return run;
    }

private:
    bool hasTag(const std::string& tags) const
    {
        std::stringstream s(tags);
        std::string t;
        while (std::getline(s, t, ','))
            if (t == m_tag)
                return true;
        return false;
    }

    RunStore& m_store;
    const ExperimentConfig& m_x;
    std::string m_tag;
    std::map<std::string, RunRecord> m_byName;
};

// The checkpoint a finished run leaves: its final epoch's file.
std::string finalCheckpoint(RunStore& store, std::int64_t runId, const std::string& why)
{
    const auto cp = store.latestCheckpoint(runId);
    if (!cp || !std::filesystem::exists(cp->path))
        throw CheckpointError("run " + std::to_string(runId) + " " + why + " has no checkpoint file on disk"
                              + (cp ? " (" + cp->path + " is missing)" : ""));
    return std::filesystem::absolute(cp->path).string();
}

}  // namespace

RunResult ExperimentObserver::execute(const std::filesystem::path& dbPath, std::int64_t runId, bool resume,
                                      std::stop_token stop)
{
    return executeRun(dbPath, runId, resume, trainingObserver(), std::move(stop));
}

ExperimentResult runExperiment(const std::filesystem::path& dbPath, const ExperimentConfig& x,
                               ExperimentObserver& observer, std::stop_token stop)
{
    ExperimentResult out;
    std::vector<ExperimentRun> plan;
    TeacherRef teacher;
    const RunConfig firstStudent = x.studentConfig(0, x.seeds.front());
    {
        RunStore store(dbPath);
        Planner planner(store, x);
        if (!x.teacherTrain.is_null()) {
            const RunConfig tc = x.teacherConfig();
            if (tc.data.dataset != firstStudent.data.dataset)
                throw ConfigError({{"teacher.train.data.dataset", toString(tc.data.dataset),
                                    "the students' data set (" + toString(firstStudent.data.dataset) + ")"}});
            plan.push_back(planner.plan("teacher", tc, 0));
            if (plan[0].action == ExperimentRun::Action::Reused)
                finalCheckpoint(store, plan[0].runId, "(the experiment's finished teacher)");
            // Known before it trains: the file of its last epoch.
            teacher = {(std::filesystem::absolute(checkpointDirFor(dbPath, plan[0].runId))
                        / ("epoch-" + std::to_string(tc.epochs) + ".pt"))
                           .string(),
                       tc.arch, plan[0].runId};
        } else if (!x.teacherRun.empty()) {
            const RunRecord r = store.resolveRun(x.teacherRun);
            if (r.status != RunStatus::Finished)
                throw ConfigError({{"teacher.run", x.teacherRun,
                                    "a finished run: run " + std::to_string(r.id) + " is " + toString(r.status)
                                        + " (a teacher still training or stopped cannot teach; finish it with scns resume "
                                        + std::to_string(r.id) + ")"}});
            const RunConfig tc = runConfigFromJsonText(r.configJson, "run " + std::to_string(r.id) + " configuration");
            if (tc.data.dataset != firstStudent.data.dataset)
                throw ConfigError({{"teacher.run", x.teacherRun,
                                    "a run on the students' data set " + toString(firstStudent.data.dataset) + " (run "
                                        + std::to_string(r.id) + " trained on " + toString(tc.data.dataset) + ")"}});
            teacher = {finalCheckpoint(store, r.id, "(the teacher)"), tc.arch, r.id};
        } else {
            teacher = {std::filesystem::absolute(x.teacherWeights).string(), x.teacherArch, 0};
        }
        if (x.teacherTrain.is_null()) {
            // An existing teacher must fit the students' data before anything trains.
            DistillConfig d;
            d.method = DistillMethod::Kd;
            d.teacherWeights = teacher.weights;
            d.teacherArch = teacher.arch;
            const ImageSet test = loadDataset(toString(firstStudent.data.dataset), firstStudent.data.folder, Split::Test);
            Teacher(d, toString(firstStudent.data.dataset), test, c10::kCPU);
        }
        for (std::size_t i = 0; i < x.students.size(); ++i)
            for (const auto seed : x.seeds)
                plan.push_back(planner.plan(x.students[i].label, studentConfigWith(x, i, seed, teacher), teacher.runId));
    }

    const std::size_t total = plan.size();
    for (std::size_t k = 0; k < total; ++k) {
        ExperimentRun& run = plan[k];
        observer.onRunPlanned(run, k + 1, total);
        if (run.action != ExperimentRun::Action::Reused) {
            if (stop.stop_requested()) {
                out.cancelled = true;
                break;
            }
            run.result = observer.execute(dbPath, run.runId, run.action == ExperimentRun::Action::Resumed, stop);
        }
        observer.onRunDone(run);
        out.runs.push_back(run);
        if (run.result.outcome == RunOutcome::Cancelled) {
            out.cancelled = true;
            break;
        }
        if (run.role == "teacher" && k == 0 && !x.teacherTrain.is_null() && run.result.outcome != RunOutcome::Finished)
            break;  // students cannot learn from a teacher that did not finish
    }
    return out;
}

}  // namespace scns
