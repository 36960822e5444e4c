#include "queue/queued_run.h"

#include <QtConcurrent/QtConcurrent>

#include <chrono>
#include <exception>

#include "common/scns_program.h"
#include "dist/local_run.h"
#include "queue/observer_bridge.h"
#include "store/run_store.h"
#include "train/run_job.h"

namespace scns {

void registerTrainingMetaTypes()
{
    qRegisterMetaType<RunStartInfo>();
    qRegisterMetaType<BatchProgress>();
    qRegisterMetaType<EpochSummary>();
    qRegisterMetaType<RunResult>();
    qRegisterMetaType<QList<BatchProgress>>();
    qRegisterMetaType<JobState>();
}

namespace {

// Runs on the training thread. Batch callbacks can come thousands of times a second for a
// small network; one queued event each would flood the GUI's event queue, so batches are
// collected and delivered together once per kBatchInterval (and at each epoch's last batch):
// live curves get every step, the event loop a handful of events per second.
class ForwardingObserver final : public TrainingObserver {
public:
    ForwardingObserver(ObserverBridge* bridge, std::stop_source stop, std::shared_ptr<std::atomic<bool>> pause)
        : m_bridge(bridge), m_stop(std::move(stop)), m_pause(std::move(pause))
    {
    }

    void onRunBegin(const RunStartInfo& info) override { Q_EMIT m_bridge->runBegan(info); }

    void onBatchEnd(const BatchProgress& p) override
    {
        m_pending.append(p);
        const auto now = std::chrono::steady_clock::now();
        if (p.batch != p.batchesPerEpoch && now - m_lastBatch < kBatchInterval)
            return;
        m_lastBatch = now;
        flush();
    }

    void onEpochEnd(const EpochSummary& s) override
    {
        flush();
        Q_EMIT m_bridge->epochEnded(s);
    }

    void onRunEnd(const RunResult&) override { flush(); }

    void onNotice(const std::string& text) override { Q_EMIT m_bridge->notice(QString::fromStdString(text)); }

    // "Pause at the next epoch": the epoch's checkpoint is on disk now, so stopping here
    // loses nothing; the trainer sees the stop at the next epoch start.
    void onCheckpoint(std::int64_t, const std::string&) override
    {
        if (m_pause->load())
            m_stop.request_stop();
    }

private:
    void flush()
    {
        if (m_pending.isEmpty())
            return;
        Q_EMIT m_bridge->batchesEnded(m_pending);
        m_pending.clear();
    }

