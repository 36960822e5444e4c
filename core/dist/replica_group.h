#pragma once
// The collectives a data-parallel run needs, as the trainer sees them: DistributedContext
// (dist/process_group.h, LibTorch's c10d) implements them, and the trainer, the memory banks and
// the helpers below compile without c10d (a LibTorch without Gloo's headers builds no process
// group, and every run has world size 1 there).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "common/choices.h"

namespace scns {

// A collective on its way (started by ReplicaGroup::startAllReduceSum).
class PendingCollective {
public:
    virtual ~PendingCollective() = default;
    // Returns when it is done on this rank; throws DistributedError when a peer failed.
    virtual void wait() = 0;
};

class ReplicaGroup {
public:
    virtual ~ReplicaGroup() = default;
    virtual int rank() const = 0;
    virtual int worldSize() const = 0;
    // What carries the exchanges of GPU tensors from now on (distributed.backend; CPU tensors
    // always go through Gloo). Every rank sets the same before its first exchange of GPU tensors.
    virtual void setGpuBackend(CollectiveBackend backend) {}
    // In place on every rank. Throw DistributedError when a peer failed or did not answer in time.
    virtual void allReduceSum(std::vector<at::Tensor>& tensors) = 0;
    // The same, started in the background: the tensors must stay untouched until wait().
    virtual std::unique_ptr<PendingCollective> startAllReduceSum(std::vector<at::Tensor> tensors) = 0;
    virtual void broadcast(std::vector<at::Tensor>& tensors, int root) = 0;
    // Every rank's `tensor` (same shape on all), concatenated along dimension 0 in rank order.
    virtual at::Tensor allGather(const at::Tensor& tensor) = 0;
    // The same concatenation on rank `root` only (an undefined tensor on the others), so that
    // data only one rank works on (the reference outputs its tables are built from) is not
    // copied to every rank.
    virtual at::Tensor gatherTo(const at::Tensor& tensor, int root) = 0;
    virtual void barrier() = 0;
    // Rank 0's `text` under `key` on every rank (small control messages: a run's id, its
    // configuration); the other ranks' `text` is ignored. Each key is used once per run.
    virtual std::string shareText(const std::string& key, const std::string& text) = 0;
    // A note any rank leaves (why it stops) and any rank reads without waiting: nullopt when no
    // rank left one under `key`. Never throws (the run is ending when these are used).
    virtual void leaveNote(const std::string& key, const std::string& text) = 0;
    virtual std::optional<std::string> note(const std::string& key) = 0;
};

// DDP's gradient averaging overlapped with backward: GradientReducer (dist/gradient_reducer.h).

// Rank `root`'s values of the tensors (parameters and buffers) on every rank, as DDP does at
// the start.
void broadcastTensors(ReplicaGroup& group, const std::vector<at::Tensor>& tensors, int root = 0);

// The sum over ranks of `x` as a step of the autograd graph: its gradient is the sum over ranks
// of the gradients (SyncBatchNorm's statistics).
at::Tensor allReduceSumWithGradient(ReplicaGroup& group, const at::Tensor& x);

// The sum over ranks of a few numbers (losses, counts), in double precision.
std::vector<double> sumOverRanks(ReplicaGroup& group, const std::vector<double>& values);

}  // namespace scns
