#pragma once
// The GUI's queue of runs: stored runs wait here and are started on background threads,
// at most maxConcurrent() at a time, in the order they were added. Owns one RunStore
// connection for the GUI thread (creating runs); each training thread opens its own.
#include <QObject>
#include <QString>

#include <memory>
#include <vector>

#include "queue/queued_run.h"
#include "train/run_config.h"

namespace scns {

class RunStore;

class RunQueue : public QObject {
    Q_OBJECT
public:
    explicit RunQueue(QString dbPath, QObject* parent = nullptr);
    // Cancels active runs and waits for their threads (they end cancelled, resumable).
    ~RunQueue() override;

    const QString& dbPath() const { return m_dbPath; }
    int maxConcurrent() const { return m_maxConcurrent; }
    void setMaxConcurrent(int n);  // at least 1; starting more happens at once

    int count() const { return static_cast<int>(m_runs.size()); }
    QueuedRun* at(int row) const { return m_runs.at(static_cast<std::size_t>(row)); }
    int rowOf(qint64 runId) const;  // -1: not queued
    int activeCount() const;        // with a training thread
    int waitingCount() const;

    // Stores one run per config (each validated first: ConfigError names the fields, and
    // then nothing is stored) and queues them. Returns the new run ids in order. Writes the
    // store on the calling thread: the window uses launchAsync.
    // parentRunId: the run they were started from ("duplicate run"), 0 for none.
    std::vector<qint64> launch(const std::vector<RunConfig>& configs, qint64 parentRunId = 0);
    // The same without blocking the GUI thread on the store (another process or a training
    // thread may hold its write lock): validates here, stores on a pool thread, then queues
    // and emits launched(ids, ticket), or launchFailed(message, ticket) with the store's
    // error. Returns the ticket that names this launch in those signals.
    quint64 launchAsync(std::vector<RunConfig> configs, qint64 parentRunId = 0);
    // Queues an already stored run (resume: continue from its newest checkpoint).
    void enqueueStoredRun(qint64 runId, const QString& name, bool resume);
    // After runNeedsFromScratch and the user's yes: resume the run from epoch 0.
    bool startOver(qint64 runId);

    void cancel(qint64 runId);
    void pause(qint64 runId);
    bool resume(qint64 runId);
    void cancelAll();
    // Removes every entry that has no thread and is not waiting (the store keeps them).
    void removeStopped();

Q_SIGNALS:
    void aboutToAddRun(int row);
    void runAdded(int row);
    void runChanged(int row);
    void aboutToRemoveRun(int row);
    void runRemoved(int row);
    void runEpochEnded(qint64 runId, const scns::EpochSummary& summary);
    void runBatchEnded(qint64 runId, const scns::BatchProgress& progress);
    void runEnded(qint64 runId, scns::JobState state, const QString& message);
    // A resume found no usable checkpoint; nothing was changed. startOver() starts it over.
    void runNeedsFromScratch(qint64 runId, const QString& name, const QString& message);
    void launched(const QList<qint64>& runIds, quint64 ticket);
    void launchFailed(const QString& message, quint64 ticket);
    // No run is active or waiting any more.
    void idle();

private:
    void add(QueuedRun* run);
    void addLaunched(const std::vector<qint64>& ids, const std::vector<RunConfig>& configs);
    void schedule();
    RunStore& store();

    QString m_dbPath;
    int m_maxConcurrent = 1;
    bool m_holdScheduling = false;
    quint64 m_lastTicket = 0;
    std::vector<QueuedRun*> m_runs;  // children of this
    std::unique_ptr<RunStore> m_store;
};

}  // namespace scns
