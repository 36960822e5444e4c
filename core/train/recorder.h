#pragma once
// Where a training loop sends what must be kept: metric rows and checkpoint files. The run
// store implements it (train/run_job.cpp); tests can use an in-memory one.
#include <cstdint>
#include <string>

namespace scns {

class RunRecorder {
public:
    virtual ~RunRecorder() = default;
    virtual void metric(std::int64_t epoch, std::int64_t step, const std::string& name, double value) = 0;
    // Called at each epoch end, before the checkpoint is recorded.
    virtual void flush() = 0;
    virtual void checkpoint(std::int64_t epoch, const std::string& path) = 0;
};

}  // namespace scns
