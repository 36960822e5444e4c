#pragma once
// Where a process stands in a data-parallel run (docs/distributed.md), read from the variables
// the usual launchers set: torchrun-style RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and
// MASTER_PORT, or, under Slurm's srun, SLURM_PROCID, SLURM_NTASKS and SLURM_LOCALID with the
// first host of SLURM_JOB_NODELIST as the master (MASTER_ADDR and MASTER_PORT still win when set).
// Plain C++: no LibTorch, so the CLI can check a launch before it loads anything.
#include <functional>
#include <optional>
#include <string>

namespace scns {

struct DistributedEnv {
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    std::string masterAddr = "127.0.0.1";
    int masterPort = 29500;
    std::string source;  // "torchrun" or "slurm": which variables said so
    // Where masterAddr came from, for messages: "MASTER_ADDR", "SLURM_JOB_NODELIST" (its first
    // host) or empty (the default, 127.0.0.1).
    std::string masterAddrFrom;
};

// The default MASTER_PORT (torchrun's).
inline constexpr int kDefaultMasterPort = 29500;

// Whether this build can carry GPU tensors with NCCL (ProcessGroupNCCL: a LibTorch with CUDA
// and NCCL, found by core/dist/CMakeLists.txt); Gloo carries everything otherwise.
#ifdef SCNS_HAVE_NCCL
inline constexpr bool kBuiltWithNccl = true;
#else
inline constexpr bool kBuiltWithNccl = false;
#endif
// What is expected instead of distributed.backend = nccl in a build without NCCL (the settings'
// check and DistributedContext::setGpuBackend say the same).
inline constexpr const char* kNcclNotBuiltExpected =
    "auto or gloo: this scns was built without NCCL (it needs a LibTorch with CUDA and NCCL; docs/distributed.md)";

// Reads the variables through `get` (std::getenv by default; tests pass their own). None when
// neither WORLD_SIZE nor SLURM_NTASKS is set, or the world has one process. Throws ConfigError
// naming the variable, its value and what is expected: a rank outside [0, world size), a
// world size below 1, a port outside [1, 65535], a malformed node list, RANK without
// WORLD_SIZE.
std::optional<DistributedEnv>
distributedEnvFromEnvironment(const std::function<const char*(const char*)>& get = nullptr);

// Checks that env.masterAddr resolves on this machine (getaddrinfo), so that a misspelt host
// fails at once instead of every rank retrying until distributed.timeout. Throws ConfigError
// naming the variable it came from (MASTER_ADDR or SLURM_JOB_NODELIST), the host and the
// resolver's answer.
void checkMasterAddressResolves(const DistributedEnv& env);

// The first host of a Slurm node list: "node[03-05,9],gpu1" -> "node03", "a,b" -> "a".
// Throws ConfigError (SLURM_JOB_NODELIST) on an empty or unbalanced list.
std::string firstSlurmHost(const std::string& nodeList);

}  // namespace scns
