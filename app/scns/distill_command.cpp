// `scns distill --config FILE`: a teacher, then students x seeds, as linked runs.
#include <cmath>
#include <cstdio>
#include <map>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "common/errors.h"
#include "distributed_launch.h"
#include "progress_printer.h"
#include "store/run_store.h"
#include "train/experiment.h"
#include "train/run_job.h"
#include "train/trainer.h"

namespace scns::cli {

namespace {

const char* actionText(ExperimentRun::Action a)
{
    switch (a) {
    case ExperimentRun::Action::Reused: return "finished before, kept";
    case ExperimentRun::Action::Resumed: return "resuming from its last checkpoint";
    case ExperimentRun::Action::Started: return "starting";
    }
    return "";
}

class ExperimentPrinter final : public ExperimentObserver {
public:
    explicit ExperimentPrinter(std::stop_source& stop) : m_progress(stop) {}
    void onRunPlanned(const ExperimentRun& run, std::size_t index, std::size_t total) override
    {
        std::printf("[%zu/%zu] %s seed %llu: run %lld %s, %s\n", index, total, run.role.c_str(),
                    static_cast<unsigned long long>(run.seed), static_cast<long long>(run.runId), run.name.c_str(),
                    actionText(run.action));
        std::fflush(stdout);
    }
    TrainingObserver& trainingObserver() override { return m_progress; }
    // A run of several processes (the experiment's distributed.processes) starts them here.
    RunResult execute(const std::filesystem::path& db, std::int64_t runId, bool resume, std::stop_token stop) override
    {
        RunConfig config;
        {
            RunStore store(db);
            config =
                runConfigFromJsonText(store.run(runId).configJson, "run " + std::to_string(runId) + " configuration");
        }
        if (config.distributed.processes <= 1)
            return ExperimentObserver::execute(db, runId, resume, std::move(stop));
        RunOptions options;
        options.resume = resume;
        runStoredRun(db, runId, options, config.distributed.processes, config.distributed.timeoutSeconds);
        return recordedResult(db, runId);
    }

private:
    ProgressPrinter m_progress;
};

void printSummary(const std::filesystem::path& db, const ExperimentResult& result)
{
    RunStore store(db);
    const auto finalTop1 = store.lastValues(metric::kTestTop1);  // each run's last test/top1 row
    std::vector<std::string> order;
    std::map<std::string, std::vector<double>> byRole;
    std::map<std::string, int> notFinished;
    for (const auto& run : result.runs) {
        if (!byRole.count(run.role) && !notFinished.count(run.role))
            order.push_back(run.role);
        if (run.result.outcome == RunOutcome::Finished)
            byRole[run.role].push_back(finalTop1.count(run.runId) ? finalTop1.at(run.runId) : NAN);
        else
            ++notFinished[run.role];
    }
    std::printf("\n%-24s %5s %12s %8s   (final test top-1, %%)\n", "setting", "runs", "mean", "sd");
    for (const auto& role : order) {
        const auto& v = byRole[role];
        double mean = 0, var = 0;
        for (double x : v)
            mean += x / static_cast<double>(v.size());
        for (double x : v)
            var += (x - mean) * (x - mean) / std::max<double>(1.0, static_cast<double>(v.size()) - 1.0);
        std::printf("%-24s %5zu %12.2f %8.2f%s\n", role.c_str(), v.size(), v.empty() ? NAN : mean,
                    v.size() > 1 ? std::sqrt(var) : NAN,
                    notFinished.count(role) ? ("   (" + std::to_string(notFinished[role]) + " not finished)").c_str() : "");
    }
}

}  // namespace

void addDistillCommand(CLI::App& app, const GlobalOptions& global, int& exitCode)
{
    auto file = std::make_shared<std::string>();
    auto dryRun = std::make_shared<bool>(false);
    CLI::App* cmd = app.add_subcommand(
        "distill", "Run (or continue) a distillation experiment: a teacher, then each student setting for each seed");
    cmd->add_option("--config,-c", *file, "Experiment JSON file (see docs/distillation.md)")->required();
    cmd->add_flag("--dry-run", *dryRun, "Check the file and list the runs' settings, train nothing");
    cmd->callback([file, dryRun, &global, &exitCode] {
        const ExperimentConfig x = loadExperimentConfig(*file);
        if (*dryRun) {
            std::printf("experiment %s: %zu student settings x %zu seeds, teacher %s\n", x.name.c_str(), x.students.size(),
                        x.seeds.size(),
                        !x.teacherTrain.is_null() ? ("trained here (" + x.teacherConfig().arch + ")").c_str()
                        : !x.teacherRun.empty()   ? ("stored run " + x.teacherRun).c_str()
                                                  : x.teacherWeights.c_str());
            for (std::size_t i = 0; i < x.students.size(); ++i) {
                const RunConfig c = x.studentConfig(i, x.seeds.front());
                std::printf("  %-20s %-12s distill %-7s sampler %s\n", x.students[i].label.c_str(), c.arch.c_str(),
                            toString(c.distill.method).c_str(), c.contrastive.enabled ? toString(c.contrastive.sampler).c_str() : "-");
            }
            exitCode = kOk;
            return;
        }
        if (launchedRank())
            throw ConfigError({{"RANK / SLURM_PROCID", "(set)",
                                "scns distill started once: it starts each run's processes itself from the "
                                "experiment's distributed.processes (docs/distributed.md)"}});
        const auto db = global.dbPath();
        std::stop_source stop;
        ExperimentPrinter printer(stop);
        const ExperimentResult result = runExperiment(db, x, printer, stop.get_token());
        printSummary(db, result);
        bool failed = false;
        for (const auto& run : result.runs)
            failed |= run.result.outcome == RunOutcome::Failed || run.result.outcome == RunOutcome::Diverged
                || run.result.outcome == RunOutcome::Interrupted;
        if (result.cancelled) {
            std::printf("experiment %s stopped; run the same command again to continue: scns --db %s distill --config %s\n",
                        x.name.c_str(), db.c_str(), file->c_str());
            exitCode = kCancelled;
        } else {
            exitCode = failed ? kRunFailed : kOk;
        }
    });
}

}  // namespace scns::cli
