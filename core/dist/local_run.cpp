#include "dist/local_run.h"

#include <unistd.h>

#include <chrono>

#include "common/errors.h"
#include "dist/local_ranks.h"
#include "store/run_store.h"
#ifdef SCNS_HAVE_GLOO
#include "dist/process_group.h"
#endif

namespace scns {

std::vector<std::string> workerArguments(const std::filesystem::path& dbPath, std::int64_t runId,
                                         const RunOptions& options, double timeoutSeconds)
{
    std::vector<std::string> args{
        "--db", dbPath.string(), "dist-worker", std::to_string(runId), "--timeout", std::to_string(timeoutSeconds)};
    if (options.resume)
        args.push_back("--resume");
    if (options.fromScratch)
        args.push_back("--from-scratch");
    if (options.force)
        args.push_back("--force");
    return args;
}

RunResult executeRunWithLocalRanks(const std::filesystem::path& dbPath, std::int64_t runId, const RunOptions& options,
                                   TrainingObserver& observer, std::stop_token stop, int processes,
                                   double timeoutSeconds, const std::filesystem::path& workerProgram)
{
#ifndef SCNS_HAVE_GLOO
    throw ConfigError({{"distributed.processes", std::to_string(processes),
                        "1: this build has no c10d Gloo process group (Debian: libgloo-dev)"}});
#else
    if (workerProgram.empty() || ::access(workerProgram.c_str(), X_OK) != 0)
        throw ConfigError({{"distributed.processes", std::to_string(processes),
                            "1, or the scns program beside this one to start the other processes (looked for '"
                                + workerProgram.string() + "')"}});
    const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeoutSeconds * 1000.0));
    const int port = freeLoopbackPort();
    LocalRanks others(workerProgram.string(), workerArguments(dbPath, runId, options, timeoutSeconds), 1, processes,
                      port);
    RunResult result;
    {
        DistributedEnv env;
        env.worldSize = processes;
        env.masterPort = port;
        env.source = "local";
        DistributedContext group(env, timeout);  // waits for the others to join
        result = executeRun(dbPath, runId, options, observer, std::move(stop), ReplicaPlace{&group, 0, processes});
    }
    others.waitAll(timeout + std::chrono::seconds(30));
    if (const auto& first = others.firstBadEnding()) {
        recordRankEnding(dbPath, runId, *first, processes);
        RunStore store(dbPath);
        const RunRecord record = store.run(runId);
        if (record.status == RunStatus::Interrupted) {
            result.outcome = RunOutcome::Interrupted;
            result.message = record.message;
        }
    }
    return result;
#endif
}

}  // namespace scns
