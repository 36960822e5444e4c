// The training loop on a small real Fashion-MNIST subset: records, checkpoints, resume
// equals an uninterrupted run, divergence and cancellation.
#include <QtTest>

#include <QTemporaryDir>
#include <map>

#include "common/errors.h"
#include "train/checkpoint.h"
#include "memory_recorder.h"
#include "train/trainer.h"

using namespace scns;

namespace {

using test::MemoryRecorder;

// Requests a stop when a given (epoch, batch) ends; counts batches seen after that.
struct StopAt final : TrainingObserver {
    std::stop_source& source;
    std::int64_t epoch, batch;
    int batchesAfterStop = 0;
    std::vector<EpochSummary> epochs;
    StopAt(std::stop_source& s, std::int64_t e, std::int64_t b) : source(s), epoch(e), batch(b) {}
    void onBatchEnd(const BatchProgress& p) override
    {
        if (source.stop_requested())
            ++batchesAfterStop;
        if (p.epoch == epoch && p.batch == batch)
            source.request_stop();
    }
    void onEpochEnd(const EpochSummary& s) override { epochs.push_back(s); }
};

RunConfig tinyConfig()
{
    RunConfig c;
    c.data.trainPerClass = 30;
    c.data.testPerClass = 10;
    c.batchSize = 32;
    c.evalBatchSize = 100;
    c.epochs = 3;
    c.threads = 2;
    c.seed = 3;
    c.optim.lr = 0.05;
    return c;
}

}  // namespace

