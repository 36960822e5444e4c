#include "train/run_job.h"

#include <nlohmann/json.hpp>

#include "dist/replica_group.h"
#include "store/checkpoint_location.h"
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
    // Rows of epochs after the checkpoint (a partial epoch, or epochs of a newer checkpoint
    // that could not be read) are recorded again.
    void resumedFrom(std::int64_t epoch) override { m_store.deleteRecordsAfterEpoch(m_runId, epoch); }
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

// Passes everything on and keeps the notices, which go into the run's stored message too.
class NoticeKeeper final : public TrainingObserver {
public:
    explicit NoticeKeeper(TrainingObserver& inner) : m_inner(inner) {}
    void onRunBegin(const RunStartInfo& i) override { m_inner.onRunBegin(i); }
    void onEpochBegin(std::int64_t e, std::int64_t b) override { m_inner.onEpochBegin(e, b); }
    void onBatchEnd(const BatchProgress& p) override { m_inner.onBatchEnd(p); }
    void onEpochEnd(const EpochSummary& s) override { m_inner.onEpochEnd(s); }
    void onCheckpoint(std::int64_t e, const std::string& p) override { m_inner.onCheckpoint(e, p); }
    void onRunEnd(const RunResult& r) override { m_inner.onRunEnd(r); }
    void onNotice(const std::string& text) override
    {
        m_notices += (m_notices.empty() ? "" : "; ") + text;
        m_inner.onNotice(text);
    }
    const std::string& notices() const { return m_notices; }

private:
    TrainingObserver& m_inner;
    std::string m_notices;
};

// What the ranks other than 0 record: nothing.
class NullRecorder final : public RunRecorder {
public:
    void metric(std::int64_t, std::int64_t, const std::string&, double) override {}
    void flush() override {}
    void checkpoint(std::int64_t, const std::string&) override {}
    void resumedFrom(std::int64_t) override {}
    void classSimilarity(std::int64_t, const std::string&, const std::vector<std::string>&,
                         const std::vector<float>&) override
    {}
    void probeNegatives(const std::vector<ProbeNegativeRow>&) override {}
    void testConfusion(std::int64_t, const std::vector<std::string>&, const std::vector<std::int64_t>&) override {}
};

// Rank 0 sends the request once: what train() needs besides the store. If rank 0 cannot start
// the run (a refused resume, a store error), the others are told so instead of waiting.
class RequestSender {
public:
    explicit RequestSender(ReplicaGroup* group) : m_group(group && group->worldSize() > 1 ? group : nullptr) {}
    ~RequestSender()
    {
        if (m_group && !m_sent)
            try {
                m_group->shareText("request",
                                   nlohmann::json{{"error", "rank 0 did not start the run (see its output)"}}.dump());
            } catch (...) {}
    }
    RequestSender(const RequestSender&) = delete;
    RequestSender& operator=(const RequestSender&) = delete;

    void send(const TrainRequest& request, const std::string& configJson)
    {
        if (!m_group || m_sent)
            return;
        m_sent = true;
        std::vector<std::string> fallbacks;
        for (const auto& f : request.resumeFallbacks)
            fallbacks.push_back(f.string());
        m_group->shareText("request",
                           nlohmann::json{{"run_id", request.runId},
                                          {"config", configJson},
                                          {"checkpoint_dir", request.checkpointDir.string()},
                                          {"resume_from", request.resumeFrom.string()},
                                          {"fallbacks", fallbacks}}
                               .dump());
    }

private:
    ReplicaGroup* m_group;
    bool m_sent = false;
};

// The run's message when a rank stopped: the rank's own note if it left one, else what rank 0 saw.
std::string interruptionMessage(ReplicaGroup& group, const std::string& seen, std::int64_t epochsCompleted)
{
    std::string why = oneLineMessage(seen);
    for (int r = 1; r < group.worldSize(); ++r)
        if (const auto note = group.note("rank-" + std::to_string(r))) {
            why = "rank " + std::to_string(r) + " of " + std::to_string(group.worldSize()) + " stopped: " + *note;
            break;
        }
    return why + "; resume continues after epoch " + std::to_string(epochsCompleted);
}

RunStatus statusFor(RunOutcome outcome)
{
    switch (outcome) {
    case RunOutcome::Finished: return RunStatus::Finished;
    case RunOutcome::Cancelled: return RunStatus::Cancelled;
    case RunOutcome::Diverged: return RunStatus::Diverged;
    case RunOutcome::Interrupted: return RunStatus::Interrupted;
    case RunOutcome::Failed: break;
    }
    return RunStatus::Failed;
}

