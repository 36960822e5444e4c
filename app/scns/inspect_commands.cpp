// `scns runs`, `scns show RUN`, `scns export RUN`.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common/errors.h"
#include "common/message_text.h"
#include "store/run_store.h"
#include "train/run_config.h"
#include "train/trainer.h"

namespace scns::cli {

namespace {

using nlohmann::json;

std::optional<double> lastValue(const RunStore& store, std::int64_t runId, const std::string& name)
{
    const auto rows = store.metrics(runId, name);
    if (rows.empty())
        return std::nullopt;
    return rows.back().value;
}

json configOf(const RunRecord& r)
{
    try {
        return json::parse(r.configJson);
    } catch (const json::exception&) {
        return json(r.configJson);
    }
}

// Stored text on a terminal: names, tags and paths come from users and files, so control
// characters (a run named "\x1b[2J" would clear the screen) and bad UTF-8 print as escapes.
std::string shown(const std::string& s)
{
    return escapeControl(s);
}

std::string fieldOr(const json& j, const char* group, const char* key)
{
    if (group && j.contains(group) && j[group].contains(key) && j[group][key].is_string())
        return j[group][key].get<std::string>();
    if (!group && j.contains(key) && j[key].is_string())
        return j[key].get<std::string>();
    return "?";
}

std::string cell(const std::optional<double>& v, const char* fmt = "%.2f")
{
    if (!v)
        return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, fmt, *v);
    return buf;
}

// Per-epoch values of the epoch-level metrics, keyed by epoch.
std::map<std::int64_t, std::map<std::string, double>> epochTable(const RunStore& store, std::int64_t runId)
{
    std::map<std::int64_t, std::map<std::string, double>> t;
    for (const char* name : {metric::kTrainEpochLoss, metric::kTrainTop1, metric::kTestLoss, metric::kTestTop1,
                             metric::kTestTop5, metric::kEpochSeconds, metric::kImagesPerSecond})
        for (const auto& row : store.metrics(runId, name))
            t[row.epoch][name] = row.value;
    return t;
}

json recordJson(const RunRecord& r)
{
    return {{"id", r.id},
            {"name", r.name},
            {"status", toString(r.status)},
            {"created_at", r.createdAt},
            {"started_at", r.startedAt},
            {"finished_at", r.finishedAt},
            {"seed", r.seed},
            {"program_version", r.programVersion},
            {"host", r.host},
            {"message", r.message},
            {"parent_run_id", r.parentRunId},
            {"notes", r.notes},
            {"tags", r.tags}};
}

void printContrastive(const RunStore& store, std::int64_t runId)
{
    const auto sims = store.classSimilarities(runId);
    if (!sims.empty()) {
        const auto& last = sims.back();
        std::printf("\nclass similarity: %zu matri%s recorded (", sims.size(), sims.size() == 1 ? "x" : "ces");
        for (std::size_t i = 0; i < sims.size(); ++i)
            std::printf("%s%s@%lld", i ? ", " : "", sims[i].source.c_str(), static_cast<long long>(sims[i].epoch));
        std::printf(")\nlatest: source %s, epoch %lld\n", last.source.c_str(), static_cast<long long>(last.epoch));
        const std::size_t c = last.classNames.size();
        if (c <= 20) {
            std::printf("%14s", "");
            for (std::size_t j = 0; j < c; ++j)
                std::printf(" %6.6s", last.classNames[j].c_str());
            std::printf("\n");
            for (std::size_t i = 0; i < c; ++i) {
                std::printf("%14.14s", last.classNames[i].c_str());
                for (std::size_t j = 0; j < c; ++j)
                    std::printf(" %6.3f", last.matrix[i * c + j]);
                std::printf("\n");
            }
        } else {
            std::printf("(%zu x %zu; scns export RUN --table similarity writes it)\n", c, c);
        }
    }
    std::map<std::int64_t, std::map<std::string, double>> stats;
    for (const char* name : {metric::kContrastiveEpochLoss, metric::kNegativeCosine, metric::kTopKClassShare,
                             metric::kSameClassShare, metric::kFromTopKShare})
        for (const auto& row : store.metrics(runId, name))
            stats[row.epoch][name] = row.value;
    if (!stats.empty()) {
        std::printf("\n%6s  %10s  %12s  %12s  %12s  %12s\n", "epoch", "L_con", "neg cosine", "top-k class",
                    "same class", "from top-k");
        for (const auto& [epoch, v] : stats) {
            auto get = [&](const char* n) -> std::optional<double> {
                auto it = v.find(n);
                return it == v.end() ? std::nullopt : std::optional<double>(it->second);
            };
            std::printf("%6lld  %10s  %12s  %12s  %12s  %12s\n", static_cast<long long>(epoch),
                        cell(get(metric::kContrastiveEpochLoss), "%.4f").c_str(),
                        cell(get(metric::kNegativeCosine), "%.4f").c_str(), cell(get(metric::kTopKClassShare), "%.3f").c_str(),
                        cell(get(metric::kSameClassShare), "%.3f").c_str(), cell(get(metric::kFromTopKShare), "%.3f").c_str());
        }
    }
    const auto probes = store.probeNegatives(runId);
    if (!probes.empty()) {
        const auto lastEpoch = probes.back().epoch;
        const auto anchor = probes.back().anchorIndex;
        std::printf("\nprobe negatives: %zu rows; epoch %lld, anchor %lld (class %lld):\n", probes.size(),
                    static_cast<long long>(lastEpoch), static_cast<long long>(anchor),
                    static_cast<long long>(probes.back().anchorClass));
        int shown = 0;
        for (const auto& p : probes) {
            if (p.epoch != lastEpoch || p.anchorIndex != anchor || shown >= 12)
                continue;
            ++shown;
            if (p.kind == "pseudo")
                std::printf("  pseudo   mix of %lld and %lld, lambda %.3f, cosine %.3f\n", static_cast<long long>(p.sourceA),
                            static_cast<long long>(p.sourceB), p.lambda, p.similarity);
            else
                std::printf("  sample %6lld  class %3lld  cosine %.3f  %s\n", static_cast<long long>(p.sampleIndex),
                            static_cast<long long>(p.sampleClass), p.similarity, p.fromTopK ? "top-k" : "uniform");
        }
    }
}

}  // namespace

