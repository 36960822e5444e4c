#pragma once
// The processes of a data-parallel run talking through LibTorch's own c10d engine (no home-made
// transport): a TCPStore rendezvous hosted by rank 0 and a ProcessGroupGloo over it, the same
// pieces torch.distributed uses (docs/distributed.md). The c10d headers stay in the .cpp.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include <ATen/core/Tensor.h>

#include "dist/launch_env.h"

namespace scns {

class DistributedContext {
public:
    // Joins the group: rank 0 serves the store at env.masterAddr:env.masterPort, every rank
    // connects and waits for the others at most `timeout`, which also bounds every later
    // collective (a rank that died or hangs ends the others' waits with DistributedError
    // instead of blocking them). Throws DistributedError naming the address and the rank.
    DistributedContext(const DistributedEnv& env, std::chrono::milliseconds timeout);
    ~DistributedContext();
    DistributedContext(const DistributedContext&) = delete;
    DistributedContext& operator=(const DistributedContext&) = delete;

    int rank() const { return m_env.rank; }
    int worldSize() const { return m_env.worldSize; }
    const DistributedEnv& env() const { return m_env; }

    // In place on every rank; CPU tensors (Gloo). Throw DistributedError on a failed peer.
    void allReduceSum(std::vector<at::Tensor>& tensors);
    void broadcast(std::vector<at::Tensor>& tensors, int root);
    // Every rank's `tensor` (same shape on all), concatenated along dimension 0 in rank order.
    at::Tensor allGather(const at::Tensor& tensor);
    void barrier();

private:
    struct Impl;
    DistributedEnv m_env;
    std::unique_ptr<Impl> m_impl;
};

// DDP's gradient averaging after backward: the gradients are packed into buckets of about
// `bucketBytes`, each bucket all-reduced in one call and divided by the world size, and
// unpacked. Parameters without a gradient take part as zeros, so every rank sends the same
// buckets.
void averageGradients(DistributedContext& group, const std::vector<at::Tensor>& parameters,
                      std::size_t bucketBytes = std::size_t{25} << 20);

// Rank `root`'s values of the tensors (parameters and buffers) on every rank, as DDP does at
// the start.
void broadcastTensors(DistributedContext& group, const std::vector<at::Tensor>& tensors, int root = 0);

// PyTorch's DistributedSampler without its shuffle (the order given is already the epoch's
// seeded permutation): padded by repeating its start to a multiple of the world size, rank r
// takes positions r, r + W, r + 2W, ... So each rank's k-th batch of B / W samples, taken
// together, is the k-th block of B samples of the order: a global batch means the same samples
// at any world size.
std::vector<std::int64_t> shardOf(const std::vector<std::int64_t>& order, int rank, int worldSize);

}  // namespace scns
