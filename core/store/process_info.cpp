#include "store/process_info.h"

#include <cerrno>
#include <csignal>
#include <fstream>
#include <limits>
#include <sstream>

#include <sys/types.h>
#include <unistd.h>

namespace scns {

std::string hostName()
{
    char buffer[256] = {};
    if (gethostname(buffer, sizeof buffer - 1) != 0)
        return {};
    return buffer;
}

std::int64_t currentPid()
{
    return static_cast<std::int64_t>(getpid());
}

bool processAlive(std::int64_t pid)
{
    // 0 and negative values address process groups in kill(); never treat them as a process.
    if (pid <= 0 || pid > std::numeric_limits<pid_t>::max())
        return false;
    if (kill(static_cast<pid_t>(pid), 0) == 0)
        return true;
    return errno != ESRCH;
}

std::int64_t processStartTime(std::int64_t pid)
{
    if (pid <= 0 || pid > std::numeric_limits<pid_t>::max())
        return 0;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!in || !std::getline(in, line))
        return 0;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count fields from
    // the last ')'. Field 3 (state) is the first after it; starttime is field 22.
    const auto close = line.rfind(')');
    if (close == std::string::npos)
        return 0;
    std::istringstream fields(line.substr(close + 1));
    std::string field;
    for (int i = 3; i <= 22; ++i) {
        if (!(fields >> field))
            return 0;
    }
    try {
        return static_cast<std::int64_t>(std::stoull(field));
    } catch (const std::exception&) {
        return 0;
    }
}

bool ownerAlive(std::int64_t pid, std::int64_t startTime)
{
    if (!processAlive(pid))
        return false;
    if (startTime <= 0)
        return true;  // recorded before start times were (or /proc could not be read then)
    const std::int64_t now = processStartTime(pid);
    // 0: /proc unreadable (another user's process under hidepid): keep the conservative answer.
    return now == 0 || now == startTime;
}

}  // namespace scns
