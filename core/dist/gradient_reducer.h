#pragma once
// DDP's gradient synchronisation, overlapped with backward: the parameters are cut into buckets
// in reverse order (the order backward produces their gradients), a hook on each parameter
// copies its gradient into its bucket as soon as autograd has it, and a full bucket is
// all-reduced at once, in the background (c10d runs it on its own threads), while backward goes
// on with the earlier layers. After backward, finish() waits for the buckets and writes the
// averages into the parameters' .grad. Buckets start in bucket order on every rank, so every
// rank issues the same collectives in the same order (as c10d's Reducer does).
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <vector>

#include <ATen/core/Tensor.h>

#include "dist/replica_group.h"

namespace scns {

class GradientReducer {
public:
    // DDP's defaults: a first bucket of 1 MiB (it starts early) and 25 MiB after it.
    static constexpr std::size_t kBucketBytes = std::size_t{25} << 20;
    static constexpr std::size_t kFirstBucketBytes = std::size_t{1} << 20;

    // Hooks on every parameter that requires a gradient (they stay until destruction).
    GradientReducer(ReplicaGroup& group, std::vector<at::Tensor> parameters, std::size_t bucketBytes = kBucketBytes,
                    std::size_t firstBucketBytes = kFirstBucketBytes);
    ~GradientReducer();
    GradientReducer(const GradientReducer&) = delete;
    GradientReducer& operator=(const GradientReducer&) = delete;

    // Before each backward whose gradients are to be averaged: arms the hooks.
    void prepare();
    // After that backward: starts the buckets not started yet (a parameter without a gradient in
    // this step takes part as zeros, so every rank sends the same buckets), waits for all of
    // them and leaves each parameter's .grad as the mean over the ranks. Throws
    // DistributedError when a peer failed.
    void finish();

    struct Stats {
        int buckets = 0;
        int startedDuringBackward = 0;  // of the last step: the overlap
    };
    Stats lastStep() const { return m_stats; }

private:
    struct Bucket {
        std::vector<std::size_t> members;  // indices into m_params
        std::vector<std::int64_t> offsets;
        at::Tensor flat;
        std::size_t pending = 0;  // members whose gradient has not arrived in this step
        std::unique_ptr<PendingCollective> work;
    };
    void gradientArrived(std::size_t param, const at::Tensor& grad);
    void startReadyBuckets();
    void start(Bucket& b);

    ReplicaGroup& m_group;
    std::vector<at::Tensor> m_params;
    std::vector<unsigned> m_hooks;  // per parameter; only for those that require a gradient
    std::vector<std::size_t> m_bucketOf, m_slotOf;
    std::vector<std::uint8_t> m_arrived;
    std::vector<Bucket> m_buckets;
    std::size_t m_nextToStart = 0;
    bool m_armed = false;
    std::exception_ptr m_failure;
    Stats m_stats;
};

}  // namespace scns