void addRunsCommand(CLI::App& app, const GlobalOptions& global, int& exitCode)
{
    CLI::App* cmd = app.add_subcommand("runs", "List the runs in the database");
    cmd->callback([&global, &exitCode] {
        RunStore store(global.dbPath(), StoreAccess::View);
        if (store.isReadOnly())
            std::fprintf(stderr, "scns: %s cannot be written; showing it read-only\n", store.path().c_str());
        const auto runs = store.listRuns();
        if (runs.empty()) {
            std::printf("no runs in %s yet; start one with: scns train\n", store.path().c_str());
            return;
        }
        std::printf("%5s  %-32s  %-11s  %-13s  %-10s  %7s  %7s  %s\n", "id", "name", "status", "dataset", "arch", "epochs",
                    "top-1", "created");
        const auto finalTop1 = store.lastValues(metric::kTestTop1);  // one indexed pass for all runs
        for (const auto& r : runs) {
            const json c = configOf(r);
            std::optional<double> top1;
            if (const auto found = finalTop1.find(r.id); found != finalTop1.end())
                top1 = found->second;
            const auto epochsDone = store.latestCheckpoint(r.id);
            const std::string epochs = std::to_string(epochsDone ? epochsDone->epoch : 0) + "/"
                                       + (c.contains("epochs") ? c["epochs"].dump() : "?");
            std::printf("%5lld  %-32.32s  %-11s  %-13s  %-10s  %7s  %7s  %s\n", static_cast<long long>(r.id),
                        shown(r.name).c_str(), toString(r.status).c_str(), shown(fieldOr(c, "data", "dataset")).c_str(),
                        shown(fieldOr(c, "model", "arch")).c_str(), shown(epochs).c_str(), cell(top1).c_str(),
                        shown(r.createdAt).c_str());
        }
        exitCode = kOk;
    });
}

