#include "distributed_launch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/errors.h"
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

// A free TCP port on the loopback interface for the rendezvous.
int freeLoopbackPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        throw DistributedError(std::string("cannot open a socket to find a free port: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0
        && ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    if (port == 0)
        throw DistributedError("no free port on 127.0.0.1 for the rendezvous of the run's processes");
    return port;
}

// Set for the ranks this program starts itself.
constexpr const char* kLauncherVariable = "SCNS_LOCAL_LAUNCHER";

std::atomic<int> g_forwardSignal{0};
void rememberSignal(int sig) { g_forwardSignal = sig; }

struct Ending {
    int rank = -1;
    pid_t pid = 0;
    int status = 0;
};

std::string describe(const Ending& e, int world)
{
    std::string who =
        "rank " + std::to_string(e.rank) + " of " + std::to_string(world) + " (process " + std::to_string(e.pid) + ")";
    if (WIFSIGNALED(e.status))
        return who + " was killed by signal " + std::to_string(WTERMSIG(e.status)) + " ("
            + strsignal(WTERMSIG(e.status)) + ")";
    return who + " exited with status " + std::to_string(WEXITSTATUS(e.status));
}

bool endedBadly(int status)
{
    return WIFSIGNALED(status)
        || (WIFEXITED(status) && WEXITSTATUS(status) != kOk && WEXITSTATUS(status) != kCancelled);
}

// After the ranks are gone: a run rank 0 could not close (it was killed) is marked interrupted
// here, and an interruption whose message does not say which rank stopped first is told.
void recordEnding(const std::filesystem::path& db, std::int64_t runId, const Ending& first, int world)
{
    RunStore store(db, StoreAccess::Write);  // marks a run left running by a dead rank 0 interrupted
    const RunRecord record = store.run(runId);
    if (record.status != RunStatus::Running && record.status != RunStatus::Interrupted)
        return;
    if (record.status == RunStatus::Interrupted && record.message.rfind("rank ", 0) == 0)
        return;  // a rank's own note named it
    if (record.status == RunStatus::Interrupted) {  // rank 0 saw a peer go: say which and how
        store.finishRun(runId, RunStatus::Interrupted, describe(first, world) + "; rank 0: " + record.message);
        return;
    }
    const auto saved = store.checkpoints(runId);
    store.finishRun(runId, RunStatus::Interrupted,
                    describe(first, world) + "; resume continues after epoch "
                        + std::to_string(saved.empty() ? 0 : saved.back().epoch));
}

int launchLocalRanks(const std::filesystem::path& db, std::int64_t runId, const RunOptions& options, int world,
                     double timeoutSeconds)
{
    const int port = freeLoopbackPort();
    std::vector<std::string> args{"/proc/self/exe",
                                  "--db",
                                  db.string(),
                                  "dist-worker",
                                  std::to_string(runId),
                                  "--timeout",
                                  std::to_string(timeoutSeconds)};
    if (options.resume)
        args.push_back("--resume");
    if (options.fromScratch)
        args.push_back("--from-scratch");
    if (options.force)
        args.push_back("--force");
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t launcher = ::getpid();
    std::vector<pid_t> pids(static_cast<std::size_t>(world), 0);
    for (int r = 0; r < world; ++r) {
        const pid_t pid = ::fork();
        if (pid < 0)
            throw DistributedError(std::string("cannot start the run's processes: ") + std::strerror(errno));
        if (pid == 0) {
            // A launcher that dies takes its ranks with it (they stop as on Ctrl-C).
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (::getppid() != launcher)
                ::_exit(kRunFailed);
            ::setenv("RANK", std::to_string(r).c_str(), 1);
            ::setenv("LOCAL_RANK", std::to_string(r).c_str(), 1);
            ::setenv("WORLD_SIZE", std::to_string(world).c_str(), 1);
            ::setenv("LOCAL_WORLD_SIZE", std::to_string(world).c_str(), 1);
            ::setenv("MASTER_ADDR", "127.0.0.1", 1);
            ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
            ::setenv(kLauncherVariable, "1", 1);  // rank 0 leaves an interruption for us to report
            ::execv("/proc/self/exe", argv.data());
            std::fprintf(stderr, "scns: cannot start rank %d: %s\n", r, std::strerror(errno));
            ::_exit(kRunFailed);
        }
        pids[static_cast<std::size_t>(r)] = pid;
    }

    // Ctrl-C and SIGTERM reach every rank: they agree to stop at the same step.
    g_forwardSignal = 0;
    auto oldInt = std::signal(SIGINT, rememberSignal);
    auto oldTerm = std::signal(SIGTERM, rememberSignal);
    int rank0Status = 0, alive = world;
    std::optional<Ending> first;
    std::optional<std::chrono::steady_clock::time_point> deadline;
    while (alive > 0) {
        if (const int sig = g_forwardSignal.exchange(0))
            for (const pid_t pid : pids)
                if (pid > 0)
                    ::kill(pid, SIGINT);
        int status = 0;
        const pid_t done = ::waitpid(-1, &status, WNOHANG);
        if (done > 0) {
            for (int r = 0; r < world; ++r)
                if (pids[static_cast<std::size_t>(r)] == done) {
                    pids[static_cast<std::size_t>(r)] = 0;
                    --alive;
                    if (r == 0)
                        rank0Status = status;
                    if (!first && endedBadly(status)) {
                        first = Ending{r, done, status};
                        // The others notice within the run's timeout; past it and a margin, they go.
                        deadline =
                            std::chrono::steady_clock::now() + timeoutOf(timeoutSeconds) + std::chrono::seconds(30);
                    }
                }
            continue;
        }
        if (deadline && std::chrono::steady_clock::now() > *deadline)
            for (const pid_t pid : pids)
                if (pid > 0)
                    ::kill(pid, SIGKILL);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::signal(SIGINT, oldInt);
    std::signal(SIGTERM, oldTerm);

    if (first) {
        recordEnding(db, runId, *first, world);
        RunStore store(db);
        const RunRecord record = store.run(runId);
        if (record.status == RunStatus::Interrupted)
            std::fprintf(stderr, "run %lld %s: %s\n  continue with: scns --db %s resume %lld\n",
                         static_cast<long long>(runId), toString(record.status).c_str(), record.message.c_str(),
                         db.c_str(), static_cast<long long>(runId));
        return kRunFailed;
    }
    return WIFEXITED(rank0Status) ? WEXITSTATUS(rank0Status) : kRunFailed;
}

void requireProcessGroup()
{
#ifndef SCNS_HAVE_GLOO
    throw ConfigError({{"distributed.processes", "> 1",
                        "1: this scns was built without c10d's Gloo process group (Debian: libgloo-dev)"}});
#endif
}

}  // namespace

std::optional<DistributedEnv> launchedRank() { return distributedEnvFromEnvironment(); }

RunResult storedResult(const std::filesystem::path& db, std::int64_t runId)
{
    RunStore store(db);
    const RunRecord record = store.run(runId);
    RunResult r;
    r.message = record.message;
    switch (record.status) {
    case RunStatus::Finished: r.outcome = RunOutcome::Finished; break;
    case RunStatus::Cancelled: r.outcome = RunOutcome::Cancelled; break;
    case RunStatus::Diverged: r.outcome = RunOutcome::Diverged; break;
    case RunStatus::Interrupted: r.outcome = RunOutcome::Interrupted; break;
    default: r.outcome = RunOutcome::Failed; break;
    }
    const auto saved = store.checkpoints(runId);
    r.epochsCompleted = saved.empty() ? 0 : saved.back().epoch;
    return r;
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
        if (r.outcome == RunOutcome::Interrupted && std::getenv(kLauncherVariable))
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
        exitCode = runAsRank(
            *env, global.dbPath(), [&] { return args->runId; }, args->options, args->timeout);
    });
}

}  // namespace scns::cli