RunOutcome outcomeFor(RunStatus status)
{
    switch (status) {
    case RunStatus::Finished: return RunOutcome::Finished;
    case RunStatus::Cancelled: return RunOutcome::Cancelled;
    case RunStatus::Diverged: return RunOutcome::Diverged;
    case RunStatus::Interrupted: return RunOutcome::Interrupted;
    default: return RunOutcome::Failed;
    }
}

// Half-written checkpoint files ("*.partial") left by a write that failed (a full disk).
void removePartialFiles(const std::filesystem::path& dir)
{
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().extension() == ".partial")
            std::filesystem::remove(it->path(), ec);
}

}  // namespace

std::string oneLineMessage(const std::string& what)
{
    // Our errors may list several problems on indented lines ("invalid configuration (2
    // problems):\n  a = ..."): they are joined with "; ". LibTorch's carry a C++ backtrace
    // after "Exception raised from ...", which is cut.
    std::string out;
    std::size_t start = 0;
    while (start <= what.size()) {
        std::size_t end = what.find('\n', start);
        if (end == std::string::npos)
            end = what.size();
        std::string line = what.substr(start, end - start);
        start = end + 1;
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
            line.erase(line.begin());
        while (!line.empty() && (line.back() == ' ' || line.back() == '\r'))
            line.pop_back();
        if (line.rfind("Exception raised from", 0) == 0 || line.rfind("frame #", 0) == 0)
            break;
        if (line.empty())
            continue;
        if (!out.empty())
            out += (out.back() == ':' ? " " : "; ");
        out += line;
    }
    return out.empty() ? "unknown error" : out;
}

std::int64_t createRun(RunStore& store, const RunConfig& config, std::int64_t parentRunId)
{
    // A distilled student's parent is its teacher's run, however the teacher was chosen: the
    // run named by distill.teacher_run, else the run that wrote the teacher's weights file.
    if (config.distill.enabled()) {
        if (config.distill.teacherRunId > 0 && store.hasRun(config.distill.teacherRunId))
            parentRunId = config.distill.teacherRunId;
        else if (const auto owner = store.runOfCheckpoint(config.distill.teacherWeights))
            parentRunId = *owner;
    }
    return store.createRun(config.displayName(), toJsonText(config), static_cast<std::int64_t>(config.seed), parentRunId);
}

std::filesystem::path checkpointDirFor(const std::filesystem::path& dbPath, std::int64_t runId)
{
    return runCheckpointFolder(dbPath, runId);
}

RunResult executeRun(const std::filesystem::path& dbPath, std::int64_t runId, bool resume, TrainingObserver& observer,
                     std::stop_token stop)
{
    RunOptions options;
    options.resume = resume;
    return executeRun(dbPath, runId, options, observer, std::move(stop));
}

