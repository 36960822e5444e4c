#include "dist/process_group.h"

#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <algorithm>
#include <string>

#include "common/errors.h"

namespace scns {

namespace {

std::string where(const DistributedEnv& env)
{
    return "rank " + std::to_string(env.rank) + " of " + std::to_string(env.worldSize) + " (master " + env.masterAddr
        + ":" + std::to_string(env.masterPort) + ")";
}

template <typename F>
auto guarded(const DistributedEnv& env, const char* what, F&& f)
{
    try {
        return f();
    } catch (const c10::Error& e) {
        throw DistributedError(std::string("data-parallel ") + what + " failed on " + where(env) + ": "
                               + e.what_without_backtrace()
                               + " (another process of the run stopped or did not answer in time)");
    } catch (const std::exception& e) {
        throw DistributedError(std::string("data-parallel ") + what + " failed on " + where(env) + ": " + e.what());
    }
}

// TCPStore's libuv backend (LibTorch 2.3 on, where `useLibUV` exists and defaults to true) is
// missing from builds without it, Debian 13's 2.6 among them ("use_libuv was requested but
// PyTorch was build without libuv support"); the classic backend is in every build.
template <typename Options>
void useClassicBackend(Options& options)
{
    if constexpr (requires { options.useLibUV; })
        options.useLibUV = false;
}

}  // namespace

struct DistributedContext::Impl {
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

DistributedContext::DistributedContext(const DistributedEnv& env, std::chrono::milliseconds timeout)
    : m_env(env)
    , m_impl(std::make_unique<Impl>())
{
    guarded(m_env, "rendezvous", [&] {
        c10d::TCPStoreOptions options;
        options.port = static_cast<std::uint16_t>(env.masterPort);
        options.isServer = env.rank == 0;
        options.numWorkers = static_cast<std::size_t>(env.worldSize);
        options.waitWorkers = true;
        options.timeout = timeout;
        useClassicBackend(options);
        m_impl->store = c10::make_intrusive<c10d::TCPStore>(env.masterAddr, options);
        auto glooOptions = c10d::ProcessGroupGloo::Options::create(timeout);
        glooOptions->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        m_impl->group =
            c10::make_intrusive<c10d::ProcessGroupGloo>(m_impl->store, env.rank, env.worldSize, glooOptions);
        return 0;
    });
}

DistributedContext::~DistributedContext() = default;

void DistributedContext::allReduceSum(std::vector<at::Tensor>& tensors)
{
    guarded(m_env, "all-reduce", [&] {
        m_impl->group->allreduce(tensors)->wait();
        return 0;
    });
}

void DistributedContext::broadcast(std::vector<at::Tensor>& tensors, int root)
{
    guarded(m_env, "broadcast", [&] {
        c10d::BroadcastOptions options;
        options.rootRank = root;
        m_impl->group->broadcast(tensors, options)->wait();
        return 0;
    });
}

at::Tensor DistributedContext::allGather(const at::Tensor& tensor)
{
    return guarded(m_env, "all-gather", [&] {
        std::vector<at::Tensor> input{tensor.contiguous()};
        std::vector<std::vector<at::Tensor>> output(1);
        for (int r = 0; r < m_env.worldSize; ++r)
            output[0].push_back(at::empty_like(input[0]));
        m_impl->group->allgather(output, input)->wait();
        return at::cat(output[0], 0);
    });
}

void DistributedContext::barrier()
{
    guarded(m_env, "barrier", [&] {
        m_impl->group->barrier()->wait();
        return 0;
    });
}

void averageGradients(DistributedContext& group, const std::vector<at::Tensor>& parameters, std::size_t bucketBytes)
{
    at::NoGradGuard noGrad;
    const double scale = 1.0 / static_cast<double>(group.worldSize());
    std::size_t begin = 0;
    while (begin < parameters.size()) {
        // One bucket: consecutive parameters of one dtype up to bucketBytes (at least one).
        std::size_t end = begin, bytes = 0;
        const auto dtype = parameters[begin].scalar_type();
        while (end < parameters.size() && parameters[end].scalar_type() == dtype
               && (end == begin || bytes + parameters[end].nbytes() <= bucketBytes)) {
            bytes += parameters[end].nbytes();
            ++end;
        }
        std::vector<at::Tensor> pieces;
        for (std::size_t i = begin; i < end; ++i) {
            const at::Tensor& p = parameters[i];
            pieces.push_back(p.grad().defined() ? p.grad().reshape({-1}) : at::zeros({p.numel()}, p.options()));
        }
        std::vector<at::Tensor> flat{at::cat(pieces)};
        group.allReduceSum(flat);
        flat[0].mul_(scale);
        std::int64_t offset = 0;
        for (std::size_t i = begin; i < end; ++i) {
            at::Tensor p = parameters[i];
            const at::Tensor part = flat[0].narrow(0, offset, p.numel()).view(p.sizes());
            if (p.grad().defined())
                p.mutable_grad().copy_(part);
            else
                p.mutable_grad() = part.clone();
            offset += p.numel();
        }
        begin = end;
    }
}

void broadcastTensors(DistributedContext& group, const std::vector<at::Tensor>& tensors, int root)
{
    at::NoGradGuard noGrad;
    for (const at::Tensor& t : tensors) {
        std::vector<at::Tensor> one{t.detach()};
        group.broadcast(one, root);
    }
}

std::vector<std::int64_t> shardOf(const std::vector<std::int64_t>& order, int rank, int worldSize)
{
    if (worldSize < 1 || rank < 0 || rank >= worldSize || order.empty())
        return {};
    const std::size_t world = static_cast<std::size_t>(worldSize);
    const std::size_t total = (order.size() + world - 1) / world * world;
    std::vector<std::int64_t> out;
    out.reserve(total / world);
    for (std::size_t i = static_cast<std::size_t>(rank); i < total; i += world)
        out.push_back(order[i % order.size()]);
    return out;
}

}  // namespace scns
