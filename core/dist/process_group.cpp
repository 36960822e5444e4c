#include "dist/process_group.h"

#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

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
auto guarded(const DistributedEnv& env, const std::string& what, F&& f)
{
    try {
        return f();
    } catch (const c10::Error& e) {
        throw DistributedError("data-parallel " + what + " failed on " + where(env) + ": " + e.what_without_backtrace()
                               + " (another process of the run stopped or did not answer in time)");
    } catch (const std::exception& e) {
        throw DistributedError("data-parallel " + what + " failed on " + where(env) + ": " + e.what());
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

namespace {

// c10d's Work (ProcessGroup::Work in LibTorch 1.13, c10d::Work later), waited for with the
// same messages as the blocking calls.
template <typename WorkPtr>
class GlooPending final : public PendingCollective {
public:
    GlooPending(const DistributedEnv& env, WorkPtr work) : m_env(env), m_work(std::move(work)) {}
    void wait() override
    {
        guarded(m_env, "all-reduce", [&] {
            m_work->wait();
            return 0;
        });
    }

private:
    const DistributedEnv& m_env;
    WorkPtr m_work;
};

}  // namespace

std::unique_ptr<PendingCollective> DistributedContext::startAllReduceSum(std::vector<at::Tensor> tensors)
{
    return guarded(m_env, "all-reduce", [&]() -> std::unique_ptr<PendingCollective> {
        auto work = m_impl->group->allreduce(tensors);
        return std::make_unique<GlooPending<decltype(work)>>(m_env, std::move(work));
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

at::Tensor DistributedContext::gatherTo(const at::Tensor& tensor, int root)
{
    return guarded(m_env, "gather", [&] {
        std::vector<at::Tensor> input{tensor.contiguous()};
        std::vector<std::vector<at::Tensor>> output;  // Gloo wants none on the other ranks
        if (m_env.rank == root) {
            output.resize(1);
            for (int r = 0; r < m_env.worldSize; ++r)
                output[0].push_back(at::empty_like(input[0]));
        }
        c10d::GatherOptions options;
        options.rootRank = root;
        m_impl->group->gather(output, input, options)->wait();
        return m_env.rank == root ? at::cat(output[0], 0) : at::Tensor();
    });
}

void DistributedContext::barrier()
{
    guarded(m_env, "barrier", [&] {
        m_impl->group->barrier()->wait();
        return 0;
    });
}

std::string DistributedContext::shareText(const std::string& key, const std::string& text)
{
    return guarded(m_env, "exchange of '" + key + "'", [&] {
        const std::string k = "scns/" + key;
        if (m_env.rank == 0)
            m_impl->store->set(k, std::vector<std::uint8_t>(text.begin(), text.end()));
        const std::vector<std::uint8_t> value = m_impl->store->get(k);  // waits at most the timeout
        return std::string(value.begin(), value.end());
    });
}

void DistributedContext::leaveNote(const std::string& key, const std::string& text)
{
    try {
        m_impl->store->set("scns/note/" + key, std::vector<std::uint8_t>(text.begin(), text.end()));
    } catch (...) {  // rank 0's store is gone too: the launcher reports what it saw
    }
}

std::optional<std::string> DistributedContext::note(const std::string& key)
{
    try {
        const std::string k = "scns/note/" + key;
        if (!m_impl->store->check({k}))
            return std::nullopt;
        const std::vector<std::uint8_t> value = m_impl->store->get(k);
        return std::string(value.begin(), value.end());
    } catch (...) {
        return std::nullopt;
    }
}

}  // namespace scns
