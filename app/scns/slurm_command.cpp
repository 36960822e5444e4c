// `scns slurm submit` and `scns slurm status`: a sweep as a Slurm job array (docs/cluster.md).
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cluster/slurm_sweep.h"
#include "commands.h"
#include "common/errors.h"
#include "common/message_text.h"
#include "train/experiment.h"
#include "train/launch_plan.h"
#include "train/run_settings.h"

namespace scns::cli {

namespace {

// This program's absolute path, for the tasks (they run on other machines with the same file
// system); "scns" (PATH) when it cannot be told.
std::string thisProgram()
{
    char buf[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("scns");
}

std::string tasksText(const SlurmSweep& sweep)
{
    return counted(static_cast<long long>(sweep.runs.size()), "task", "tasks");
}

// Submits (or with dryRun only writes) one sweep; prints what happened; returns the job id.
std::string submitOrWrite(const SlurmSweep& sweep, const std::string& sbatch, bool dryRun)
{
    writeSweep(sweep);
    if (dryRun) {
        std::printf("# %s written to %s; submit with: sbatch %s\n", tasksText(sweep).c_str(), sweep.dir.c_str(),
                    sweep.scriptFile().c_str());
        return {};
    }
    const std::string job = submitSweep(sweep, sbatch);
    std::printf("submitted job %s: %s in %s\n", job.c_str(), tasksText(sweep).c_str(), sweep.dir.c_str());
    return job;
}

// `--experiment FILE`: a trained teacher as a sweep of one task in DIR/teacher, the students x
// seeds in DIR/students after it, their teacher the checkpoint file its task writes last.
template <typename Args>
int submitExperiment(const Args& a)
{
    if (!a.config.empty() || !a.seeds.empty() || !a.grid.empty() || !a.sets.empty())
        throw ConfigError({{"--experiment", a.experiment,
                            "alone: the file holds the runs (no --config, --seeds, "
                            "--grid or --set with it)"}});
    const ExperimentConfig x = loadExperimentConfig(a.experiment);
    if (!x.teacherRun.empty())
        throw ConfigError({{"teacher.run", x.teacherRun,
                            "teacher.train or teacher.weights on a cluster (a stored run's "
                            "weights: scns export-weights, then teacher.weights)"}});
    const std::filesystem::path root = std::filesystem::absolute(a.dir);
    SlurmOptions options = a.options;
    options.scnsProgram = thisProgram();
    std::string weights = x.teacherWeights, arch = x.teacherArch, teacherJob;
    if (!x.teacherTrain.is_null()) {
        SlurmSweep teacher;
        teacher.dir = root / "teacher";
        teacher.runs = {x.teacherConfig()};
        teacher.options = options;
        teacher.options.jobName = options.jobName + "-teacher";
        const RunConfig& t = teacher.runs.front();
        weights = teacher.storeFile(0).string() + ".checkpoints/run-1/epoch-" + std::to_string(t.epochs) + ".pt";
        arch = t.arch;
        teacherJob = submitOrWrite(teacher, a.sbatch, a.dryRun);
    }
    SlurmSweep students;
    students.dir = root / "students";
    students.options = options;
    students.options.afterJob = teacherJob;
    for (std::size_t i = 0; i < x.students.size(); ++i)
        for (const std::uint64_t seed : x.seeds) {
            RunConfig c = x.studentConfig(i, seed);
            c.distill.teacherWeights = weights;
            c.distill.teacherArch = arch;
            c.validate();
            students.runs.push_back(std::move(c));
        }
    submitOrWrite(students, a.sbatch, a.dryRun);
    if (a.dryRun && !x.teacherTrain.is_null())
        std::printf("# the students wait for the teacher: sbatch --dependency=afterok:TEACHER_JOB %s\n",
                    students.scriptFile().c_str());
    std::printf("  watch: scns slurm status %s/students\n  then:  scns merge %s/*/task-*.sqlite --into DB\n",
                root.c_str(), root.c_str());
    return kOk;
}

}  // namespace

void addSlurmCommand(CLI::App& app, const GlobalOptions& global, int& exitCode)
{
    CLI::App* slurm = app.add_subcommand("slurm",
                                         "Sweeps on a Slurm cluster: a job array of one task per run, one "
                                         "store per task (docs/cluster.md)");
    slurm->require_subcommand(1);

    struct SubmitArgs {
        std::string config, experiment, seeds, grid, dir, sbatch = "sbatch";
        std::vector<std::string> sets;
        SlurmOptions options;
        bool dryRun = false;
    };
    auto a = std::make_shared<SubmitArgs>();
    CLI::App* submit = slurm->add_subcommand(
        "submit", "Write the sweep's configurations and sbatch script into --dir and submit it with sbatch");
    submit->add_option("--config,-c", a->config, "JSON run configuration (default: the default run)");
    submit->add_option("--set", a->sets, "KEY=VALUE: a setting by its dotted key, applied after --config")
        ->type_name("KEY=VALUE");
    submit->add_option("--experiment", a->experiment,
                       "A distillation experiment file (scns distill's): the teacher as one task, then the students x "
                       "seeds as an array that waits for it");
    submit->add_option("--seeds", a->seeds, "Seeds, e.g. 0-4 or 1,2,7: one run per seed (x the grid)");
    submit->add_option("--grid", a->grid, "Settings to vary, e.g. \"optim.lr=0.1,0.2; contrastive.class.k=2,3\"");
    submit->add_option("--dir", a->dir, "The sweep's folder on the cluster's shared file system")->required();
    submit->add_option("--job-name", a->options.jobName, "sbatch --job-name");
    submit->add_option("--partition", a->options.partition, "sbatch --partition");
    submit->add_option("--time", a->options.time, "sbatch --time per task, e.g. 04:00:00");
    submit->add_option("--mem", a->options.memory, "sbatch --mem per task, e.g. 16G");
    submit->add_option("--cpus-per-task", a->options.cpusPerTask, "sbatch --cpus-per-task");
    submit->add_option("--gpus-per-task", a->options.gpusPerTask, "sbatch --gpus-per-task");
    submit->add_option("--sbatch-line", a->options.extraLines, "One more #SBATCH line, e.g. \"--account=lab\"");
    submit->add_option("--after", a->options.afterJob,
                       "Start once this job finished well (sbatch --dependency=afterok), e.g. the teacher's sweep");
    submit->add_option("--sbatch", a->sbatch, "The sbatch program");
    submit->add_flag("--dry-run", a->dryRun, "Write the files and print the script, submit nothing");
    submit->callback([a, &exitCode] {
        if (!a->experiment.empty()) {
            exitCode = submitExperiment(*a);
            return;
        }
        RunConfig base;
        if (!a->config.empty())
            base = loadRunConfig(a->config);
        for (const std::string& item : a->sets) {
            const auto eq = item.find('=');
            if (eq == std::string::npos || eq == 0)
                throw ConfigError({{"--set", item, "KEY=VALUE with a setting's dotted key"}});
            applySettingText(base, item.substr(0, eq), item.substr(eq + 1));
        }
        base.validate();
        SlurmSweep sweep;
        sweep.dir = std::filesystem::absolute(a->dir);
        sweep.options = a->options;
        sweep.options.scnsProgram = thisProgram();
        sweep.runs = expandLaunch(base, parseSeedList(a->seeds), parseGrid(a->grid));
        writeSweep(sweep);
        if (a->dryRun) {
            std::printf("%s", sbatchScript(sweep).c_str());
            std::printf("# %s written to %s; submit with: sbatch %s\n", tasksText(sweep).c_str(), sweep.dir.c_str(),
                        sweep.scriptFile().c_str());
            exitCode = kOk;
            return;
        }
        const std::string job = submitSweep(sweep, a->sbatch);
        std::printf("submitted job %s: %s in %s\n  watch: scns slurm status %s\n  then:  scns merge %s/task-*.sqlite "
                    "--into DB\n",
                    job.c_str(), tasksText(sweep).c_str(), sweep.dir.c_str(), sweep.dir.c_str(), sweep.dir.c_str());
        exitCode = kOk;
    });

    struct StatusArgs {
        std::string dir, squeue = "squeue";
    };
    auto s = std::make_shared<StatusArgs>();
    CLI::App* status = slurm->add_subcommand("status", "Each task's scheduler state (squeue) beside its run's status");
    status->add_option("dir", s->dir, "The sweep's folder")->required();
    status->add_option("--squeue", s->squeue, "The squeue program");
    status->callback([s, &exitCode] {
        const auto tasks = sweepStatus(s->dir, s->squeue);
        std::printf("%5s  %-14s %-16s %-12s %7s  %s\n", "task", "scheduler", "reason", "run", "epochs", "name");
        for (const auto& t : tasks)
            std::printf("%5zu  %-14s %-16s %-12s %3lld/%-3lld  %s\n", t.task, t.schedulerState.c_str(),
                        t.reason == "None" ? "" : t.reason.c_str(), t.runStatus.c_str(),
                        static_cast<long long>(t.epochsDone), static_cast<long long>(t.epochs), t.name.c_str());
        exitCode = kOk;
    });
    (void)global;
}

}  // namespace scns::cli
