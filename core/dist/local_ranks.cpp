#include "dist/local_ranks.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include "common/errors.h"
#include "store/run_store.h"

extern char** environ;

namespace scns {

namespace {

// Exit codes a rank ends with when nothing went wrong: done, or stopped on request (130).
bool endedBadly(int status)
{
    return WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 130);
}

}  // namespace

std::string describeRankEnding(const RankEnding& e, int world)
{
    const std::string who =
        "rank " + std::to_string(e.rank) + " of " + std::to_string(world) + " (process " + std::to_string(e.pid) + ")";
    if (WIFSIGNALED(e.status))
        return who + " was killed by signal " + std::to_string(WTERMSIG(e.status)) + " ("
            + ::strsignal(WTERMSIG(e.status)) + ")";
    return who + " exited with status " + std::to_string(WEXITSTATUS(e.status));
}

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

LocalRanks::LocalRanks(const std::string& program, const std::vector<std::string>& args, int firstRank, int world,
                       int port)
    : m_firstRank(firstRank)
{
    // Everything the child needs is made here: between fork and exec it may only make system
    // calls (the parent may have other threads, the workbench's among them).
    std::vector<std::string> argStore{program};
    argStore.insert(argStore.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argStore)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    for (int r = firstRank; r < world; ++r) {
        std::vector<std::string> envStore;
        for (char** e = environ; e && *e; ++e) {
            const std::string var = *e;
            const std::string name = var.substr(0, var.find('='));
            if (name != "RANK" && name != "LOCAL_RANK" && name != "WORLD_SIZE" && name != "LOCAL_WORLD_SIZE"
                && name != "MASTER_ADDR" && name != "MASTER_PORT" && name != kLocalLauncherVariable)
                envStore.push_back(var);
        }
        for (const auto& [name, value] :
             std::vector<std::pair<std::string, std::string>>{{"RANK", std::to_string(r)},
                                                              {"LOCAL_RANK", std::to_string(r)},
                                                              {"WORLD_SIZE", std::to_string(world)},
                                                              {"LOCAL_WORLD_SIZE", std::to_string(world)},
                                                              {"MASTER_ADDR", "127.0.0.1"},
                                                              {"MASTER_PORT", std::to_string(port)},
                                                              {kLocalLauncherVariable, "1"}})
            envStore.push_back(name + "=" + value);
        std::vector<char*> envp;
        for (auto& v : envStore)
            envp.push_back(v.data());
        envp.push_back(nullptr);

        const pid_t pid = ::fork();
        if (pid < 0) {
            const std::string why = std::strerror(errno);
            signalAll(SIGKILL);
            throw DistributedError("cannot start rank " + std::to_string(r) + " of the run: " + why);
        }
        if (pid == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a launcher that dies takes its ranks along
            if (::getppid() != parent)
                ::_exit(1);
            ::execve(program.c_str(), argv.data(), envp.data());
            ::_exit(127);
        }
        m_pids.push_back(pid);
        m_status.push_back(-1);
    }
}

LocalRanks::~LocalRanks()
{
    signalAll(SIGKILL);
    for (std::size_t i = 0; i < m_pids.size(); ++i)
        if (m_pids[i] > 0) {
            int status = 0;
            ::waitpid(m_pids[i], &status, 0);
        }
}

void LocalRanks::signalAll(int signal)
{
    for (const pid_t pid : m_pids)
        if (pid > 0)
            ::kill(pid, signal);
}

int LocalRanks::statusOf(int rank) const
{
    const int i = rank - m_firstRank;
    return i >= 0 && i < static_cast<int>(m_status.size()) ? m_status[static_cast<std::size_t>(i)] : -1;
}

void LocalRanks::waitAll(std::chrono::milliseconds grace, const std::function<void()>& tick)
{
    std::optional<std::chrono::steady_clock::time_point> deadline;
    for (;;) {
        bool alive = false;
        for (std::size_t i = 0; i < m_pids.size(); ++i) {
            if (m_pids[i] <= 0)
                continue;
            int status = 0;
            // Only our own children: the caller (the workbench) may have others.
            const pid_t done = ::waitpid(m_pids[i], &status, WNOHANG);
            if (done == 0) {
                alive = true;
                continue;
            }
            const int rank = m_firstRank + static_cast<int>(i);
            m_status[i] = done > 0 ? status : 0;
            if (done > 0 && !m_firstBad && endedBadly(status)) {
                m_firstBad = RankEnding{rank, done, status};
                deadline = std::chrono::steady_clock::now() + grace;
            }
            m_pids[i] = 0;
        }
        if (!alive)
            return;
        if (tick)
            tick();
        if (deadline && std::chrono::steady_clock::now() > *deadline)
            signalAll(SIGKILL);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

void recordRankEnding(const std::filesystem::path& db, std::int64_t runId, const RankEnding& ending, int world)
{
    RunStore store(db, StoreAccess::Write);  // marks a run left running by a dead rank 0 interrupted
    const RunRecord record = store.run(runId);
    if (record.status != RunStatus::Running && record.status != RunStatus::Interrupted)
        return;
    if (record.status == RunStatus::Interrupted && record.message.rfind("rank ", 0) == 0)
        return;  // a rank's own note named it
    if (record.status == RunStatus::Interrupted && ending.rank != 0 && !record.message.empty()) {
        // Rank 0 saw a peer go; say which and how.
        store.finishRun(runId, RunStatus::Interrupted,
                        describeRankEnding(ending, world) + "; rank 0: " + record.message);
        return;
    }
    const auto saved = store.checkpoints(runId);
    store.finishRun(runId, RunStatus::Interrupted,
                    describeRankEnding(ending, world) + "; resume continues after epoch "
                        + std::to_string(saved.empty() ? 0 : saved.back().epoch));
}

}  // namespace scns
