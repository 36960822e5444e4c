#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace scns {

LrSchedule::LrSchedule(const OptimConfig& optim, const ScheduleConfig& schedule, std::int64_t epochs,
                       std::int64_t batchesPerEpoch)
    : m_lr(optim.lr), m_schedule(schedule), m_epochs(epochs), m_batchesPerEpoch(std::max<std::int64_t>(1, batchesPerEpoch))
{
    double warmup = schedule.warmupEpochs;
    // One-cycle: a warm-up of 30% of training unless one is given, then cosine annealing.
    if (schedule.kind == ScheduleKind::OneCycle && warmup <= 0)
        warmup = 0.3 * static_cast<double>(epochs);
    m_warmupSteps = warmup * static_cast<double>(m_batchesPerEpoch);
}

double LrSchedule::at(std::int64_t step) const
{
    const double s = static_cast<double>(step);
    const double total = static_cast<double>(m_epochs * m_batchesPerEpoch);
    const double floor = m_schedule.minLr;
    if (s < m_warmupSteps) {
        // Linear ramp; one-cycle starts at lr/25 (as PyTorch's OneCycleLR), others near 0.
        // The factor is capped at 1: with a fractional number of warm-up steps the last step
        // inside the warm-up has (s + 1) > m_warmupSteps and would otherwise overshoot the peak.
        const double start = m_schedule.kind == ScheduleKind::OneCycle ? m_lr / 25.0 : 0.0;
        return start + (m_lr - start) * std::min(1.0, (s + 1.0) / m_warmupSteps);
    }
    if (m_schedule.kind == ScheduleKind::Constant)
        return m_lr;
    if (m_schedule.kind == ScheduleKind::Multistep) {
        const std::int64_t epoch = step / m_batchesPerEpoch;
        const auto passed = std::count_if(m_schedule.milestones.begin(), m_schedule.milestones.end(),
                                          [&](std::int64_t m) { return epoch >= m; });
        return m_lr * std::pow(m_schedule.gamma, static_cast<double>(passed));
    }
    // cosine and onecycle: cosine annealing from lr to min_lr over the steps after warm-up.
    const double span = std::max(1.0, total - m_warmupSteps);
    const double t = std::clamp((s - m_warmupSteps) / span, 0.0, 1.0);
    return floor + (m_lr - floor) * 0.5 * (1.0 + std::cos(std::numbers::pi * t));
}

}  // namespace scns
