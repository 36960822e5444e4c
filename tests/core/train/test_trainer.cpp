// The training loop on a small real Fashion-MNIST subset: records, checkpoints, resume
// equals an uninterrupted run, divergence and cancellation.
#include <QtTest>

#include <QTemporaryDir>
#include <map>

#include "common/errors.h"
#include "train/checkpoint.h"
#include "memory_recorder.h"
#include "train/trainer.h"
#include "test_device.h"

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
    c.device = test::deviceName();
    return c;
}

// Every recorded row of a run with `config` (readoutSteps as given).
std::vector<std::tuple<std::int64_t, std::int64_t, std::string, double>> recordedRows(const RunConfig& config,
                                                                                      std::int64_t readoutSteps = 0)
{
    QTemporaryDir dir;
    TrainRequest req{config, 1, dir.filePath("cp").toStdString(), {}};
    req.readoutSteps = readoutSteps;
    MemoryRecorder rec;
    TrainingObserver none;
    const RunResult r = train(req, none, rec, std::stop_token{});
    if (r.outcome != RunOutcome::Finished)
        qWarning("run ended: %s", r.message.c_str());
    return rec.rows;
}

// Rows equal in keys and order; values equal on the CPU (the same operations), within `relative`
// elsewhere (GPU kernels may sum in another order).
void compareRows(const std::vector<std::tuple<std::int64_t, std::int64_t, std::string, double>>& a,
                 const std::vector<std::tuple<std::int64_t, std::int64_t, std::string, double>>& b, double relative)
{
    QCOMPARE(a.size(), b.size());
    QVERIFY(!a.empty());
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto& [e1, s1, n1, v1] = a[i];
        const auto& [e2, s2, n2, v2] = b[i];
        QCOMPARE(e1, e2);
        QCOMPARE(s1, s2);
        QCOMPARE(n1, n2);
        if (n1.find("seconds") != std::string::npos || n1.find("per_second") != std::string::npos
            || n1.find("wait") != std::string::npos)
            continue;  // timings
        if (relative == 0)
            QVERIFY2(v1 == v2 || (std::isnan(v1) && std::isnan(v2)), qPrintable(QString("%1 step %2: %3 vs %4").arg(n1.c_str()).arg(s1).arg(v1, 0, 'g', 17).arg(v2, 0, 'g', 17)));
        else
            QVERIFY2(std::abs(v1 - v2) <= relative * std::max(1.0, std::abs(v1)),
                     qPrintable(QString("%1 step %2: %3 vs %4").arg(n1.c_str()).arg(s1).arg(v1).arg(v2)));
    }
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

    // Losses read from the device every 4 steps (10 batches per epoch: the last read of an epoch
    // holds 2) are the values read every step: the same rows, in the same order.
    void deferredReadoutRecordsTheSameRows()
    {
        RunConfig c = tinyConfig();
        c.epochs = 1;
        const auto everyStep = recordedRows(c, 1);
        const auto every4 = recordedRows(c, 4);
        compareRows(everyStep, every4, 0.0);
        // The comparison has substance: the per-step losses and the epoch summary.
        QCOMPARE(std::count_if(everyStep.begin(), everyStep.end(), [](const auto& r) { return std::get<2>(r) == metric::kTrainLoss; }), 10);
    }

    // data.placement device (uint8 images on the run's device, augmented there) trains exactly as
    // host batches do: same draws, same values.
    void imagesOnTheDeviceTrainAsHostBatches()
    {
        RunConfig c = tinyConfig();
        c.epochs = 1;
        c.data.cropPadding = 2;  // exercise the device crop and flip
        c.data.flip = true;
        c.data.placement = DataPlacement::Host;
        const auto host = recordedRows(c);
        c.data.placement = DataPlacement::Device;
        const auto device = recordedRows(c);
        compareRows(host, device, test::onGpu() ? 1e-3 : 0.0);
    }

    // bf16 autocast (the CPU's and the GPU's): the run trains and learns; fp16 is refused on a
    // CPU at the field, before anything runs.
    void bf16TrainsAndFp16NeedsAGpu()
    {
        RunConfig c = tinyConfig();
        c.epochs = 1;
        c.precision = Precision::Bf16;
        QTemporaryDir dir;
        TrainRequest req{c, 1, dir.filePath("cp").toStdString(), {}};
        MemoryRecorder rec;
        TrainingObserver none;
        const RunResult r = train(req, none, rec, std::stop_token{});
        QCOMPARE(int(r.outcome), int(RunOutcome::Finished));
        QVERIFY2(r.last->testTop1 > 20.0, qPrintable(QString::number(r.last->testTop1)));
        // Not the fp32 run under another name: bf16 rounding changes the losses.
        c.precision = Precision::Fp32;
        const auto fp32 = recordedRows(c);
        QCOMPARE(rec.rows.size(), fp32.size());
        QVERIFY(std::get<3>(rec.rows[0]) != std::get<3>(fp32[0]));
        QVERIFY(std::abs(std::get<3>(rec.rows[0]) - std::get<3>(fp32[0])) < 0.05 * std::get<3>(fp32[0]));

        RunConfig cpu = tinyConfig();
        cpu.device = "cpu";
        cpu.precision = Precision::Fp16;
        try {
            cpu.validate();
            QFAIL("expected ConfigError for fp16 on cpu");
        } catch (const ConfigError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains("precision"), e.what());
            QVERIFY2(QString::fromUtf8(e.what()).contains("CUDA"), e.what());
        }
    }

    // channels_last: the same network in NHWC order computes the same losses (to rounding).
    void channelsLastTrainsAsNchw()
    {
        RunConfig c = tinyConfig();
        c.epochs = 1;
        const auto nchw = recordedRows(c);
        c.channelsLast = true;
        const auto nhwc = recordedRows(c);
        QCOMPARE(nhwc.size(), nchw.size());
        // The first step's loss sees identical weights and images: equal to rounding.
        QVERIFY(std::abs(std::get<3>(nhwc[0]) - std::get<3>(nchw[0])) < 1e-4 * std::get<3>(nchw[0]));
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