class TestTrainer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void trainsRecordsAndCheckpoints()
    {
        QTemporaryDir dir;
        TrainRequest req{tinyConfig(), 1, dir.filePath("cp").toStdString(), {}};
        req.config.epochs = 2;
        MemoryRecorder rec;
        TrainingObserver none;
        const RunResult r = train(req, none, rec, std::stop_token{});
        QCOMPARE(int(r.outcome), int(RunOutcome::Finished));
        QCOMPARE(r.epochsCompleted, std::int64_t(2));
        QVERIFY(r.last.has_value());
        // 300 images, 2 epochs: far from converged but well above chance (10%).
        QVERIFY2(r.last->testTop1 > 30.0, qPrintable(QString::number(r.last->testTop1)));
        QVERIFY(r.last->testTop5 >= r.last->testTop1);
        const auto steps = rec.series(metric::kTrainLoss);
        QCOMPARE(int(steps.size()), 2 * 10);  // ceil(300 / 32) batches per epoch
        QCOMPARE(int(rec.series(metric::kTestTop1).size()), 2);
        QCOMPARE(int(rec.checkpoints.size()), 2);
        QVERIFY(QFile::exists(QString::fromStdString(rec.checkpoints.back().second)));
        // The test confusion matrix of each epoch: 10 x 10 counts over the 100 test images
        // whose diagonal is exactly the recorded top-1.
        QCOMPARE(int(rec.confusions.size()), 2);
        for (std::size_t k = 0; k < rec.confusions.size(); ++k) {
            const auto& [epoch, counts] = rec.confusions[k];
            QCOMPARE(epoch, std::int64_t(k + 1));
            QCOMPARE(int(counts.size()), 100);
            std::int64_t total = 0, diagonal = 0;
            for (int i = 0; i < 100; ++i)
                total += counts[static_cast<std::size_t>(i)];
            for (int c = 0; c < 10; ++c) {
                diagonal += counts[static_cast<std::size_t>(c * 11)];
                std::int64_t row = 0;  // each true class has its 10 test images
                for (int p = 0; p < 10; ++p)
                    row += counts[static_cast<std::size_t>(c * 10 + p)];
                QCOMPARE(row, std::int64_t(10));
            }
            QCOMPARE(total, std::int64_t(100));
            QCOMPARE(static_cast<double>(diagonal), rec.series(metric::kTestTop1)[k]);
        }
        // Training loss goes down over two epochs.
        QVERIFY(rec.series(metric::kTrainEpochLoss)[1] < rec.series(metric::kTrainEpochLoss)[0]);
    }

    void resumeGivesTheSameCurveAsAnUninterruptedRun()
    {
        QTemporaryDir dir;
        MemoryRecorder full;
        TrainingObserver none;
        TrainRequest a{tinyConfig(), 1, dir.filePath("a").toStdString(), {}};
        QCOMPARE(int(train(a, none, full, std::stop_token{}).outcome), int(RunOutcome::Finished));

        // Same run, stopped in epoch 2, then resumed from the epoch-1 checkpoint.
        MemoryRecorder first, second;
        std::stop_source stop;
        StopAt stopper(stop, 2, 4);
        TrainRequest b{tinyConfig(), 2, dir.filePath("b").toStdString(), {}};
        const RunResult cancelled = train(b, stopper, first, stop.get_token());
        QCOMPARE(int(cancelled.outcome), int(RunOutcome::Cancelled));
        QCOMPARE(cancelled.epochsCompleted, std::int64_t(1));
        QCOMPARE(stopper.batchesAfterStop, 0);  // stopped within one batch
        b.resumeFrom = first.checkpoints.back().second;
        const RunResult resumed = train(b, none, second, std::stop_token{});
        QCOMPARE(int(resumed.outcome), int(RunOutcome::Finished));

        // A resume, not a restart with the same seed: the resumed run records nothing of epoch 1
        // (every row it has must match the full run's from epoch 2) and its first step goes on
        // from the checkpoint's step.
        QCOMPARE(second.firstRow(metric::kTrainLoss), full.firstRow(metric::kTrainLoss, 2));
        QCOMPARE(second.firstRow(metric::kTrainLoss).second, std::int64_t(10 + 1));
        for (const char* name : {metric::kTestTop1, metric::kTestLoss, metric::kTrainEpochLoss, metric::kTrainLoss}) {
            const auto want = full.series(name, 2);
            const auto got = second.series(name);
            QCOMPARE(got.size(), want.size());
            for (std::size_t i = 0; i < want.size(); ++i)
                QVERIFY2(std::abs(got[i] - want[i]) <= 1e-6 * std::max(1.0, std::abs(want[i])),
                         qPrintable(QString("%1[%2]: %3 vs %4").arg(name).arg(i).arg(got[i], 0, 'g', 10).arg(want[i], 0, 'g', 10)));
        }
    }

    void stopAfterAnEpochEndsBeforeTheNextOneStarts()
    {
        // "Pause at the next epoch": a stop requested when epoch 1's checkpoint is written ends
        // the run before any batch of epoch 2, with that checkpoint to resume from.
        struct PauseAfterCheckpoint final : TrainingObserver {
            std::stop_source source;
            int batchesAfter = 0;
            void onCheckpoint(std::int64_t, const std::string&) override { source.request_stop(); }
            void onBatchEnd(const BatchProgress&) override { batchesAfter += source.stop_requested(); }
        } pause;
        QTemporaryDir dir;
        TrainRequest req{tinyConfig(), 1, dir.filePath("p").toStdString(), {}};
        MemoryRecorder rec;
        const RunResult r = train(req, pause, rec, pause.source.get_token());
        QCOMPARE(int(r.outcome), int(RunOutcome::Cancelled));
        QCOMPARE(r.epochsCompleted, std::int64_t(1));
        QCOMPARE(pause.batchesAfter, 0);
        QVERIFY2(QString::fromStdString(r.message).contains("before epoch 2"), r.message.c_str());
        QCOMPARE(int(rec.series(metric::kTrainLoss).size()), 10);  // epoch 1 only
    }

    void divergenceStopsAtTheStepAndKeepsTheCheckpoint()
    {
        QTemporaryDir dir;
        RunConfig c = tinyConfig();
        c.epochs = 20;
        c.optim.lr = 10.0;           // with this weight decay every step multiplies weights by -8:
        c.optim.weightDecay = 0.9;   // overflow within a few dozen steps
        c.optim.nesterov = false;
        c.optim.momentum = 0.0;
        c.schedule.kind = ScheduleKind::Constant;
        TrainRequest req{c, 1, dir.filePath("cp").toStdString(), {}};
        MemoryRecorder rec;
        TrainingObserver none;
        const RunResult r = train(req, none, rec, std::stop_token{});
        QCOMPARE(int(r.outcome), int(RunOutcome::Diverged));
        const QString msg = QString::fromStdString(r.message);
        // The loss passes the divergence bound (divergence_loss, 1e6) before it overflows.
        QVERIFY2(msg.contains("NaN") || msg.contains("infinite") || msg.contains("above the divergence bound"),
                 qPrintable(msg));
        QVERIFY(msg.contains("step"));
        QVERIFY(r.epochsCompleted < 20);
        // No NaN was recorded as a loss; the newest checkpoint (if any) still loads.
        for (double v : rec.series(metric::kTrainLoss))
            QVERIFY(std::isfinite(v));
        if (!rec.checkpoints.empty()) {
            QVERIFY(msg.contains("intact"));
            QVERIFY(QFile::exists(QString::fromStdString(rec.checkpoints.back().second)));
        }
    }

    void missingDataFolderIsADataError()
    {
        QTemporaryDir dir;
        RunConfig c = tinyConfig();
        c.data.folder = "/nonexistent/fashion";
        TrainRequest req{c, 1, dir.filePath("cp").toStdString(), {}};
        MemoryRecorder rec;
        TrainingObserver none;
        try {
            train(req, none, rec, std::stop_token{});
            QFAIL("expected DataError");
        } catch (const DataError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains("/nonexistent/fashion"), e.what());
        }
    }

    void cudaRequestedWithoutCudaIsAClearError()
    {
        QTemporaryDir dir;
        RunConfig c = tinyConfig();
        c.device = "cuda:7";
        TrainRequest req{c, 1, dir.filePath("cp").toStdString(), {}};
        MemoryRecorder rec;
        TrainingObserver none;
        try {
            train(req, none, rec, std::stop_token{});
            QFAIL("expected DeviceError (no cuda:7 on a test machine)");
        } catch (const DeviceError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains("cuda:7"), e.what());
        }
    }

    void checkpointOfAnotherNetworkIsRejected()
    {
        QTemporaryDir dir;
        TrainRequest req{tinyConfig(), 1, dir.filePath("cp").toStdString(), {}};
        req.config.epochs = 1;
        MemoryRecorder rec;
        TrainingObserver none;
        train(req, none, rec, std::stop_token{});
        req.config.arch = "resnet8";
        req.config.epochs = 2;
        req.resumeFrom = rec.checkpoints.back().second;
        try {
            train(req, none, rec, std::stop_token{});
            QFAIL("expected CheckpointError");
        } catch (const CheckpointError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains("small-cnn"), e.what());
        }
        // A file that is no checkpoint at all.
        QFile junk(dir.filePath("junk.pt"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a checkpoint");
        junk.close();
        req.config.arch = "small-cnn";
        req.resumeFrom = junk.fileName().toStdString();
        QVERIFY_THROWS_EXCEPTION(CheckpointError, train(req, none, rec, std::stop_token{}));
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "test_trainer.moc"
