#pragma once
// One stored run in the GUI's queue: starts it on its own thread (core's executeRun), and
// turns the training observer's callbacks into queued signals on the GUI thread. The thread
// never touches Qt widgets or torch types cross-thread; only plain observer structs travel.
#include <QFuture>
#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <memory>
#include <stop_token>
#include <thread>

#include "queue/job_state.h"
#include "queue/training_signals.h"

namespace scns {

class ObserverBridge;

class QueuedRun : public QObject {
    Q_OBJECT
public:
    QueuedRun(QString dbPath, qint64 runId, QString name, bool resume, QObject* parent = nullptr);
    // Stops a running thread (cancel) and waits for it: the run ends `cancelled`, resumable.
    ~QueuedRun() override;

    qint64 runId() const { return m_runId; }
    const QString& name() const { return m_name; }
    // Processes that train the run (its distributed.processes; > 1: a data-parallel run whose
    // rank 0 trains in this process and the others in `scns dist-worker` processes).
    int processes() const { return m_processes; }
    void setProcesses(int processes) { m_processes = processes; }
    JobState state() const { return m_state; }
    // Whether the next start continues from the newest checkpoint.
    bool resumesNext() const { return m_resume; }

    qint64 epoch() const { return m_epoch; }       // current (1-based) or last completed epoch
    qint64 epochs() const { return m_epochs; }     // 0 until the run has begun
    double progress() const { return m_progress; } // 0..1 over the whole run
    double imagesPerSecond() const { return m_imagesPerSecond; }
    double etaSeconds() const { return m_etaSeconds; }  // < 0: unknown
    double lastTestTop1() const { return m_lastTestTop1; } // < 0: no epoch yet
    const QString& message() const { return m_message; }   // error / why it stopped

    // Waiting -> Running: trains on a new thread. No-op in any other state.
    void start();
    // Running/Pausing -> Cancelling (stops at the next batch); Waiting -> Cancelled.
    void cancel();
    // Running -> Pausing: stops after the current epoch's checkpoint (resume continues there).
    void pause();
    // A resumable run -> Waiting, to continue from its newest checkpoint when started.
    bool requeueForResume();
    // The next start begins at epoch 0 when no checkpoint can be used (asked for after
    // needsFromScratch); used once.
    void setFromScratch(bool fromScratch) { m_fromScratch = fromScratch; }
    // Notices of the current or last execution (e.g. "resumed from epoch-1.pt because ...").
    const QStringList& notices() const { return m_notices; }

Q_SIGNALS:
    void changed();  // any displayed value changed
    void stateChanged(scns::JobState state);
    void runBegan(const scns::RunStartInfo& info);
    void batchEnded(const scns::BatchProgress& progress);  // every batch, delivered in bursts
    void epochEnded(const scns::EpochSummary& summary);
    void ended(const scns::RunResult& result);
    // A resume found no usable checkpoint and changed nothing; starting over needs the
    // user's word (setFromScratch, then requeueForResume).
    void needsFromScratch(const QString& message);

private:
    void setState(JobState state);
    void onRunBegan(const RunStartInfo& info);
    void onBatches(const QList<BatchProgress>& batches);
    void onEpoch(const EpochSummary& s);
    void onThreadDone(const RunResult& result);

    QString m_dbPath;
    qint64 m_runId;
    QString m_name;
    int m_processes = 1;
    bool m_resume;
    bool m_fromScratch = false;
    bool m_refusedNoCheckpoint = false;
    QStringList m_notices;
    JobState m_state = JobState::Waiting;
    qint64 m_epoch = 0, m_epochs = 0;
    double m_progress = 0, m_imagesPerSecond = 0, m_etaSeconds = -1, m_lastTestTop1 = -1;
    QString m_message;

    ObserverBridge* m_bridge;
    std::stop_source m_stop;
    std::shared_ptr<std::atomic<bool>> m_pauseRequested;
    std::thread m_thread;
    QFuture<void> m_storeUpdate;
};

}  // namespace scns
