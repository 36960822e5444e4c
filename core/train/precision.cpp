#include "train/precision.h"

#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "common/errors.h"

namespace scns {

namespace {

// LibTorch 2.x names the autocast state per device type; 1.13 has one pair of functions per
// backend (deprecated in 2.x). These two are the only version-dependent lines of the project.
bool autocastEnabled(c10::DeviceType type)
{
#if TORCH_VERSION_MAJOR >= 2
    return at::autocast::is_autocast_enabled(type);
#else
    return type == c10::DeviceType::CUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

void setAutocast(c10::DeviceType type, bool enabled, c10::ScalarType dtype)
{
#if TORCH_VERSION_MAJOR >= 2
    at::autocast::set_autocast_dtype(type, dtype);
    at::autocast::set_autocast_enabled(type, enabled);
#else
    if (type == c10::DeviceType::CUDA) {
        at::autocast::set_autocast_gpu_dtype(dtype);
        at::autocast::set_enabled(enabled);
    } else {
        at::autocast::set_autocast_cpu_dtype(dtype);
        at::autocast::set_cpu_enabled(enabled);
    }
#endif
}

c10::ScalarType autocastDtypeNow(c10::DeviceType type)
{
#if TORCH_VERSION_MAJOR >= 2
    return at::autocast::get_autocast_dtype(type);
#else
    return type == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype()
                                         : at::autocast::get_autocast_cpu_dtype();
#endif
}

}  // namespace

c10::ScalarType autocastDtype(Precision precision)
{
    switch (precision) {
    case Precision::Bf16: return c10::ScalarType::BFloat16;
    case Precision::Fp16: return c10::ScalarType::Half;
    case Precision::Fp32: break;
    }
    return c10::ScalarType::Float;
}

AutocastScope::AutocastScope(c10::Device device, Precision precision)
{
    if (precision == Precision::Fp32)
        return;
    if (!device.is_cpu() && !device.is_cuda())
        throw DeviceError("precision " + toString(precision) + " is supported on cpu and cuda devices, not "
                          + device.str());
    if (device.is_cpu() && precision == Precision::Fp16)
        throw DeviceError(
            "precision fp16 needs a CUDA device (LibTorch's CPU autocast computes in bf16); use bf16 or fp32 on cpu");
    m_type = device.type();
    m_wasEnabled = autocastEnabled(m_type);
    m_oldDtype = autocastDtypeNow(m_type);
    setAutocast(m_type, true, autocastDtype(precision));
    m_active = true;
}

AutocastScope::~AutocastScope()
{
    if (!m_active)
        return;
    setAutocast(m_type, m_wasEnabled, m_oldDtype);
    if (!m_wasEnabled)
        at::autocast::clear_cache();
}

at::Tensor LossScaler::scale(const at::Tensor& loss) const { return loss.mul(m_scale); }

bool LossScaler::unscale(const std::vector<at::Tensor>& parameters)
{
    std::vector<at::Tensor> grads;
    for (const auto& p : parameters)
        if (p.grad().defined())
            grads.push_back(p.grad());
    if (grads.empty())
        return true;
    at::NoGradGuard noGrad;
    const double inverse = 1.0 / m_scale;
    // One flag on the device for all gradients, then one read: the step is skipped or taken.
    at::Tensor finite = at::ones({}, grads.front().options().dtype(at::kBool));
    for (auto& g : grads) {
        g.mul_(inverse);
        finite.logical_and_(g.isfinite().all());
    }
    return finite.item<bool>();
}

void LossScaler::update(bool stepWasFinite)
{
    if (!stepWasFinite) {
        m_scale *= 0.5;
        m_goodSteps = 0;
        ++m_skipped;
        return;
    }
    if (++m_goodSteps >= m_growthInterval) {
        m_scale *= 2.0;
        m_goodSteps = 0;
    }
}

void toChannelsLast(const std::vector<at::Tensor>& parameters)
{
    at::NoGradGuard noGrad;
    for (const auto& p : parameters)
        if (p.dim() == 4)
            p.set_data(p.data().contiguous(at::MemoryFormat::ChannelsLast));
}

}  // namespace scns