RunResult executeRun(const std::filesystem::path& dbPath, std::int64_t runId, const RunOptions& options,
                     TrainingObserver& outer, std::stop_token stop, const ReplicaPlace& place)
{
    RequestSender sender(place.group);
    RunStore store(dbPath, StoreAccess::Write);
    const RunRecord record = store.run(runId);
    const std::string which = "run " + std::to_string(runId);
    if (options.resume && record.status == RunStatus::Finished)
        throw std::invalid_argument(which + " (" + record.name + ") has finished; there is nothing to resume");
    if (record.status == RunStatus::Running && !options.force)
        throw RunOwnedError(which + " is running in process " + std::to_string(record.ownerPid) + " on " + record.host
                            + "; if that process is gone (another host, a container), take the run over with "
                              "`scns resume " + std::to_string(runId) + " --force`");

    TrainRequest request;
    request.runId = runId;
    request.checkpointDir = checkpointDirFor(dbPath, runId);
    NoticeKeeper observer(outer);
    const bool fromScratch = !options.resume || options.fromScratch;
    if (options.resume && !options.fromScratch) {
        // Newest first, every recorded checkpoint whose file is still there (older ones may
        // have been pruned); the trainer falls back along this list when one cannot be read.
        const auto all = store.checkpoints(runId);
        std::vector<std::filesystem::path> usable;
        for (auto it = all.rbegin(); it != all.rend(); ++it) {
            std::error_code ec;
            if (std::filesystem::is_regular_file(it->path, ec))
                usable.push_back(it->path);
        }
        if (!all.empty() && usable.empty())
            throw NoUsableCheckpointError(
                which + " has no usable checkpoint: its newest, " + all.back().path + " (epoch "
                + std::to_string(all.back().epoch) + "), and the " + std::to_string(all.size() - 1)
                + " before it are not on disk. Resuming would start it over from epoch 0 and replace its recorded "
                  "epochs; to do that, resume it with --from-scratch (scns resume "
                + std::to_string(runId) + " --from-scratch)");
        if (!usable.empty()) {
            request.resumeFrom = usable.front();
            request.resumeFallbacks.assign(usable.begin() + 1, usable.end());
        } else if (record.status != RunStatus::Queued) {
            observer.onNotice(which + " wrote no checkpoint before it stopped; it starts from epoch 0");
        }
    }

    RunResult result;
    store.markRunning(runId);
    try {
        request.config = runConfigFromJsonText(record.configJson, which + " configuration");
        // Starting over: rows of "epoch 0" (similarity built before training, the teacher's
        // accuracy) go too. On resume the trainer says which checkpoint it loaded
        // (RunRecorder::resumedFrom) and the rows after it go then.
        if (options.resume && (fromScratch || request.resumeFrom.empty()))
            store.deleteRecordsAfterEpoch(runId, -1);
        request.group = place.group;
        request.localRank = place.localRank;
        request.localProcesses = place.localProcesses;
        sender.send(request, record.configJson);
        StoreRecorder recorder(store, runId);
        result = train(request, observer, recorder, stop);
        recorder.flush();
    } catch (const DistributedError& e) {
        // Another rank died, failed or hangs: the checkpoints are intact, resume continues.
        result.outcome = RunOutcome::Interrupted;
        const auto saved = store.checkpoints(runId);
        result.message = interruptionMessage(*place.group, e.what(), saved.empty() ? 0 : saved.back().epoch);
        observer.onRunEnd(result);
    } catch (const std::exception& e) {
        // Every exception, LibTorch's (c10::Error: a full disk while saving) included: the run
        // is marked failed and the process goes on. One line: no backtrace in the store.
        result.outcome = RunOutcome::Failed;
        result.message = oneLineMessage(e.what());
        observer.onRunEnd(result);
    } catch (...) {
        result.outcome = RunOutcome::Failed;
        result.message = "unknown error";
        observer.onRunEnd(result);
    }
    if (result.outcome == RunOutcome::Failed)
        removePartialFiles(request.checkpointDir);
    std::string stored = result.message;
    if (!observer.notices().empty())
        stored += stored.empty() ? observer.notices() : " (" + observer.notices() + ")";
    try {
        store.finishRun(runId, statusFor(result.outcome), stored);
        result.message = stored;
    } catch (const std::exception& e) {
        // The store cannot take it (a full disk): the run stays `running` under this process,
        // which the next open marks interrupted once the process has ended; resume continues
        // from the newest checkpoint then.
        result.outcome = RunOutcome::Failed;
        result.message = (stored.empty() ? "" : stored + "; ") + "the run's end could not be recorded: "
                         + oneLineMessage(e.what());
    }
    return result;
}

RunResult recordedResult(const std::filesystem::path& dbPath, std::int64_t runId)
{
    RunStore store(dbPath);
    const RunRecord record = store.run(runId);
    RunResult r;
    r.message = record.message;
    r.outcome = outcomeFor(record.status);
    const auto saved = store.checkpoints(runId);
    r.epochsCompleted = saved.empty() ? 0 : saved.back().epoch;
    return r;
}

RunResult executeReplica(const ReplicaPlace& place, TrainingObserver& observer, std::stop_token stop)
{
    ReplicaGroup& group = *place.group;
    RunResult result;
    try {
        const auto j = nlohmann::json::parse(group.shareText("request", {}));
        if (j.contains("error")) {
            result.outcome = RunOutcome::Failed;
            result.message = j.at("error").get<std::string>();
            return result;
        }
        TrainRequest request;
        request.runId = j.at("run_id").get<std::int64_t>();
        request.config = runConfigFromJsonText(j.at("config").get<std::string>(),
                                               "run " + std::to_string(request.runId) + " configuration (from rank 0)");
        request.checkpointDir = j.at("checkpoint_dir").get<std::string>();
        request.resumeFrom = j.at("resume_from").get<std::string>();
        for (const auto& f : j.at("fallbacks"))
            request.resumeFallbacks.emplace_back(f.get<std::string>());
        request.group = place.group;
        request.localRank = place.localRank;
        request.localProcesses = place.localProcesses;
        NullRecorder recorder;
        return train(request, observer, recorder, stop);
    } catch (const DistributedError& e) {  // a consequence: rank 0 or another rank stopped
        result.outcome = RunOutcome::Interrupted;
        result.message = oneLineMessage(e.what());
    } catch (const std::exception& e) {
        result.outcome = RunOutcome::Failed;
        result.message = oneLineMessage(e.what());
        group.leaveNote("rank-" + std::to_string(group.rank()), result.message);
    }
    observer.onRunEnd(result);
    return result;
}

}  // namespace scns
