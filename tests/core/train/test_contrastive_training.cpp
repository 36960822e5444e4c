// Supervised training with the contrastive term (CE + beta L_con): every sampler and
// objective runs end to end on a small Fashion-MNIST subset, records what a user inspects,
// and resumes to the same curve.
#include <QtTest>

#include <QTemporaryDir>
#include <map>
#include <set>

#include "common/errors.h"
#include "memory_recorder.h"
#include "train/run_settings.h"
#include "train/trainer.h"
#include "test_device.h"

using namespace scns;

namespace {

using test::MemoryRecorder;

RunConfig tiny(const std::string& sampler)
{
    RunConfig c;
    c.data.trainPerClass = 30;
    c.data.testPerClass = 10;
    c.batchSize = 32;
    c.evalBatchSize = 100;
    c.epochs = 2;
    c.threads = 2;
    c.seed = 5;
    c.optim.lr = 0.05;
    c.device = test::deviceName();
    c.contrastive.enabled = true;
    applySettingText(c, "contrastive.sampler", sampler);
    c.contrastive.negatives = 64;
    c.contrastive.probeAnchors = 10;
    c.contrastive.probeNegatives = 8;
    c.contrastive.instanceK = 16;
    c.contrastive.classK = 3;
    return c;
}

RunResult run(const RunConfig& c, MemoryRecorder& rec, const QTemporaryDir& dir, const std::string& sub,
              const std::string& resumeFrom = {})
{
    TrainRequest req{c, 1, dir.filePath(QString::fromStdString(sub)).toStdString(), resumeFrom};
    TrainingObserver none;
    return train(req, none, rec, std::stop_token{});
}

}  // namespace

