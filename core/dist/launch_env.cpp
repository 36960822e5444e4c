#include "dist/launch_env.h"

#include <netdb.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "common/errors.h"

namespace scns {

namespace {

[[noreturn]] void fail(const std::string& variable, const std::string& value, const std::string& expected)
{
    throw ConfigError({{variable, value.empty() ? std::string("(empty)") : value, expected}});
}

int integer(const char* name, const char* text, long low, long high, const std::string& expected)
{
    errno = 0;
    char* end = nullptr;
    const long v = std::strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || errno != 0 || v < low || v > high)
        fail(name, text, expected);
    return static_cast<int>(v);
}

}  // namespace

std::string firstSlurmHost(const std::string& nodeList)
{
    // Up to the first comma outside brackets; "prefix[03-05,9]" expands to prefix + "03".
    std::string head;
    int depth = 0;
    for (char c : nodeList) {
        if (c == '[')
            ++depth;
        else if (c == ']')
            --depth;
        if (depth < 0 || depth > 1)
            fail("SLURM_JOB_NODELIST", nodeList, "a Slurm node list such as node[01-04],gpu7");
        if (c == ',' && depth == 0)
            break;
        head += c;
    }
    if (depth != 0 || head.empty())
        fail("SLURM_JOB_NODELIST", nodeList, "a Slurm node list such as node[01-04],gpu7");
    const auto open = head.find('[');
    if (open == std::string::npos)
        return head;
    const std::string inside = head.substr(open + 1, head.size() - open - 2);
    const auto stop = inside.find_first_of("-,");
    const std::string first = inside.substr(0, stop);
    if (first.empty() || head.back() != ']')
        fail("SLURM_JOB_NODELIST", nodeList, "a Slurm node list such as node[01-04],gpu7");
    return head.substr(0, open) + first;
}

std::optional<DistributedEnv> distributedEnvFromEnvironment(const std::function<const char*(const char*)>& get)
{
    const auto read = [&](const char* name) -> const char* {
        const char* v = get ? get(name) : std::getenv(name);
        return v && *v ? v : nullptr;
    };
    constexpr long kMaxWorld = 1 << 20;
    DistributedEnv env;
    const char* world = read("WORLD_SIZE");
    const char* rank = read("RANK");
    if (world) {
        env.source = "torchrun";
        env.worldSize = integer("WORLD_SIZE", world, 1, kMaxWorld, "a number of processes >= 1");
        if (!rank)
            fail("RANK", "", "this process's rank in [0, WORLD_SIZE) (set with WORLD_SIZE)");
        env.rank = integer("RANK", rank, 0, env.worldSize - 1, "a rank in [0, " + std::to_string(env.worldSize) + ")");
        if (const char* local = read("LOCAL_RANK"))
            env.localRank = integer("LOCAL_RANK", local, 0, kMaxWorld, "a local rank >= 0");
    } else if (rank) {
        fail("WORLD_SIZE", "", "the number of processes (RANK is set)");
    } else if (const char* tasks = read("SLURM_NTASKS")) {
        env.source = "slurm";
        env.worldSize = integer("SLURM_NTASKS", tasks, 1, kMaxWorld, "a number of tasks >= 1");
        const char* procId = read("SLURM_PROCID");
        if (!procId)
            fail("SLURM_PROCID", "", "the task's rank (srun sets it)");
        env.rank = integer("SLURM_PROCID", procId, 0, env.worldSize - 1,
                           "a rank in [0, " + std::to_string(env.worldSize) + ")");
        if (const char* local = read("SLURM_LOCALID"))
            env.localRank = integer("SLURM_LOCALID", local, 0, kMaxWorld, "a local rank >= 0");
        if (const char* nodes = read("SLURM_JOB_NODELIST")) {
            env.masterAddr = firstSlurmHost(nodes);
            env.masterAddrFrom = "SLURM_JOB_NODELIST";
        }
    } else {
        return std::nullopt;
    }
    if (const char* addr = read("MASTER_ADDR")) {
        env.masterAddr = addr;
        env.masterAddrFrom = "MASTER_ADDR";
    }
    if (const char* port = read("MASTER_PORT"))
        env.masterPort = integer("MASTER_PORT", port, 1, 65535, "a TCP port in [1, 65535]");
    if (env.worldSize == 1)
        return std::nullopt;
    return env;
}

void checkMasterAddressResolves(const DistributedEnv& env)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(env.masterAddr.c_str(), nullptr, &hints, &found);
    if (found)
        ::freeaddrinfo(found);
    if (rc == 0)
        return;
    const std::string answer = rc == EAI_SYSTEM ? std::string(std::strerror(errno)) : ::gai_strerror(rc);
    std::string variable = "MASTER_ADDR";
    if (env.masterAddrFrom == "SLURM_JOB_NODELIST")
        variable = "SLURM_JOB_NODELIST (its first host)";
    fail(variable, env.masterAddr,
         "the host name or address of rank 0's machine, resolvable here (the resolver said: " + answer
             + "); set MASTER_ADDR to it");
}

}  // namespace scns