void addShowCommand(CLI::App& app, const GlobalOptions& global, int& exitCode)
{
    auto run = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("show", "Show one run: status, configuration, per-epoch results, checkpoints");
    cmd->add_option("run", *run, "Run id or name")->required();
    cmd->callback([run, &global, &exitCode] {
        RunStore store(global.dbPath(), StoreAccess::View);
        const RunRecord r = store.resolveRun(*run);
        std::printf("run %lld: %s\n  status    %s%s%s\n  created   %s\n  started   %s\n  finished  %s\n"
                    "  seed      %lld\n  host      %s\n  version   %s\n",
                    static_cast<long long>(r.id), shown(r.name).c_str(), toString(r.status).c_str(),
                    r.message.empty() ? "" : ": ", shown(r.message).c_str(), shown(r.createdAt).c_str(),
                    r.startedAt.empty() ? "-" : shown(r.startedAt).c_str(),
                    r.finishedAt.empty() ? "-" : shown(r.finishedAt).c_str(), static_cast<long long>(r.seed),
                    shown(r.host).c_str(), shown(r.programVersion).c_str());
        if (!r.notes.empty())
            std::printf("  notes     %s\n", shown(r.notes).c_str());
        if (!r.tags.empty())
            std::printf("  tags      %s\n", shown(r.tags).c_str());
        if (r.parentRunId != 0)
            std::printf("  parent    run %lld\n", static_cast<long long>(r.parentRunId));
        // The stored configuration, read as any configuration is (one this program cannot
        // read is still printed whole below).
        std::optional<RunConfig> parsed;
        try {
            parsed = runConfigFromJsonText(r.configJson, "run " + std::to_string(r.id) + " configuration");
        } catch (const Error&) {
        }
        if (parsed && parsed->distill.enabled()) {
            const auto top1 = lastValue(store, r.id, metric::kTeacherTestTop1);
            std::printf("  distill   %s from teacher %s%s\n", toString(parsed->distill.method).c_str(),
                        shown(parsed->distill.teacherWeights).c_str(),
                        top1 ? (" (test top-1 " + cell(top1) + "%)").c_str() : "");
        }
        // JSON escapes control characters itself; replace keeps a stored name with bad UTF-8
        // from throwing nlohmann's type_error.316 here.
        std::printf("\nconfiguration:\n%s\n", configOf(r).dump(2, ' ', false, json::error_handler_t::replace).c_str());

        const auto table = epochTable(store, r.id);
        if (!table.empty()) {
            std::printf("\n%6s  %10s  %9s  %9s  %9s  %9s  %8s  %8s\n", "epoch", "train loss", "train top1", "test loss",
                        "test top1", "test top5", "seconds", "img/s");
            for (const auto& [epoch, v] : table) {
                auto get = [&](const char* n) -> std::optional<double> {
                    auto it = v.find(n);
                    return it == v.end() ? std::nullopt : std::optional<double>(it->second);
                };
                std::printf("%6lld  %10s  %9s  %9s  %9s  %9s  %8s  %8s\n", static_cast<long long>(epoch),
                            cell(get(metric::kTrainEpochLoss), "%.4f").c_str(), cell(get(metric::kTrainTop1)).c_str(),
                            cell(get(metric::kTestLoss), "%.4f").c_str(), cell(get(metric::kTestTop1)).c_str(),
                            cell(get(metric::kTestTop5)).c_str(), cell(get(metric::kEpochSeconds), "%.1f").c_str(),
                            cell(get(metric::kImagesPerSecond), "%.0f").c_str());
            }
        }
        printContrastive(store, r.id);
        const auto cps = store.checkpoints(r.id);
        if (!cps.empty()) {
            std::printf("\ncheckpoints:\n");
            for (const auto& cp : cps)
                std::printf("  epoch %3lld  %s%s\n", static_cast<long long>(cp.epoch), shown(cp.path).c_str(),
                            std::filesystem::exists(cp.path) ? "" : "  (pruned)");
        }
        std::printf("\nmetrics recorded: ");
        for (const auto& name : store.metricNames(r.id))
            std::printf("%s ", shown(name).c_str());
        std::printf("\n");
        exitCode = kOk;
    });
}