class TestContrastiveTraining : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everySamplerTrainsAndRecords_data()
    {
        QTest::addColumn<QString>("sampler");
        QTest::addColumn<QString>("objective");
        QTest::addColumn<int>("mixup");
        QTest::addColumn<QString>("similarity");
        QTest::newRow("uniform") << "uniform" << "infonce" << 0 << "wordnet";
        QTest::newRow("class/wordnet") << "class" << "infonce" << 0 << "wordnet";
        QTest::newRow("class/visual") << "class" << "infonce" << 0 << "visual";
        QTest::newRow("class/confusion") << "class" << "infonce" << 0 << "confusion";
        QTest::newRow("instance") << "instance" << "infonce" << 0 << "wordnet";
        QTest::newRow("class+mixup") << "class" << "infonce" << 4 << "wordnet";
        QTest::newRow("uniform/nce") << "uniform" << "nce" << 0 << "wordnet";
    }

    void everySamplerTrainsAndRecords()
    {
        QFETCH(QString, sampler);
        QFETCH(QString, objective);
        QFETCH(int, mixup);
        QFETCH(QString, similarity);
        QTemporaryDir dir;
        RunConfig c = tiny(sampler.toStdString());
        applySettingText(c, "contrastive.objective", objective.toStdString());
        c.contrastive.mixupCount = mixup;
        applySettingText(c, "contrastive.class.similarity", similarity.toStdString());
        MemoryRecorder rec;
        const RunResult r = run(c, rec, dir, "cp");
        QVERIFY2(r.outcome == RunOutcome::Finished, r.message.c_str());
        QVERIFY(r.last->testTop1 > 20.0);

        // Loss components per step, sampler statistics per epoch.
        QCOMPARE(int(rec.series(metric::kContrastiveLoss).size()), 2 * 10);
        for (double v : rec.series(metric::kContrastiveLoss))
            QVERIFY(std::isfinite(v) && v > 0);
        QCOMPARE(int(rec.series(metric::kNegativeCosine).size()), 2);
        // Our samplers never return a negative of the anchor's own class.
        for (double v : rec.series(metric::kSameClassShare))
            QCOMPARE(v, 0.0);
        const auto fromTopK = rec.series(metric::kFromTopKShare);
        QCOMPARE(fromTopK.front(), sampler == "uniform" ? 0.0 : 1.0);
        if (sampler == "class") {
            // Every negative's class is among the anchor class's top-k by S.
            for (double v : rec.series(metric::kTopKClassShare))
                QCOMPARE(v, 1.0);
        }

        // Class similarity: wordnet once before training; model-based sources at each refresh.
        QVERIFY(!rec.similarities.empty());
        if (similarity == "wordnet") {
            QCOMPARE(int(rec.similarities.size()), 1);
            QCOMPARE(rec.similarities[0].first, std::int64_t(0));
        } else {
            QCOMPARE(int(rec.similarities.size()), 2);  // refresh_epochs = 1: before epochs 1 and 2
            QCOMPARE(QString::fromStdString(rec.similarities[1].second), similarity);
        }
        QCOMPARE(int(rec.matrices[0].size()), 100);

        // Probes: 10 anchors (one per class) x (8 negatives + mixup) per epoch.
        QCOMPARE(int(rec.probes.size()), 2 * 10 * (8 + mixup));
        std::set<std::int64_t> anchors, classes;
        for (const auto& p : rec.probes) {
            anchors.insert(p.anchorIndex);
            classes.insert(p.anchorClass);
            if (p.kind == "negative") {
                QVERIFY(p.sampleIndex >= 0 && p.sampleIndex < 300);
                QVERIFY(p.sampleClass != p.anchorClass);
                QVERIFY(p.similarity >= -1.0001 && p.similarity <= 1.0001);
            } else {
                QCOMPARE(QString::fromStdString(p.kind), QString("pseudo"));
                QVERIFY(p.lambda >= 0 && p.lambda <= 1);
                QVERIFY(p.sourceB >= 0);
            }
        }
        QCOMPARE(int(anchors.size()), 10);
        QCOMPARE(int(classes.size()), 10);
    }

    void inBatchSupConWithSemanticBatches()
    {
        QTemporaryDir dir;
        RunConfig c = tiny("class");
        c.contrastive.objective = Objective::SupCon;
        c.contrastive.supconSamplesPerClass = 4;  // batch 32: 8 classes x 4 images
        MemoryRecorder rec;
        const RunResult r = run(c, rec, dir, "cp");
        QVERIFY2(r.outcome == RunOutcome::Finished, r.message.c_str());
        QVERIFY(r.last->testTop1 > 20.0);
        QCOMPARE(int(rec.series(metric::kContrastiveLoss).size()), 2 * (300 / 32));
        for (double v : rec.series(metric::kContrastiveLoss))
            QVERIFY(std::isfinite(v) && v > 0);
        // In-batch negatives: 8 of 10 classes per batch chosen through the top-3 rows of S, so
        // more than the uniform share (3 of 9 other classes) of different-class pairs are top-k.
        for (double v : rec.series(metric::kTopKClassShare))
            QVERIFY2(v > 3.0 / 9.0 && v <= 1.0, qPrintable(QString::number(v)));
        QVERIFY(rec.probes.empty());  // nothing is drawn from a bank
    }

    void fixedReferenceCheckpointIsUsedOnce()
    {
        QTemporaryDir dir;
        RunConfig ce = tiny("uniform");
        ce.contrastive.enabled = false;
        ce.epochs = 1;
        MemoryRecorder teacher;
        QVERIFY(run(ce, teacher, dir, "ref").outcome == RunOutcome::Finished);

        RunConfig c = tiny("class");
        c.contrastive.similarity = ClassSimilaritySource::Visual;
        c.contrastive.referenceWeights = teacher.checkpoints.back().second;
        MemoryRecorder rec;
        const RunResult r = run(c, rec, dir, "cp");
        QVERIFY2(r.outcome == RunOutcome::Finished, r.message.c_str());
        // Built once from the reference, never refreshed (refresh_epochs = 1 would refresh).
        QCOMPARE(int(rec.similarities.size()), 1);
        QCOMPARE(rec.similarities[0].first, std::int64_t(0));

        c.contrastive.referenceWeights = dir.filePath("missing.pt").toStdString();
        try {
            run(c, rec, dir, "cp2");
            QFAIL("expected CheckpointError");
        } catch (const CheckpointError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains("missing.pt"), e.what());
        }
    }

    // A class-sampler run with Latent Mixup whose losses are read every 3 steps and whose images
    // live on the device records what a run read every step from host batches records: every
    // row, the sampler statistics (summed on the device) and the probe negatives included.
    void deviceReadoutAndPlacementRecordTheSameRows()
    {
        QTemporaryDir dir;
        RunConfig c = tiny("class");
        c.epochs = 1;
        c.contrastive.mixupCount = 2;
        c.data.placement = DataPlacement::Host;
        MemoryRecorder hostEveryStep, deviceEvery3;
        TrainingObserver none;
        TrainRequest a{c, 1, dir.filePath("a").toStdString(), {}};
        a.readoutSteps = 1;
        QVERIFY(train(a, none, hostEveryStep, std::stop_token{}).outcome == RunOutcome::Finished);
        c.data.placement = DataPlacement::Device;
        TrainRequest b{c, 1, dir.filePath("b").toStdString(), {}};
        b.readoutSteps = 3;
        QVERIFY(train(b, none, deviceEvery3, std::stop_token{}).outcome == RunOutcome::Finished);
        const double tolerance = test::onGpu() ? 1e-3 : 0.0;
        for (const char* name : {metric::kTrainLoss, metric::kContrastiveLoss, metric::kCeLoss, metric::kNegativeCosine,
                                 metric::kSameClassShare, metric::kFromTopKShare, metric::kTopKClassShare, metric::kTestTop1}) {
            const auto want = hostEveryStep.series(name), got = deviceEvery3.series(name);
            QVERIFY2(!want.empty(), name);
            QCOMPARE(got.size(), want.size());
            for (std::size_t i = 0; i < want.size(); ++i)
                QVERIFY2(std::abs(got[i] - want[i]) <= tolerance * std::max(1.0, std::abs(want[i])),
                         qPrintable(QString("%1[%2]: %3 vs %4").arg(name).arg(i).arg(got[i], 0, 'g', 17).arg(want[i], 0, 'g', 17)));
        }
        QCOMPARE(deviceEvery3.probes.size(), hostEveryStep.probes.size());
        QVERIFY(!hostEveryStep.probes.empty());
        for (std::size_t i = 0; i < hostEveryStep.probes.size(); ++i) {
            QCOMPARE(deviceEvery3.probes[i].sampleIndex, hostEveryStep.probes[i].sampleIndex);
            QVERIFY(std::abs(deviceEvery3.probes[i].similarity - hostEveryStep.probes[i].similarity) <= tolerance + 1e-12);
        }
    }

    // Banks stored in bf16 (contrastive.bank_dtype): a CRD-free InfoNCE run and its resume work,
    // the loss stays close to the float32 bank's.
    void bf16BankTrainsAndResumes()
    {
        QTemporaryDir dir;
        RunConfig c = tiny("uniform");
        c.epochs = 2;
        MemoryRecorder fp32, bf16;
        QVERIFY(run(c, fp32, dir, "a").outcome == RunOutcome::Finished);
        c.contrastive.bankDtype = Precision::Bf16;
        QVERIFY(run(c, bf16, dir, "b").outcome == RunOutcome::Finished);
        const auto want = fp32.series(metric::kContrastiveEpochLoss), got = bf16.series(metric::kContrastiveEpochLoss);
        QCOMPARE(got.size(), std::size_t(2));
        for (std::size_t i = 0; i < got.size(); ++i)
            QVERIFY2(std::isfinite(got[i]) && std::abs(got[i] - want[i]) < 0.05 * want[i],
                     qPrintable(QString("%1 vs %2").arg(got[i]).arg(want[i])));
        // Its checkpoint (a bf16 bank inside) resumes.
        c.epochs = 3;
        MemoryRecorder resumed;
        QVERIFY(run(c, resumed, dir, "b", bf16.checkpoints.back().second).outcome == RunOutcome::Finished);
        QCOMPARE(resumed.series(metric::kContrastiveEpochLoss).size(), std::size_t(1));
    }

    void resumeGivesTheSameCurve()
    {
        QTemporaryDir dir;
        RunConfig c = tiny("instance");
        c.epochs = 3;
        c.contrastive.mixupCount = 2;
        c.contrastive.epsilon = 0.2;
        MemoryRecorder full;
        QVERIFY(run(c, full, dir, "a").outcome == RunOutcome::Finished);
        // The same run cancelled as its second epoch begins, then resumed from epoch 1.
        MemoryRecorder first, second;
        std::stop_source stop;
        struct StopAtEpoch2 final : TrainingObserver {
            std::stop_source& s;
            explicit StopAtEpoch2(std::stop_source& x) : s(x) {}
            void onEpochBegin(std::int64_t epoch, std::int64_t) override
            {
                if (epoch == 2)
                    s.request_stop();
            }
        } stopper(stop);
        TrainRequest req{c, 2, dir.filePath("b").toStdString(), {}};
        QVERIFY(train(req, stopper, first, stop.get_token()).outcome == RunOutcome::Cancelled);
        req.resumeFrom = first.checkpoints.back().second;
        TrainingObserver none;
        QVERIFY(train(req, none, second, std::stop_token{}).outcome == RunOutcome::Finished);
        // A resume, not a restart: no row of epoch 1 again, steps go on from the checkpoint's.
        QCOMPARE(second.firstRow(metric::kTrainLoss), full.firstRow(metric::kTrainLoss, 2));
        for (const char* name : {metric::kTestTop1, metric::kContrastiveLoss, metric::kNegativeCosine}) {
            const auto want = full.series(name, 2), got = second.series(name);
            QCOMPARE(got.size(), want.size());
            for (std::size_t i = 0; i < want.size(); ++i)
                QVERIFY2(std::abs(got[i] - want[i]) <= 1e-5 * std::max(1.0, std::abs(want[i])),
                         qPrintable(QString("%1[%2]: %3 vs %4").arg(name).arg(i).arg(got[i], 0, 'g', 10).arg(want[i], 0, 'g', 10)));
        }
    }

    void impossibleSettingsAreConfigErrors_data()
    {
        QTest::addColumn<QString>("sampler");
        QTest::addColumn<int>("classK");
        QTest::addColumn<int>("instanceK");
        QTest::addColumn<QString>("field");
        QTest::newRow("class k >= C") << "class" << 10 << 16 << "contrastive.class.k";
        QTest::newRow("instance k beyond candidates") << "instance" << 3 << 500 << "contrastive.instance.k";
    }

    void impossibleSettingsAreConfigErrors()
    {
        QFETCH(QString, sampler);
        QFETCH(int, classK);
        QFETCH(int, instanceK);
        QFETCH(QString, field);
        QTemporaryDir dir;
        RunConfig c = tiny(sampler.toStdString());
        c.contrastive.classK = classK;
        c.contrastive.instanceK = instanceK;
        MemoryRecorder rec;
        try {
            run(c, rec, dir, "cp");
            QFAIL("expected a ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(field), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestContrastiveTraining)
#include "test_contrastive_training.moc"
