#include "dist/process_group.h"

#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef SCNS_HAVE_NCCL
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

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
    Impl(const DistributedEnv& e, std::chrono::milliseconds t) : env(e), timeout(t) {}

    const DistributedEnv& env;
    std::chrono::milliseconds timeout;
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;  // CPU tensors, and GPU tensors without NCCL
    bool ncclForGpu = kBuiltWithNccl;
#ifdef SCNS_HAVE_NCCL
    c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;  // made at the first exchange of GPU tensors
#endif

    // Calls f(group) with the group that carries `t`'s device: NCCL for CUDA tensors where it
    // is chosen, Gloo otherwise. Every rank exchanges tensors of the same device at the same
    // time, so every rank makes the NCCL group at the same exchange. It is made then and not
    // at the start: it needs a GPU, and the configuration (distributed.backend, device)
    // reaches the ranks only after the rendezvous.
    template <typename F>
    auto on(const at::Tensor& t, F&& f)
    {
#ifdef SCNS_HAVE_NCCL
        if (t.is_cuda() && ncclForGpu) {
            if (!nccl) {
                auto options = c10d::ProcessGroupNCCL::Options::create();
                options->timeout = timeout;
                // Its own key space in the store: NCCL's ids would collide with Gloo's keys.
                auto keys = c10::make_intrusive<c10d::PrefixStore>("nccl", store);
                nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(keys, env.rank, env.worldSize, options);
            }
            return f(*nccl);
        }
#endif
        return f(*gloo);
    }
};

DistributedContext::DistributedContext(const DistributedEnv& env, std::chrono::milliseconds timeout)
    : m_env(env)
    , m_impl(std::make_unique<Impl>(m_env, timeout))
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
        m_impl->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(m_impl->store, env.rank, env.worldSize, glooOptions);
        return 0;
    });
}

DistributedContext::~DistributedContext() = default;

void DistributedContext::setGpuBackend(CollectiveBackend backend)
{
    if (backend == CollectiveBackend::Nccl && !kBuiltWithNccl)
        throw ConfigError({{"distributed.backend", "nccl", kNcclNotBuiltExpected}});
    m_impl->ncclForGpu = backend == CollectiveBackend::Nccl || (backend == CollectiveBackend::Auto && kBuiltWithNccl);
}

std::string DistributedContext::gpuBackendName() const { return m_impl->ncclForGpu ? "nccl" : "gloo"; }

namespace {

// c10d's Work (ProcessGroup::Work in LibTorch 1.13, c10d::Work later), waited for with the
// same messages as the blocking calls.
template <typename WorkPtr>
class PendingWork final : public PendingCollective {
public:
    PendingWork(const DistributedEnv& env, WorkPtr work) : m_env(env), m_work(std::move(work)) {}
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
        auto work = m_impl->on(tensors.front(), [&](auto& g) { return g.allreduce(tensors); });
        return std::make_unique<PendingWork<decltype(work)>>(m_env, std::move(work));
    });
}

void DistributedContext::allReduceSum(std::vector<at::Tensor>& tensors)
{
    startAllReduceSum(tensors)->wait();  // the same tensors: the sums land in them
}

void DistributedContext::broadcast(std::vector<at::Tensor>& tensors, int root)
{
    guarded(m_env, "broadcast", [&] {
        c10d::BroadcastOptions options;
        options.rootRank = root;
        m_impl->on(tensors.front(), [&](auto& g) { return g.broadcast(tensors, options); })->wait();
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
        m_impl->on(tensor, [&](auto& g) { return g.allgather(output, input); })->wait();
        return at::cat(output[0], 0);
    });
}

at::Tensor DistributedContext::gatherTo(const at::Tensor& tensor, int root)
{
    return guarded(m_env, "gather", [&] {
        std::vector<at::Tensor> input{tensor.contiguous()};
        std::vector<std::vector<at::Tensor>> output;  // Gloo and NCCL want none on the other ranks
        if (m_env.rank == root) {
            output.resize(1);
            for (int r = 0; r < m_env.worldSize; ++r)
                output[0].push_back(at::empty_like(input[0]));
        }
        c10d::GatherOptions options;
        options.rootRank = root;
        m_impl->on(tensor, [&](auto& g) { return g.gather(output, input, options); })->wait();
        return m_env.rank == root ? at::cat(output[0], 0) : at::Tensor();
    });
}

void DistributedContext::barrier()
{
    guarded(m_env, "barrier", [&] {
        m_impl->gloo->barrier()->wait();  // no tensors: NCCL's would guess a GPU
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
