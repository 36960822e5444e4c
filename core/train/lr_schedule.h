#pragma once
// Learning rate as a pure function of training progress, so a resumed run continues on the
// same curve without schedule state in the checkpoint.
#include <cstdint>

#include "train/run_config.h"

namespace scns {

class LrSchedule {
public:
    LrSchedule(const OptimConfig& optim, const ScheduleConfig& schedule, std::int64_t epochs,
               std::int64_t batchesPerEpoch);
    // step: 0-based global optimiser step.
    double at(std::int64_t step) const;

private:
    double m_lr;
    ScheduleConfig m_schedule;
    std::int64_t m_epochs;
    std::int64_t m_batchesPerEpoch;
    double m_warmupSteps;
};

}  // namespace scns
