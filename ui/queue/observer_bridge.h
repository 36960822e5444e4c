#pragma once
// Signals emitted from a training thread and received (queued) on the GUI thread. The
// object itself lives on the GUI thread; only its signals are emitted from the worker.
#include <QList>
#include <QObject>
#include <QString>

#include "queue/training_signals.h"

namespace scns {

class ObserverBridge : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

Q_SIGNALS:
    void runBegan(const scns::RunStartInfo& info);
    // Every batch since the previous delivery, in order (sent at most ~10 times a second).
    void batchesEnded(const QList<scns::BatchProgress>& batches);
    void epochEnded(const scns::EpochSummary& summary);
    // executeRun returned (the store has the final status) or could not start at all.
    void threadDone(const scns::RunResult& result);
    // TrainingObserver::onNotice (e.g. a resume fell back to an older checkpoint).
    void notice(const QString& text);
    // The resume was refused because no checkpoint can be used (NoUsableCheckpointError);
    // sent before threadDone.
    void noUsableCheckpoint(const QString& message);
};

}  // namespace scns
