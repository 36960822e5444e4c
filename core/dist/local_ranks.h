#pragma once
// The ranks of a data-parallel run started on this machine (`scns train --nproc-per-node`, the
// workbench's Processes setting): child processes with torchrun's variables, watched until they
// end, those left alive after one failed ended too. Plain POSIX, no LibTorch.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace scns {

// How a rank's process ended (status as waitpid reports it).
struct RankEnding {
    int rank = -1;
    pid_t pid = 0;
    int status = 0;
};

// "rank 1 of 2 (process 4242) was killed by signal 9 (Killed)" or "... exited with status 3".
std::string describeRankEnding(const RankEnding& ending, int world);

// A free TCP port on 127.0.0.1 for a rendezvous; throws DistributedError when there is none.
int freeLoopbackPort();

// The variable LocalRanks sets for its ranks: rank 0 leaves an interruption for the launcher
// to report (it knows which rank ended first and how).
inline constexpr const char* kLocalLauncherVariable = "SCNS_LOCAL_LAUNCHER";

class LocalRanks {
public:
    // Starts ranks firstRank .. world - 1 as `program args...` with RANK, LOCAL_RANK, WORLD_SIZE,
    // LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1, MASTER_PORT=port and kLocalLauncherVariable set.
    // A rank's process gets SIGTERM when the process that started it dies. Throws
    // DistributedError when a process cannot be started (those started are ended).
    LocalRanks(const std::string& program, const std::vector<std::string>& args, int firstRank, int world, int port);
    ~LocalRanks();  // ends (SIGKILL) and reaps the ranks still running
    LocalRanks(const LocalRanks&) = delete;
    LocalRanks& operator=(const LocalRanks&) = delete;

    void signalAll(int signal);
    // Waits until every rank has ended. `tick` runs every 50 ms (e.g. to pass on a Ctrl-C).
    // The first rank to end badly (killed, or an exit status other than 0 and 130) starts a
    // grace period; the ranks still running after it are killed.
    void waitAll(std::chrono::milliseconds grace, const std::function<void()>& tick = {});
    const std::optional<RankEnding>& firstBadEnding() const { return m_firstBad; }
    // Rank r's waitpid status once it ended (-1 before).
    int statusOf(int rank) const;

private:
    int m_firstRank;
    std::vector<pid_t> m_pids;  // of ranks firstRank..; 0 once reaped
    std::vector<int> m_status;
    std::optional<RankEnding> m_firstBad;
};

// After a run's ranks ended badly: a run its rank 0 left `running` (killed) is marked
// interrupted, and an interruption rank 0 recorded without knowing which rank stopped first is
// told, from `ending`. Changes nothing for runs that ended otherwise.
void recordRankEnding(const std::filesystem::path& db, std::int64_t runId, const RankEnding& ending, int world);

}  // namespace scns