    static constexpr std::chrono::milliseconds kBatchInterval{100};
    QList<BatchProgress> m_pending;
    ObserverBridge* m_bridge;
    std::stop_source m_stop;
    std::shared_ptr<std::atomic<bool>> m_pause;
    std::chrono::steady_clock::time_point m_lastBatch{};
};

// The run's process count and timeout from its stored configuration; one process when it cannot
// be read (executeRun then reports the problem and marks the run failed).
std::pair<int, double> processesOf(const std::filesystem::path& db, std::int64_t runId)
{
    try {
        RunStore store(db);
        const RunConfig c = runConfigFromJsonText(store.run(runId).configJson, "run configuration");
        return {static_cast<int>(c.distributed.processes), c.distributed.timeoutSeconds};
    } catch (...) {
        return {1, 0};
    }
}

}  // namespace

QueuedRun::QueuedRun(QString dbPath, qint64 runId, QString name, bool resume, QObject* parent)
    : QObject(parent), m_dbPath(std::move(dbPath)), m_runId(runId), m_name(std::move(name)), m_resume(resume),
      m_bridge(new ObserverBridge(this)), m_pauseRequested(std::make_shared<std::atomic<bool>>(false))
{
    registerTrainingMetaTypes();
    connect(m_bridge, &ObserverBridge::runBegan, this, &QueuedRun::onRunBegan, Qt::QueuedConnection);
    connect(m_bridge, &ObserverBridge::batchesEnded, this, &QueuedRun::onBatches, Qt::QueuedConnection);
    connect(m_bridge, &ObserverBridge::epochEnded, this, &QueuedRun::onEpoch, Qt::QueuedConnection);
    connect(m_bridge, &ObserverBridge::threadDone, this, &QueuedRun::onThreadDone, Qt::QueuedConnection);
    connect(m_bridge, &ObserverBridge::notice, this, [this](const QString& text) {
        m_notices << text;
        m_message = text;
        Q_EMIT changed();
    }, Qt::QueuedConnection);
    connect(m_bridge, &ObserverBridge::noUsableCheckpoint, this, [this] { m_refusedNoCheckpoint = true; },
            Qt::QueuedConnection);
}

QueuedRun::~QueuedRun()
{
    if (m_thread.joinable()) {
        m_stop.request_stop();
        m_thread.join();
    }
}

void QueuedRun::start()
{
    if (m_state != JobState::Waiting)
        return;
    if (m_thread.joinable())
        m_thread.join();  // the previous (finished) execution of this run
    // A "cancelled before it started" store update must land before the run is marked
    // running, not after (a few milliseconds, only right after such a cancel).
    m_storeUpdate.waitForFinished();
    m_stop = std::stop_source();
    m_pauseRequested->store(false);
    m_message.clear();
    m_notices.clear();
    m_refusedNoCheckpoint = false;
    m_etaSeconds = -1;
    const std::filesystem::path db = m_dbPath.toStdString();
    const std::int64_t id = m_runId;
    RunOptions options;
    options.resume = m_resume;
    options.fromScratch = m_fromScratch;
    m_fromScratch = false;  // the user's word counts for one start
    ObserverBridge* bridge = m_bridge;
    m_thread = std::thread(
        [db, id, options, bridge, stop = m_stop, pause = m_pauseRequested, worker = scnsProgramPath().toStdString()]() mutable {
            // The thread boundary: nothing may escape (std::terminate would end the workbench).
            ForwardingObserver observer(bridge, stop, pause);
            RunResult result;
            try {
                const auto [processes, timeout] = processesOf(db, id);
                result = processes > 1
                    ? executeRunWithLocalRanks(db, id, options, observer, stop.get_token(), processes, timeout, worker)
                    : executeRun(db, id, options, observer, stop.get_token());
            } catch (const NoUsableCheckpointError& e) {
                result.outcome = RunOutcome::Failed;
                result.message = e.what();
                Q_EMIT bridge->noUsableCheckpoint(QString::fromStdString(result.message));
            } catch (const std::exception& e) {  // store unreadable, run already running/finished
                result.outcome = RunOutcome::Failed;
                result.message = oneLineMessage(e.what());
            } catch (...) {
                result.outcome = RunOutcome::Failed;
                result.message = "unknown error";
            }
            Q_EMIT bridge->threadDone(result);
        });
    setState(JobState::Running);
}

void QueuedRun::cancel()
{
    if (m_state == JobState::Waiting) {
        if (!m_resume) {
            // Never started: the store still says queued. Say cancelled there too (off the GUI
            // thread), so the browser offers to resume (start) it later.
            m_storeUpdate = QtConcurrent::run([db = m_dbPath.toStdString(), id = m_runId] {
                try {
                    RunStore store(db);
                    if (store.run(id).status == RunStatus::Queued)
                        store.finishRun(id, RunStatus::Cancelled, "cancelled before it started");
                } catch (...) {
                    // The run stays queued; nothing is lost.
                }
            });
            m_resume = true;  // starting it later is a resume (from scratch: no checkpoint)
        }
        setState(JobState::Cancelled);
        return;
    }
    if (m_state == JobState::Running || m_state == JobState::Pausing) {
        m_stop.request_stop();
        setState(JobState::Cancelling);
    }
}

void QueuedRun::pause()
{
    if (m_state != JobState::Running)
        return;
    m_pauseRequested->store(true);
    setState(JobState::Pausing);
}

bool QueuedRun::requeueForResume()
{
    if (!isResumable(m_state))
        return false;
    m_resume = true;
    setState(JobState::Waiting);
    return true;
}

void QueuedRun::setState(JobState state)
{
    if (state == m_state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
    Q_EMIT changed();
}

void QueuedRun::onRunBegan(const RunStartInfo& info)
{
    m_processes = static_cast<int>(info.processes);
    m_epochs = info.epochs;
    m_epoch = info.startEpoch;
    m_progress = info.epochs > 0 ? double(info.startEpoch) / double(info.epochs) : 0.0;
    Q_EMIT runBegan(info);
    Q_EMIT changed();
}

void QueuedRun::onBatches(const QList<BatchProgress>& batches)
{
    if (batches.isEmpty())
        return;
    const BatchProgress& p = batches.last();
    m_epoch = p.epoch;
    if (m_epochs > 0 && p.batchesPerEpoch > 0)
        m_progress = (double(p.epoch - 1) + double(p.batch) / double(p.batchesPerEpoch)) / double(m_epochs);
    m_imagesPerSecond = p.imagesPerSecond;
    m_etaSeconds = p.etaSeconds;
    for (const BatchProgress& b : batches)
        Q_EMIT batchEnded(b);
    Q_EMIT changed();
}

void QueuedRun::onEpoch(const EpochSummary& s)
{
    m_epoch = s.epoch;
    if (m_epochs > 0)
        m_progress = double(s.epoch) / double(m_epochs);
    m_imagesPerSecond = s.imagesPerSecond;
    m_lastTestTop1 = s.testTop1;
    Q_EMIT epochEnded(s);
    Q_EMIT changed();
}

void QueuedRun::onThreadDone(const RunResult& result)
{
    if (m_thread.joinable())
        m_thread.join();
    const bool pause = m_pauseRequested->load();
    m_message = QString::fromStdString(result.message);
    if (result.last)
        m_lastTestTop1 = result.last->testTop1;
    if (result.outcome == RunOutcome::Finished) {
        m_progress = 1.0;
        m_etaSeconds = 0;
    } else {
        m_etaSeconds = -1;
    }
    // Whatever happens next (resume) continues from a checkpoint.
    m_resume = true;
    setState(stateForOutcome(result.outcome, pause));
    Q_EMIT ended(result);
    Q_EMIT changed();
    if (m_refusedNoCheckpoint)
        Q_EMIT needsFromScratch(m_message);
}

}  // namespace scns
