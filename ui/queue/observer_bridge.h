#pragma once
// Signals emitted from a training thread and received (queued) on the GUI thread. The
// object itself lives on the GUI thread; only its signals are emitted from the worker.
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
    void batchEnded(const scns::BatchProgress& progress);
    void epochEnded(const scns::EpochSummary& summary);
    // executeRun returned (the store has the final status) or could not start at all.
    void threadDone(const scns::RunResult& result);
};

}  // namespace scns