void addExportCommand(CLI::App& app, const GlobalOptions& global, int& exitCode)
{
    struct Args {
        std::string run, format = "csv", output, table = "metrics";
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("export", "Export a run's metrics (CSV) or the whole run (JSON)");
    cmd->add_option("run", args->run, "Run id or name")->required();
    cmd->add_option("--format,-f", args->format, "csv or json")->check(CLI::IsMember({"csv", "json"}));
    cmd->add_option("--output,-o", args->output, "Output file (default: standard output)");
    cmd->add_option("--table,-t", args->table, "CSV only: metrics, similarity, negatives or confusion")
        ->check(CLI::IsMember({"metrics", "similarity", "negatives", "confusion"}));
    cmd->callback([args, &global, &exitCode] {
        RunStore store(global.dbPath(), StoreAccess::View);
        const RunRecord r = store.resolveRun(args->run);
        const auto rows = store.metrics(r.id);
        std::ostringstream out;
        out.precision(10);
        // What the file holds, for the line on standard error: data rows of the CSV table, or
        // the parts of the JSON document.
        std::string written;
        std::size_t count = 0;
        if (args->format == "csv" && args->table == "metrics") {
            out << "run_id,epoch,step,name,value\n";
            for (const auto& m : rows)
                out << r.id << ',' << m.epoch << ',' << m.step << ',' << m.name << ',' << m.value << '\n';
            count = rows.size();
            written = "metric rows";
        } else if (args->format == "csv" && args->table == "similarity") {
            out << "run_id,epoch,source,row_class,column_class,value\n";
            for (const auto& sim : store.classSimilarities(r.id)) {
                const std::size_t c = sim.classNames.size();
                for (std::size_t i = 0; i < c; ++i)
                    for (std::size_t j = 0; j < c; ++j)
                        out << r.id << ',' << sim.epoch << ',' << sim.source << ",\"" << sim.classNames[i] << "\",\""
                            << sim.classNames[j] << "\"," << sim.matrix[i * c + j] << '\n';
                count += c * c;
            }
            written = "class similarity rows";
        } else if (args->format == "csv" && args->table == "confusion") {
            out << "run_id,epoch,true_class,predicted_class,count\n";
            for (const auto& m : store.testConfusions(r.id)) {
                const std::size_t c = m.classNames.size();
                for (std::size_t i = 0; i < c; ++i)
                    for (std::size_t j = 0; j < c; ++j)
                        out << r.id << ',' << m.epoch << ",\"" << m.classNames[i] << "\",\"" << m.classNames[j] << "\","
                            << m.counts[i * c + j] << '\n';
                count += c * c;
            }
            written = "test confusion rows";
        } else if (args->format == "csv") {
            out << "run_id,epoch,anchor_index,anchor_class,slot,kind,sample_index,sample_class,similarity,from_topk,"
                   "source_a,source_b,lambda\n";
            for (const auto& p : store.probeNegatives(r.id)) {
                out << r.id << ',' << p.epoch << ',' << p.anchorIndex << ',' << p.anchorClass << ',' << p.slot << ','
                    << p.kind << ',' << p.sampleIndex << ',' << p.sampleClass << ',' << p.similarity << ','
                    << (p.fromTopK ? 1 : 0) << ',' << p.sourceA << ',' << p.sourceB << ',' << p.lambda << '\n';
                ++count;
            }
            written = "probe negative rows";
        } else {
            json metrics = json::array();
            for (const auto& m : rows)
                metrics.push_back({{"epoch", m.epoch}, {"step", m.step}, {"name", m.name}, {"value", m.value}});
            json cps = json::array();
            for (const auto& cp : store.checkpoints(r.id))
                cps.push_back({{"epoch", cp.epoch}, {"path", cp.path}, {"created_at", cp.createdAt}});
            json sims = json::array();
            for (const auto& sim : store.classSimilarities(r.id))
                sims.push_back({{"epoch", sim.epoch}, {"source", sim.source}, {"class_names", sim.classNames},
                                {"matrix", sim.matrix}});
            json probes = json::array();
            for (const auto& p : store.probeNegatives(r.id))
                probes.push_back({{"epoch", p.epoch}, {"anchor_index", p.anchorIndex}, {"anchor_class", p.anchorClass},
                                  {"slot", p.slot}, {"kind", p.kind}, {"sample_index", p.sampleIndex},
                                  {"sample_class", p.sampleClass}, {"similarity", p.similarity},
                                  {"from_topk", p.fromTopK}, {"source_a", p.sourceA}, {"source_b", p.sourceB},
                                  {"lambda", p.lambda}});
            json confusion = json::array();
            for (const auto& m : store.testConfusions(r.id))
                confusion.push_back({{"epoch", m.epoch}, {"class_names", m.classNames}, {"counts", m.counts}});
            json doc = {{"run", recordJson(r)},     {"config", configOf(r)},         {"metrics", metrics},
                        {"checkpoints", cps},       {"class_similarity", sims},      {"probe_negatives", probes},
                        {"test_confusion", confusion}};
            out << doc.dump(2) << '\n';
            written = "JSON document (" + std::to_string(metrics.size()) + " metric rows, " + std::to_string(cps.size())
                      + " checkpoints, " + std::to_string(sims.size()) + " class similarity matrices, "
                      + std::to_string(probes.size()) + " probe negatives, " + std::to_string(confusion.size())
                      + " test confusion matrices)";
        }
        if (args->output.empty()) {
            std::cout << out.str();
        } else {
            std::ofstream file(args->output, std::ios::binary);
            if (!file || !(file << out.str()))
                throw Error(args->output + ": cannot write the export file");
            if (args->format == "json")
                std::fprintf(stderr, "wrote run %lld as a %s to %s\n", static_cast<long long>(r.id), written.c_str(),
                             args->output.c_str());
            else
                std::fprintf(stderr, "wrote %zu %s of run %lld to %s\n", count, written.c_str(),
                             static_cast<long long>(r.id), args->output.c_str());
        }
        exitCode = kOk;
    });
}

}  // namespace scns::cli
