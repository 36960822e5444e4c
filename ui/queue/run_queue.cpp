#include "queue/run_queue.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrent>

#include <algorithm>

#include "store/run_store.h"
#include "train/run_job.h"

namespace scns {

RunQueue::RunQueue(QString dbPath, QObject* parent) : QObject(parent), m_dbPath(std::move(dbPath))
{
    registerTrainingMetaTypes();
}

RunQueue::~RunQueue()
{
    // QueuedRun's destructor stops and joins; do it here explicitly, before QObject tears
    // down children, so signals of dying runs do not reach a half-destroyed queue.
    for (QueuedRun* run : m_runs) {
        disconnect(run, nullptr, this, nullptr);
        run->cancel();  // all stop requests first, so the runs wind down in parallel
    }
    for (QueuedRun* run : m_runs)
        delete run;
    m_runs.clear();
}

RunStore& RunQueue::store()
{
    if (!m_store)
        m_store = std::make_unique<RunStore>(m_dbPath.toStdString(), StoreAccess::Write);
    return *m_store;
}

void RunQueue::setMaxConcurrent(int n)
{
    m_maxConcurrent = std::max(1, n);
    schedule();
}

int RunQueue::rowOf(qint64 runId) const
{
    for (std::size_t i = 0; i < m_runs.size(); ++i)
        if (m_runs[i]->runId() == runId)
            return static_cast<int>(i);
    return -1;
}

int RunQueue::activeCount() const
{
    return static_cast<int>(std::count_if(m_runs.begin(), m_runs.end(), [](auto* r) { return isActive(r->state()); }));
}

int RunQueue::waitingCount() const
{
    return static_cast<int>(
        std::count_if(m_runs.begin(), m_runs.end(), [](auto* r) { return r->state() == JobState::Waiting; }));
}

std::vector<qint64> RunQueue::launch(const std::vector<RunConfig>& configs, qint64 parentRunId)
{
    for (const auto& c : configs)
        c.validate();  // all or nothing: a bad grid point stores no run
    std::vector<qint64> ids;
    {
        RunStore& s = store();
        for (const auto& c : configs)
            ids.push_back(createRun(s, c, parentRunId));
    }
    addLaunched(ids, configs);
    return ids;
}

void RunQueue::addLaunched(const std::vector<qint64>& ids, const std::vector<RunConfig>& configs)
{
    for (std::size_t i = 0; i < configs.size(); ++i) {
        auto* run = new QueuedRun(m_dbPath, ids[i], QString::fromStdString(configs[i].displayName()), false, this);
        run->setProcesses(static_cast<int>(configs[i].distributed.processes));
        add(run);
    }
    schedule();
}

quint64 RunQueue::launchAsync(std::vector<RunConfig> configs, qint64 parentRunId)
{
    for (const auto& c : configs)
        c.validate();  // the caller shows ConfigError at the fields, synchronously
    struct Stored {
        std::vector<qint64> ids;
        QString error;
    };
    const quint64 ticket = ++m_lastTicket;
    auto* watcher = new QFutureWatcher<Stored>(this);
    auto shared = std::make_shared<std::vector<RunConfig>>(std::move(configs));
    connect(watcher, &QFutureWatcher<Stored>::finished, this, [this, watcher, shared, ticket] {
        watcher->deleteLater();
        const Stored s = watcher->result();
        if (!s.error.isEmpty()) {
            Q_EMIT launchFailed(s.error, ticket);
            return;
        }
        addLaunched(s.ids, *shared);
        Q_EMIT launched(QList<qint64>(s.ids.begin(), s.ids.end()), ticket);
    });
    watcher->setFuture(QtConcurrent::run([path = m_dbPath.toStdString(), shared, parentRunId] {
        Stored s;
        try {
            RunStore store(path, StoreAccess::Write);  // this pool thread's own connection
            for (const auto& c : *shared)
                s.ids.push_back(createRun(store, c, parentRunId));
        } catch (const std::exception& e) {
            s.error = QString::fromStdString(e.what());
        } catch (...) {
            s.error = QStringLiteral("unknown error while storing the runs");
        }
        return s;
    }));
    return ticket;
}

void RunQueue::enqueueStoredRun(qint64 runId, const QString& name, bool resume)
{
    const int row = rowOf(runId);
    if (row >= 0) {  // already listed: resume it in place
        if (!isActive(m_runs[std::size_t(row)]->state()))
            m_runs[std::size_t(row)]->requeueForResume();
        schedule();
        return;
    }
    add(new QueuedRun(m_dbPath, runId, name, resume, this));
    schedule();
}

void RunQueue::add(QueuedRun* run)
{
    Q_EMIT aboutToAddRun(count());
    m_runs.push_back(run);
    const qint64 id = run->runId();
    connect(run, &QueuedRun::changed, this, [this, run] {
        const int row = rowOf(run->runId());
        if (row >= 0)
            Q_EMIT runChanged(row);
    });
    connect(run, &QueuedRun::epochEnded, this, [this, id](const EpochSummary& s) { Q_EMIT runEpochEnded(id, s); });
    connect(run, &QueuedRun::batchEnded, this, [this, id](const BatchProgress& p) { Q_EMIT runBatchEnded(id, p); });
    connect(run, &QueuedRun::ended, this, [this, run, id](const RunResult&) {
        Q_EMIT runEnded(id, run->state(), run->message());
        schedule();
    });
    connect(run, &QueuedRun::needsFromScratch, this,
            [this, run, id](const QString& message) { Q_EMIT runNeedsFromScratch(id, run->name(), message); });
    connect(run, &QueuedRun::stateChanged, this, [this](JobState s) {
        if (s == JobState::Cancelled)  // a waiting run cancelled: nothing ends, so reschedule here
            schedule();
    });
    Q_EMIT runAdded(count() - 1);
}

void RunQueue::schedule()
{
    if (m_holdScheduling)
        return;
    int active = activeCount();
    for (QueuedRun* run : m_runs) {
        if (active >= m_maxConcurrent)
            break;
        if (run->state() == JobState::Waiting) {
            run->start();
            ++active;
        }
    }
    if (activeCount() == 0 && waitingCount() == 0)
        Q_EMIT idle();
}

void RunQueue::cancel(qint64 runId)
{
    if (const int row = rowOf(runId); row >= 0)
        m_runs[std::size_t(row)]->cancel();
}

void RunQueue::pause(qint64 runId)
{
    if (const int row = rowOf(runId); row >= 0)
        m_runs[std::size_t(row)]->pause();
}

bool RunQueue::resume(qint64 runId)
{
    const int row = rowOf(runId);
    if (row < 0 || !m_runs[std::size_t(row)]->requeueForResume())
        return false;
    schedule();
    return true;
}

bool RunQueue::startOver(qint64 runId)
{
    const int row = rowOf(runId);
    if (row < 0)
        return false;
    QueuedRun* run = m_runs[std::size_t(row)];
    if (isActive(run->state()))
        return false;
    run->setFromScratch(true);
    if (!run->requeueForResume()) {
        run->setFromScratch(false);
        return false;
    }
    schedule();
    return true;
}

void RunQueue::cancelAll()
{
    m_holdScheduling = true;  // nothing waiting may start while everything is cancelled
    for (QueuedRun* run : m_runs)
        run->cancel();
    m_holdScheduling = false;
    schedule();
}

void RunQueue::removeStopped()
{
    for (int row = count() - 1; row >= 0; --row) {
        QueuedRun* run = m_runs[std::size_t(row)];
        if (isActive(run->state()) || run->state() == JobState::Waiting)
            continue;
        Q_EMIT aboutToRemoveRun(row);
        m_runs.erase(m_runs.begin() + row);
        run->deleteLater();
        Q_EMIT runRemoved(row);
    }
}

}  // namespace scns
