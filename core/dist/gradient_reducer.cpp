#include "dist/gradient_reducer.h"

#include <ATen/ATen.h>

#include <stdexcept>

namespace scns {

GradientReducer::GradientReducer(ReplicaGroup& group, std::vector<at::Tensor> parameters, std::size_t bucketBytes,
                                 std::size_t firstBucketBytes)
    : m_group(group)
    , m_params(std::move(parameters))
    , m_hooks(m_params.size(), 0)
    , m_bucketOf(m_params.size(), 0)
    , m_slotOf(m_params.size(), 0)
    , m_arrived(m_params.size(), 0)
{
    // Buckets over the parameters in reverse (backward's order), one dtype and device each.
    std::size_t bytes = 0;
    for (std::size_t k = m_params.size(); k-- > 0;) {
        const at::Tensor& p = m_params[k];
        if (!p.requires_grad())
            continue;
        const std::size_t cap = m_buckets.size() <= 1 ? firstBucketBytes : bucketBytes;
        const bool fits = !m_buckets.empty() && bytes + p.nbytes() <= cap
            && m_params[m_buckets.back().members.front()].options().type_equal(p.options());
        if (!fits) {
            m_buckets.emplace_back();
            bytes = 0;
        }
        Bucket& b = m_buckets.back();
        m_bucketOf[k] = m_buckets.size() - 1;
        m_slotOf[k] = b.members.size();
        b.offsets.push_back(b.members.empty() ? 0 : b.offsets.back() + m_params[b.members.back()].numel());
        b.members.push_back(k);
        bytes += p.nbytes();
    }
    for (Bucket& b : m_buckets) {
        const at::Tensor& last = m_params[b.members.back()];
        b.flat = at::zeros({b.offsets.back() + last.numel()}, last.options().requires_grad(false));
    }
    m_stats.buckets = static_cast<int>(m_buckets.size());
    for (std::size_t k = 0; k < m_params.size(); ++k)
        if (m_params[k].requires_grad())
            m_hooks[k] = m_params[k].register_hook([this, k](const at::Tensor& grad) { gradientArrived(k, grad); });
}

GradientReducer::~GradientReducer()
{
    for (std::size_t k = 0; k < m_params.size(); ++k)
        if (m_params[k].requires_grad())
            m_params[k].remove_hook(m_hooks[k]);
    for (Bucket& b : m_buckets)  // c10d may still write into a bucket of a failed step
        if (b.work)
            try {
                b.work->wait();
            } catch (...) {}
}

void GradientReducer::prepare()
{
    for (Bucket& b : m_buckets) {
        b.pending = b.members.size();
        b.work.reset();
    }
    std::fill(m_arrived.begin(), m_arrived.end(), std::uint8_t{0});
    m_nextToStart = 0;
    m_failure = nullptr;
    m_stats.startedDuringBackward = 0;
    m_armed = true;
}

void GradientReducer::gradientArrived(std::size_t k, const at::Tensor& grad)
{
    if (!m_armed || m_failure)
        return;
    try {
        at::NoGradGuard noGrad;
        Bucket& b = m_buckets[m_bucketOf[k]];
        const at::Tensor& p = m_params[k];
        at::Tensor slot = b.flat.narrow(0, b.offsets[m_slotOf[k]], p.numel()).view(p.sizes());
        if (b.work)
            throw std::logic_error("a gradient arrived twice in one backward after its bucket was sent");
        if (m_arrived[k]) {
            slot.add_(grad);  // a second backward in one step: the gradients add, as in .grad
            return;
        }
        slot.copy_(grad);
        m_arrived[k] = 1;
        if (--b.pending == 0)
            startReadyBuckets();
    } catch (...) {
        m_failure = std::current_exception();
    }
}

void GradientReducer::startReadyBuckets()
{
    while (m_nextToStart < m_buckets.size() && m_buckets[m_nextToStart].pending == 0) {
        start(m_buckets[m_nextToStart++]);
        ++m_stats.startedDuringBackward;
    }
}

void GradientReducer::start(Bucket& b) { b.work = m_group.startAllReduceSum({b.flat}); }

void GradientReducer::finish()
{
    m_armed = false;
    at::NoGradGuard noGrad;
    if (!m_failure) {
        try {
            for (; m_nextToStart < m_buckets.size(); ++m_nextToStart) {
                Bucket& b = m_buckets[m_nextToStart];
                for (std::size_t i = 0; i < b.members.size(); ++i)
                    if (!m_arrived[b.members[i]])
                        b.flat.narrow(0, b.offsets[i], m_params[b.members[i]].numel()).zero_();
                start(b);
            }
        } catch (...) {
            m_failure = std::current_exception();
        }
    }
    std::exception_ptr waitFailure;
    for (Bucket& b : m_buckets)
        if (b.work) {
            try {
                b.work->wait();
            } catch (...) {
                if (!waitFailure)
                    waitFailure = std::current_exception();
            }
            b.work.reset();
        }
    if (m_failure)
        std::rethrow_exception(m_failure);
    if (waitFailure)
        std::rethrow_exception(waitFailure);
    const double scale = 1.0 / static_cast<double>(m_group.worldSize());
    for (Bucket& b : m_buckets) {
        b.flat.mul_(scale);
        for (std::size_t i = 0; i < b.members.size(); ++i) {
            at::Tensor p = m_params[b.members[i]];
            const at::Tensor part = b.flat.narrow(0, b.offsets[i], p.numel()).view(p.sizes());
            if (p.grad().defined())
                p.mutable_grad().copy_(part);
            else
                p.mutable_grad() = part.clone();
        }
    }
}

}  // namespace scns
