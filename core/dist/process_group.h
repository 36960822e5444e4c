#pragma once
// The processes of a data-parallel run talking through LibTorch's own c10d engine (no home-made
// transport): a TCPStore rendezvous hosted by rank 0, a ProcessGroupGloo over it, and in builds
// with NCCL a ProcessGroupNCCL for GPU tensors (torch.distributed's "cpu:gloo,cuda:nccl"), the
// same pieces torch.distributed uses (docs/distributed.md). The c10d headers stay in the .cpp.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "dist/launch_env.h"
#include "dist/replica_group.h"

namespace scns {

class DistributedContext final : public ReplicaGroup {
public:
    // Joins the group: rank 0 serves the store at env.masterAddr:env.masterPort, every rank
    // connects and waits for the others at most `timeout`, which also bounds every later
    // collective (a rank that died or hangs ends the others' waits with DistributedError
    // instead of blocking them). Throws DistributedError naming the address and the rank.
    DistributedContext(const DistributedEnv& env, std::chrono::milliseconds timeout);
    ~DistributedContext();
    DistributedContext(const DistributedContext&) = delete;
    DistributedContext& operator=(const DistributedContext&) = delete;

    int rank() const override { return m_env.rank; }
    int worldSize() const override { return m_env.worldSize; }
    const DistributedEnv& env() const { return m_env; }
    // Throws ConfigError for nccl in a build without NCCL. Auto (the start): NCCL where built.
    void setGpuBackend(CollectiveBackend backend) override;
    // What carries GPU tensors now: "nccl" or "gloo".
    std::string gpuBackendName() const;

    // In place on every rank; CPU tensors through Gloo, GPU tensors through NCCL (where built
    // and chosen) or Gloo. Throw DistributedError on a failed peer.
    void allReduceSum(std::vector<at::Tensor>& tensors) override;
    std::unique_ptr<PendingCollective> startAllReduceSum(std::vector<at::Tensor> tensors) override;
    void broadcast(std::vector<at::Tensor>& tensors, int root) override;
    // Every rank's `tensor` (same shape on all), concatenated along dimension 0 in rank order.
    at::Tensor allGather(const at::Tensor& tensor) override;
    at::Tensor gatherTo(const at::Tensor& tensor, int root) override;
    void barrier() override;
    // Through the rendezvous store: rank 0 sets the key, every rank reads it.
    std::string shareText(const std::string& key, const std::string& text) override;
    void leaveNote(const std::string& key, const std::string& text) override;
    std::optional<std::string> note(const std::string& key) override;

private:
    struct Impl;
    DistributedEnv m_env;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace scns
