#include "distributed_launch.h"

#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/errors.h"
#include "dist/local_ranks.h"
#include "dist/local_run.h"
#include "progress_printer.h"
#include "store/run_store.h"
#ifdef SCNS_HAVE_GLOO
#include "dist/process_group.h"
#endif

namespace scns::cli {

namespace {

std::chrono::milliseconds timeoutOf(double seconds)
{
    return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

// Processes of the run on this machine: the launcher's LOCAL_WORLD_SIZE (torchrun and ours) or
// SLURM_NTASKS_PER_NODE, else 1.
int localProcesses()
{
    for (const char* name : {"LOCAL_WORLD_SIZE", "SLURM_NTASKS_PER_NODE"})
        if (const char* v = std::getenv(name); v && *v) {
            const int n = std::atoi(v);
            if (n >= 1)
                return n;
        }
    return 1;
}

int exitCodeFor(const RunResult& r)
{
    switch (r.outcome) {
    case RunOutcome::Finished: return kOk;
    case RunOutcome::Cancelled: return kCancelled;
    default: return kRunFailed;
    }
}

std::atomic<int> g_forwardSignal{0};
void rememberSignal(int sig) { g_forwardSignal = sig; }

int launchLocalRanks(const std::filesystem::path& db, std::int64_t runId, const RunOptions& options, int world,
                     double timeoutSeconds)
{
    std::fflush(stdout);
    std::fflush(stderr);
    LocalRanks ranks("/proc/self/exe", workerArguments(db, runId, options, timeoutSeconds), 0, world,
                     freeLoopbackPort());
    // Ctrl-C and SIGTERM reach every rank: they agree to stop at the same step.
    g_forwardSignal = 0;
    auto oldInt = std::signal(SIGINT, rememberSignal);
    auto oldTerm = std::signal(SIGTERM, rememberSignal);
    // The others notice a lost rank within the run's timeout; past it and a margin, they go.
    ranks.waitAll(timeoutOf(timeoutSeconds) + std::chrono::seconds(30), [&] {
        if (g_forwardSignal.exchange(0))
            ranks.signalAll(SIGINT);
    });
    std::signal(SIGINT, oldInt);
    std::signal(SIGTERM, oldTerm);

    if (const auto& first = ranks.firstBadEnding()) {
        recordRankEnding(db, runId, *first, world);
        RunStore store(db);
        const RunRecord record = store.run(runId);
        if (record.status == RunStatus::Interrupted)
            std::fprintf(stderr, "run %lld %s: %s\n  continue with: scns --db %s resume %lld\n",
                         static_cast<long long>(runId), toString(record.status).c_str(), record.message.c_str(),
                         db.c_str(), static_cast<long long>(runId));
        return kRunFailed;
    }
    const int rank0 = ranks.statusOf(0);
    return WIFEXITED(rank0) ? WEXITSTATUS(rank0) : kRunFailed;
}

void requireProcessGroup()
{
#ifndef SCNS_HAVE_GLOO
    throw ConfigError({{"distributed.processes", "> 1",
                        "1: this scns was built without c10d's Gloo process group (Debian: libgloo-dev)"}});
#endif
}

}  // namespace

std::optional<DistributedEnv> launchedRank()
{
    auto env = distributedEnvFromEnvironment();
    if (env)
        checkMasterAddressResolves(*env);  // a misspelt host fails now, not after distributed.timeout
    return env;
}

int reportResult(const RunResult& r, std::int64_t runId, const std::filesystem::path& db)
{
    switch (r.outcome) {
    case RunOutcome::Finished:
        if (r.last)
            std::printf("run %lld finished: test top-1 %.2f%%, top-5 %.2f%% after %lld epochs (database %s)\n",
                        static_cast<long long>(runId), r.last->testTop1, r.last->testTop5,
                        static_cast<long long>(r.epochsCompleted), db.c_str());
        return kOk;
    case RunOutcome::Cancelled:
        std::printf("run %lld cancelled: %s\n  continue with: scns --db %s resume %lld\n",
                    static_cast<long long>(runId), r.message.c_str(), db.c_str(), static_cast<long long>(runId));
        return kCancelled;
    case RunOutcome::Diverged:
        std::fprintf(stderr, "run %lld diverged: %s\n", static_cast<long long>(runId), r.message.c_str());
        return kRunFailed;
    case RunOutcome::Failed:
        std::fprintf(stderr, "run %lld failed: %s\n", static_cast<long long>(runId), r.message.c_str());
        return kRunFailed;
    case RunOutcome::Interrupted:
        std::fprintf(stderr, "run %lld interrupted: %s\n  continue with: scns --db %s resume %lld\n",
                     static_cast<long long>(runId), r.message.c_str(), db.c_str(), static_cast<long long>(runId));
        return kRunFailed;
    }
    return kRunFailed;
}

int runStoredRun(const std::filesystem::path& db, std::int64_t runId, const RunOptions& options, std::int64_t processes,
                 double timeoutSeconds)
{
    if (processes > 1) {
        requireProcessGroup();
        return launchLocalRanks(db, runId, options, static_cast<int>(processes), timeoutSeconds);
    }
    std::stop_source stop;
    ProgressPrinter printer(stop);
    const RunResult r = executeRun(db, runId, options, printer, stop.get_token());
    return reportResult(r, runId, db);
}

int runAsRank(const DistributedEnv& env, const std::filesystem::path& db,
              const std::function<std::int64_t()>& runOnRank0, const RunOptions& options, double timeoutSeconds)
{
    requireProcessGroup();
#ifdef SCNS_HAVE_GLOO
    DistributedContext group(env, timeoutOf(timeoutSeconds));
    const ReplicaPlace place{&group, env.localRank, localProcesses()};
    std::stop_source stop;
    if (env.rank == 0) {
        const std::int64_t runId = runOnRank0();
        ProgressPrinter printer(stop);
        const RunResult r = executeRun(db, runId, options, printer, stop.get_token(), place);
        if (r.outcome == RunOutcome::Interrupted && std::getenv(kLocalLauncherVariable))
            return kRunFailed;  // the launcher names the rank that stopped and reports it
        return reportResult(r, runId, db);
    }
    ProgressPrinter quiet(stop, ProgressPrinter::Quiet);
    const RunResult r = executeReplica(place, quiet, stop.get_token());
    if (r.outcome == RunOutcome::Failed)
        std::fprintf(stderr, "scns: rank %d: %s\n", env.rank, r.message.c_str());
    return exitCodeFor(r);
#else
    return kBadInput;
#endif
}

void addDistWorkerCommand(CLI::App& app, const GlobalOptions& global, int& exitCode)
{
    struct WorkerArgs {
        std::int64_t runId = 0;
        double timeout = 600;
        RunOptions options;
    };
    auto args = std::make_shared<WorkerArgs>();
    CLI::App* cmd = app.add_subcommand("dist-worker", "One rank of a run started with --nproc-per-node (internal)");
    cmd->group("");  // started by the launcher, not by users
    cmd->add_option("run", args->runId)->required();
    cmd->add_option("--timeout", args->timeout);
    cmd->add_flag("--resume", args->options.resume);
    cmd->add_flag("--from-scratch", args->options.fromScratch);
    cmd->add_flag("--force", args->options.force);
    cmd->callback([args, &global, &exitCode] {
        const auto env = launchedRank();
        if (!env)
            throw ConfigError(
                {{"WORLD_SIZE", "(unset)", "the variables `scns train --nproc-per-node` sets for its ranks"}});
        const auto runId = [&] { return args->runId; };
        exitCode = runAsRank(*env, global.dbPath(), runId, args->options, args->timeout);
    });
}

}  // namespace scns::cli
