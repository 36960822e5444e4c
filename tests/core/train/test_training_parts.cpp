// The parts the contrastive term and the training loop were split into, each on its own, with
// data small enough to check by hand: sampler statistics, probe rows, the sampler factory,
// the epoch metric list and the metric-recording and divergence callbacks. (The whole loop,
// with all of them together, is test_trainer, test_contrastive_training and test_distillation.)
#include <QtTest>

#include <QTemporaryDir>

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <cmath>

#include "memory_recorder.h"
#include "sampling/mixup.h"
#include "sampling/negative_sampler.h"
#include "sampling/counter_rng.h"
#include "sampling/sampler_factory.h"
#include "train/epoch_metrics.h"
#include "train/metric_names.h"
#include "train/probe_recorder.h"
#include "train/sampler_statistics.h"
#include "train/training_callbacks.h"
#include "common/errors.h"
#include "train/precision.h"
#include "train/run_config.h"
#include "train/run_job.h"
#include "store/run_store.h"
#include "test_device.h"

using namespace scns;
using test::MemoryRecorder;

class TestTrainingParts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bankStatisticsAreSharesOfAllNegatives()
    {
        SamplerStatistics stats;
        // Two anchors (classes 0 and 1), two negatives each.
        const auto anchors = at::tensor(std::vector<std::int64_t>{0, 1});
        const auto negLabels = at::tensor(std::vector<std::int64_t>{0, 2, 2, 2}).view({2, 2});
        const auto cos = at::tensor(std::vector<float>{0.5f, 0.25f, -0.5f, 0.75f}).view({2, 2});
        const auto fromTopK = at::tensor(std::vector<std::int64_t>{1, 0, 1, 1}).view({2, 2}).to(at::kBool);
        // Top-k classes of class 0: {2}; of class 1: {0}.
        auto mask = at::zeros({3, 3}, at::kBool);
        mask[0][2] = true;
        mask[1][0] = true;
        stats.addBankBatch(at::scalar_tensor(2.0), cos, anchors, negLabels, fromTopK, mask);
        stats.addBankBatch(at::scalar_tensor(4.0), cos, anchors, negLabels, fromTopK, mask);
        const ContrastiveEpochStats s = stats.value(true);
        QCOMPARE(s.meanLoss, 3.0);
        QCOMPARE(s.meanNegativeCosine, 0.25);  // (0.5 + 0.25 - 0.5 + 0.75) / 4
        QCOMPARE(s.sameClassShare, 0.25);      // one negative of the anchor's class in four
        QCOMPARE(s.fromTopKShare, 0.75);
        QCOMPARE(s.topKClassShare, 0.25);      // only anchor 0's class-2 negative
        QVERIFY(std::isnan(stats.value(false).topKClassShare));
        stats.reset();
        QCOMPARE(stats.value(true).meanLoss, 0.0);
        QCOMPARE(stats.value(true).meanNegativeCosine, 0.0);
    }

    void inBatchStatisticsCountPairsOfDifferentClasses()
    {
        SamplerStatistics stats;
        const auto labels = at::tensor(std::vector<std::int64_t>{0, 0, 1});
        const auto cos = at::tensor(std::vector<float>{1, 0.5f, 0.25f, 0.5f, 1, 0.75f, 0.25f, 0.75f, 1}).view({3, 3});
        stats.addInBatch(at::scalar_tensor(1.5), cos, labels, {});
        const ContrastiveEpochStats s = stats.value(false);
        QCOMPARE(s.meanLoss, 1.5);
        QCOMPARE(s.meanNegativeCosine, 0.5);  // pairs (0,2), (1,2), (2,0), (2,1): 0.25, 0.75, 0.25, 0.75
        QCOMPARE(s.sameClassShare, 0.0);
        QCOMPARE(s.fromTopKShare, 0.0);
    }

    void probeRowsAreThoseOfProbeAnchorsStampedWithTheEpoch()
    {
        // 4 samples, 2 classes; 2 probes: one of each class.
        const std::vector<std::vector<std::int64_t>> byClass{{0, 1}, {2, 3}};
        const auto labels = at::tensor(std::vector<std::int64_t>{0, 0, 1, 1});
        ProbeRecorder probes(byClass, labels, 2, 1, 7);
        const auto indices = at::tensor(std::vector<std::int64_t>{0, 1, 2, 3});
        const auto negatives = at::tensor(std::vector<std::int64_t>{2, 3, 2, 3, 0, 1, 0, 1}).view({4, 2});
        const auto fromTopK = at::ones({4, 2}, at::kBool);
        const auto cos = at::full({4, 2}, 0.5);
        probes.record(indices, labels, at::zeros({4, 2}), negatives, fromTopK, cos, PseudoNegatives{});
        const auto rows = probes.take(3);
        QCOMPARE(int(rows.size()), 2);  // one probe per class, one negative shown each
        QVERIFY(rows[0].anchorClass != rows[1].anchorClass);
        for (const auto& r : rows) {
            QCOMPARE(r.epoch, std::int64_t(3));
            QCOMPARE(r.slot, std::int64_t(0));
            QCOMPARE(r.kind, std::string("negative"));
            QCOMPARE(r.sampleClass, 1 - r.anchorClass);
            QCOMPARE(r.similarity, 0.5);
        }
        QVERIFY(probes.take(4).empty());
    }

    void factoryClassSamplerDrawsFromTheTopKClassesOnly()
    {
        // 3 classes of 4 samples; class 0's only top-1 class is 2.
        std::vector<std::int64_t> y;
        for (std::int64_t c = 0; c < 3; ++c)
            for (int i = 0; i < 4; ++i)
                y.push_back(c);
        const auto labels = at::tensor(y);
        SamplerFactory factory(labels, 3, makeGenerator(1));
        const auto S = at::tensor(std::vector<float>{1, 0.1f, 0.9f, 0.1f, 1, 0.2f, 0.9f, 0.2f, 1}).view({3, 3});
        const auto sampler = factory.byClass(S, ClassSamplerOptions().k(1));
        const SampledNegatives neg = sampler->sample(at::tensor(std::vector<std::int64_t>{0, 1}), 32);
        QVERIFY(labels.index({neg.indices}).eq(2).all().item<bool>());
        QVERIFY(neg.fromTopK.all().item<bool>());
        const auto uniform = factory.uniform();
        const auto mixed = factory.withEpsilon(sampler, 1.0, uniform);
        QVERIFY(!mixed->sample(at::tensor(std::vector<std::int64_t>{0}), 16).fromTopK.any().item<bool>());
    }

    void epochMetricsNameEverySummaryField()
    {
        EpochSummary s;
        s.trainLoss = 1, s.trainTop1 = 2, s.testLoss = 3, s.testTop1 = 4, s.testTop5 = 5;
        s.seconds = 6, s.imagesPerSecond = 7, s.dataWaitShare = 8;
        const auto m = epochMetrics(s);
        QCOMPARE(int(m.size()), 8);
        QCOMPARE(std::string(m[0].first), std::string(metric::kTrainEpochLoss));
        QCOMPARE(std::string(m[3].first), std::string(metric::kTestTop1));
        for (std::size_t i = 0; i < m.size(); ++i)
            QCOMPARE(m[i].second, double(i + 1));
    }

    void metricRecordingRecordsTheComponentsItIsGiven()
    {
        MemoryRecorder rec;
        MetricRecording recording(rec, {"a", "b"}, nullptr);
        TrainStep t;
        t.epoch = 1, t.step = 5, t.loss = 2.5, t.lr = 0.1, t.kdLoss = 0.5;
        recording.stepTaken(t);
        QCOMPARE(rec.series(metric::kTrainLoss), std::vector<double>{2.5});
        QCOMPARE(rec.series(metric::kKdLoss), std::vector<double>{0.5});
        QVERIFY(rec.series(metric::kCeLoss).empty());
        EpochSummary s;
        s.epoch = 1;
        const std::vector<std::int64_t> confusion{1, 0, 0, 1};
        recording.endEpoch({s, confusion});
        QCOMPARE(int(rec.confusions.size()), 1);
        QCOMPARE(int(rec.series(metric::kTestTop1).size()), 1);
        QVERIFY(rec.series(metric::kNegativeCosine).empty());  // no contrastive term
    }

    void divergenceCheckNamesTheStepAndTheBound()
    {
        DivergenceCheck check(10.0, nullptr, 0, "");
        TrainStep t;
        t.epoch = 2, t.batch = 3, t.step = 9, t.lr = 0.5, t.epochsCompleted = 1;
        t.loss = 9.0;
        QVERIFY(!check.evaluate(t));
        t.loss = -11.0;
        const auto above = check.evaluate(t);
        QVERIFY(above && above->find("above the divergence bound divergence_loss = 10") != std::string::npos);
        QVERIFY(above->find("in epoch 2 at batch 3 (step 9") != std::string::npos);
        QVERIFY(above->find("the checkpoint of epoch 1 is intact") != std::string::npos);
        t.loss = std::nan("");
        t.epochsCompleted = 0;
        const auto nan = check.evaluate(t);
        QVERIFY(nan && nan->rfind("loss became NaN", 0) == 0);
        QVERIFY(nan->find("no checkpoint was written yet") != std::string::npos);
        EpochSummary s;
        check.endEpoch({s, {}});  // no teacher: nothing to check
    }

    // Autocast on the test device: matrix products run in bf16 inside the scope and in float32
    // again after it; fp32 changes nothing; fp16 on a CPU is a DeviceError.
    void autocastScopeSwitchesTheProductDtype()
    {
        const auto dev = test::device();
        const at::Tensor a = at::randn({8, 8}, at::TensorOptions(at::kFloat).device(dev));
        {
            const AutocastScope scope(dev, Precision::Bf16);
            QCOMPARE(at::mm(a, a).scalar_type(), at::kBFloat16);
            QCOMPARE(at::softmax(a, 1).scalar_type(), at::kFloat);  // kept in float32 by autocast
        }
        QCOMPARE(at::mm(a, a).scalar_type(), at::kFloat);
        {
            const AutocastScope scope(dev, Precision::Fp32);
            QCOMPARE(at::mm(a, a).scalar_type(), at::kFloat);
        }
        QVERIFY_THROWS_EXCEPTION(DeviceError, AutocastScope(c10::Device(c10::kCPU), Precision::Fp16));
    }

    // The loss scaler: gradients come back unscaled; a non-finite gradient skips the step and
    // halves the scale; growthInterval good steps double it.
    void lossScalerUnscalesSkipsAndGrows()
    {
        const auto dev = test::device();
        LossScaler scaler(8.0, 2);
        const at::Tensor p = at::ones({3}, at::TensorOptions(at::kFloat).device(dev)).requires_grad_(true);
        scaler.scale((p * 2.0).sum()).backward();
        QCOMPARE(p.grad()[0].item<float>(), 16.0f);
        QVERIFY(scaler.unscale({p}));
        QCOMPARE(p.grad()[1].item<float>(), 2.0f);
        {
            at::NoGradGuard noGrad;
            p.grad()[2].fill_(std::numeric_limits<float>::infinity());
        }
        QVERIFY(!scaler.unscale({p}));
        scaler.update(false);
        QCOMPARE(scaler.currentScale(), 4.0);
        QCOMPARE(scaler.skippedSteps(), std::int64_t(1));
        scaler.update(true);
        QCOMPARE(scaler.currentScale(), 4.0);
        scaler.update(true);
        QCOMPARE(scaler.currentScale(), 8.0);
    }

    // Convolution weights in NHWC order after toChannelsLast; biases untouched.
    void channelsLastConvertsConvolutionWeights()
    {
        const at::Tensor w = at::randn({4, 3, 3, 3}), b = at::randn({4});
        toChannelsLast({w, b});
        QVERIFY(w.is_contiguous(at::MemoryFormat::ChannelsLast));
        QVERIFY(!w.is_contiguous());
        QVERIFY(b.is_contiguous());
    }

    // A distilled student's parent is its teacher's run however the teacher was chosen: by
    // distill.teacher_run, or by the file of a checkpoint the store recorded; else the parent
    // given (a duplicate's source).
    void studentsParentIsTheTeachersRun()
    {
        QTemporaryDir dir;
        RunStore store(dir.filePath("runs.sqlite").toStdString());
        const std::int64_t teacher = store.createRun("teacher", "{}", 1);
        const std::int64_t source = store.createRun("source", "{}", 1);
        const std::string file = dir.filePath("runs.sqlite.checkpoints/run-1/epoch-3.pt").toStdString();
        store.addCheckpoint(teacher, 3, file);
        QCOMPARE(store.runOfCheckpoint(file).value_or(-1), teacher);
        QVERIFY(!store.runOfCheckpoint(dir.filePath("elsewhere.pt").toStdString()));

        RunConfig student;
        student.distill.method = DistillMethod::Kd;
        student.distill.teacherWeights = file;  // chosen by file, no teacher_run
        QCOMPARE(store.run(createRun(store, student, source)).parentRunId, teacher);
        student.distill.teacherWeights = dir.filePath("imported.pt").toStdString();
        student.distill.teacherRunId = teacher;  // chosen as a run
        QCOMPARE(store.run(createRun(store, student, source)).parentRunId, teacher);
        student.distill.teacherRunId = 0;  // an imported teacher: the duplicate's source stays
        QCOMPARE(store.run(createRun(store, student, source)).parentRunId, source);
        RunConfig plain;
        QCOMPARE(store.run(createRun(store, plain, source)).parentRunId, source);
    }
};

QTEST_GUILESS_MAIN(TestTrainingParts)
#include "test_training_parts.moc"
