#include "train/run_job.h"

#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "store/metric_writer.h"
#include "store/run_store.h"
#include "train/trainer.h"

namespace scns {

namespace {

class StoreRecorder final : public RunRecorder {
public:
    StoreRecorder(RunStore& store, std::int64_t runId) : m_store(store), m_runId(runId), m_writer(store, runId) {}
    void metric(std::int64_t epoch, std::int64_t step, const std::string& name, double value) override
    {
        m_writer.add(epoch, step, name, value);
    }
    void flush() override { m_writer.flush(); }
    void checkpoint(std::int64_t epoch, const std::string& path) override { m_store.addCheckpoint(m_runId, epoch, path); }
    void classSimilarity(std::int64_t epoch, const std::string& source, const std::vector<std::string>& classNames,
                         const std::vector<float>& matrix) override
    {
        m_store.addClassSimilarity(m_runId, epoch, source, classNames, matrix);
    }
    void probeNegatives(const std::vector<ProbeNegativeRow>& rows) override { m_store.appendProbeNegatives(m_runId, rows); }
    void testConfusion(std::int64_t epoch, const std::vector<std::string>& classNames,
                       const std::vector<std::int64_t>& counts) override
    {
        m_store.addTestConfusion(m_runId, epoch, classNames, counts);
    }

private:
    RunStore& m_store;
    std::int64_t m_runId;
    MetricWriter m_writer;
};

RunStatus statusFor(RunOutcome outcome)
{
    switch (outcome) {
    case RunOutcome::Finished: return RunStatus::Finished;
    case RunOutcome::Cancelled: return RunStatus::Cancelled;
    case RunOutcome::Diverged: return RunStatus::Diverged;
    case RunOutcome::Failed: break;
    }
    return RunStatus::Failed;
}

}  // namespace

std::int64_t createRun(RunStore& store, const RunConfig& config, std::int64_t parentRunId)
{
    config.validate();
    return store.createRun(config.displayName(), toJsonText(config), static_cast<std::int64_t>(config.seed), parentRunId);
}

std::filesystem::path checkpointDirFor(const std::filesystem::path& dbPath, std::int64_t runId)
{
    return dbPath.parent_path() / "checkpoints" / ("run-" + std::to_string(runId));
}

RunResult executeRun(const std::filesystem::path& dbPath, std::int64_t runId, bool resume, TrainingObserver& observer,
                     std::stop_token stop)
{
    RunStore store(dbPath);
    const RunRecord record = store.run(runId);
    if (resume && record.status == RunStatus::Finished)
        throw std::invalid_argument("run " + std::to_string(runId) + " (" + record.name
                                    + ") has finished; there is nothing to resume");
    if (record.status == RunStatus::Running)
        throw std::invalid_argument("run " + std::to_string(runId) + " is running in process "
                                    + std::to_string(record.ownerPid) + " on " + record.host);

    TrainRequest request;
    request.runId = runId;
    request.checkpointDir = checkpointDirFor(dbPath, runId);
    std::int64_t resumeEpoch = 0;
    if (resume) {
        // The newest checkpoint whose file is still on disk (older ones may have been pruned).
        const auto all = store.checkpoints(runId);
        for (auto it = all.rbegin(); it != all.rend(); ++it) {
            if (std::filesystem::exists(it->path)) {
                request.resumeFrom = it->path;
                resumeEpoch = it->epoch;
                break;
            }
        }
    }

    RunResult result;
    store.markRunning(runId);
    try {
        request.config = runConfigFromJsonText(record.configJson, "run " + std::to_string(runId) + " configuration");
        // Rows of epochs after the checkpoint (a partial epoch) are recorded again on resume.
        // Without a checkpoint the run starts over: rows of "epoch 0" (similarity built before
        // training, the teacher's accuracy) go too.
        if (resume)
            store.deleteRecordsAfterEpoch(runId, resumeEpoch > 0 ? resumeEpoch : -1);
        StoreRecorder recorder(store, runId);
        result = train(request, observer, recorder, stop);
        recorder.flush();
    } catch (const std::exception& e) {
        result.outcome = RunOutcome::Failed;
        std::string what = e.what();
        if (dynamic_cast<const Error*>(&e) == nullptr)
            what = what.substr(0, what.find('\n'));  // LibTorch errors carry a backtrace
        result.message = what;
        observer.onRunEnd(result);
    }
    store.finishRun(runId, statusFor(result.outcome), result.message);
    return result;
}

}  // namespace scns
