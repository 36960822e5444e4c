// Issue 10, clear messages: a huge but finite loss ended as `finished` with no warning. The
// run setting divergence_loss bounds it: a batch loss above the bound ends the run as
// diverged, with a message naming the loss and the bound.
#include <QtTest>

#include <QTemporaryDir>

#include "memory_recorder.h"
#include "test_device.h"
#include "train/trainer.h"

using namespace scns;

class TestDivergenceBound : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void lossAboveTheBoundEndsTheRunAsDiverged()
    {
        QTemporaryDir dir;
        RunConfig c;
        c.data.trainPerClass = 10;
        c.data.testPerClass = 5;
        c.batchSize = 25;
        c.epochs = 2;
        c.threads = 2;
        c.device = test::deviceName();
        c.seed = 1;
        c.divergenceLoss = 1.0;  // the first batch's cross-entropy is about ln 10 = 2.3
        TrainRequest req{c, 1, dir.filePath("cp").toStdString(), {}};
        test::MemoryRecorder rec;
        TrainingObserver none;
        const RunResult r = train(req, none, rec, std::stop_token{});
        QCOMPARE(int(r.outcome), int(RunOutcome::Diverged));
        const QString msg = QString::fromStdString(r.message);
        QVERIFY2(msg.contains("above the divergence bound divergence_loss = 1 in epoch 1 at batch 1"), qPrintable(msg));
        QVERIFY2(msg.contains("loss became 2."), qPrintable(msg));
        QCOMPARE(r.epochsCompleted, std::int64_t(0));
    }

    void lossBelowTheBoundTrains()
    {
        QTemporaryDir dir;
        RunConfig c;
        c.data.trainPerClass = 10;
        c.data.testPerClass = 5;
        c.batchSize = 25;
        c.epochs = 1;
        c.threads = 2;
        c.device = test::deviceName();
        c.divergenceLoss = 50.0;
        TrainRequest req{c, 1, dir.filePath("cp").toStdString(), {}};
        test::MemoryRecorder rec;
        TrainingObserver none;
        const RunResult r = train(req, none, rec, std::stop_token{});
        QCOMPARE(int(r.outcome), int(RunOutcome::Finished));
    }
};

QTEST_GUILESS_MAIN(TestDivergenceBound)
#include "test_divergence_bound.moc"
