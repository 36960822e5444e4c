#pragma once
// Where a training loop sends what must be kept: metric rows, checkpoint files, and for
// contrastive runs the class similarity matrices and probe negatives. The run store
// implements it (train/run_job.cpp); tests can use an in-memory one.
#include <cstdint>
#include <string>
#include <vector>

#include "store/inspection_records.h"

namespace scns {

class RunRecorder {
public:
    virtual ~RunRecorder() = default;
    virtual void metric(std::int64_t epoch, std::int64_t step, const std::string& name, double value) = 0;
    // Called at each epoch end, before the checkpoint is recorded.
    virtual void flush() = 0;
    virtual void checkpoint(std::int64_t epoch, const std::string& path) = 0;
    // A resume loaded the checkpoint of `epoch`: what was recorded after it is recorded again.
    virtual void resumedFrom(std::int64_t epoch) {}
    // epoch 0: built before training; N: refreshed before epoch N + 1. matrix: C x C row-major.
    virtual void classSimilarity(std::int64_t epoch, const std::string& source, const std::vector<std::string>& classNames,
                                 const std::vector<float>& matrix)
    {
    }
    virtual void probeNegatives(const std::vector<ProbeNegativeRow>& rows) {}
    // The test split's confusion matrix after epoch `epoch` (counts, C x C, row = true class).
    virtual void testConfusion(std::int64_t epoch, const std::vector<std::string>& classNames,
                               const std::vector<std::int64_t>& counts)
    {
    }
};

}  // namespace scns
