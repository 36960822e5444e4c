#include "store/process_info.h"

#include <cerrno>
#include <csignal>
#include <limits>

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

}  // namespace scns
