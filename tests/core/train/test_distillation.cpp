// Distillation in the training loop on a small Fashion-MNIST subset: the teacher stays frozen
// (weights and batch-norm statistics), KD and CRD runs record their terms, CRD with each SCNS
// sampler and mixup trains, a CRD run resumes to the same curve, and a teacher that does not
// fit the student's data is a clear error naming the file.
#include <QtTest>

#include <QTemporaryDir>

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <torch/optim/sgd.h>

#include "common/errors.h"
#include "data/dataset_registry.h"
#include "memory_recorder.h"
#include "models/registry.h"
#include "models/save_state_dict.h"
#include "train/checkpoint.h"
#include "train/contrastive_term.h"
#include "train/teacher.h"
#include "train/run_settings.h"
#include "train/trainer.h"
#include "test_device.h"

using namespace scns;

namespace {

using test::MemoryRecorder;

RunConfig tiny()
{
    RunConfig c;
    c.data.trainPerClass = 30;
    c.data.testPerClass = 10;
    c.batchSize = 32;
    c.evalBatchSize = 100;
    c.epochs = 2;
    c.threads = 2;
    c.device = test::deviceName();
    c.seed = 4;
    c.optim.lr = 0.05;
    c.contrastive.negatives = 64;
    c.contrastive.probeAnchors = 10;
    c.contrastive.probeNegatives = 8;
    c.contrastive.instanceK = 16;
    return c;
}

// A teacher trained for one epoch by the real loop: an SCNS checkpoint of fashion-mnist.
std::string trainTeacher(const QTemporaryDir& dir, const std::string& arch = "resnet8")
{
    RunConfig c = tiny();
    c.arch = arch;
    c.epochs = 1;
    MemoryRecorder rec;
    TrainingObserver none;
    const RunResult r = train({c, 1, dir.filePath("teacher").toStdString(), {}}, none, rec, std::stop_token{});
    if (r.outcome != RunOutcome::Finished)
        qFatal("teacher did not train: %s", r.message.c_str());
    return rec.checkpoints.back().second;
}

std::string checkpointErrorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const CheckpointError& e) {
        return e.what();
    }
    return "(no CheckpointError)";
}

}  // namespace

class TestDistillation : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::string m_teacher;
    ImageSet m_train;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_teacher = trainTeacher(m_dir);
        m_train = loadDataset("fashion-mnist", "", Split::Test);  // class count and channels only
    }

    void teacherStaysFrozenWhileStudentAndHeadsTrain()
    {
        DistillConfig d;
        d.method = DistillMethod::Crd;
        d.teacherWeights = m_teacher;
        Teacher teacher(d, "fashion-mnist", m_train, c10::kCPU);
        const std::uint64_t before = teacher.stateHash();
        std::vector<at::Tensor> snapshot;
        for (const auto& p : teacher.network().parameters())
            snapshot.push_back(p.detach().clone());
        for (const auto& b : teacher.network().buffers())
            snapshot.push_back(b.detach().clone());

        // The trainer's composition, several SGD steps: student + both projection heads.
        MemoryRecorder rec;
        RunConfig cfg = tiny();
        cfg.contrastive.enabled = true;
        auto student = buildNetwork({"small-cnn", 10, 1});
        ImageSet small = m_train;
        ContrastiveTerm crd(cfg.contrastive, "fashion-mnist", small, student->featureDim(), c10::kCPU, 1, rec,
                            {teacher.featureDim(), true});
        QVERIFY(crd.isCrd());
        std::vector<at::Tensor> params = student->parameters();
        for (const auto& p : crd.head()->parameters())
            params.push_back(p);
        const auto headBefore = crd.teacherHead()->parameters().front().detach().clone();
        for (const auto& p : crd.teacherHead()->parameters())
            params.push_back(p);
        torch::optim::SGD sgd(params, torch::optim::SGDOptions(0.1).momentum(0.9));
        crd.beginEpoch(0, std::nullopt);
        student->train();
        for (int step = 0; step < 3; ++step) {
            const auto idx = at::arange(step * 16, step * 16 + 16, at::kLong);
            const auto x = at::randn({16, 1, 28, 28});
            const auto y = at::tensor(std::vector<std::int64_t>(m_train.labels.begin() + step * 16,
                                                                m_train.labels.begin() + step * 16 + 16));
            const auto out = student->forwardAll(x);
            const auto t = teacher.forward(x);
            const auto loss = at::cross_entropy_loss(out.logits, y) + crd.loss(out.features, idx, y, t.features);
            sgd.zero_grad();
            loss.backward();
            sgd.step();
            crd.afterStep();
        }
        QCOMPARE(teacher.stateHash(), before);
        std::size_t k = 0;
        for (const auto& p : teacher.network().parameters())
            QVERIFY2(at::equal(p, snapshot[k++]), "a teacher parameter changed");
        for (const auto& b : teacher.network().buffers())
            QVERIFY2(at::equal(b, snapshot[k++]), "a teacher buffer (batch-norm statistics) changed");
        QVERIFY2(!at::equal(crd.teacherHead()->parameters().front(), headBefore), "the teacher's CRD head did not train");

        // Negative control: the same forward in training mode moves the batch-norm statistics,
        // and the hash sees it.
        teacher.network().train();
        {
            at::NoGradGuard noGrad;
            teacher.network().forwardAll(at::randn({8, 1, 28, 28}));
        }
        QVERIFY(teacher.stateHash() != before);
    }

    void kdAndCrdRunsTrainAndRecordTheirTerms_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("sampler");
        QTest::addColumn<int>("mixup");
        QTest::addColumn<QString>("objective");
        QTest::newRow("kd") << "kd" << "" << 0 << "infonce";
        QTest::newRow("crd uniform") << "crd" << "uniform" << 0 << "infonce";
        QTest::newRow("crd nce") << "crd" << "uniform" << 0 << "nce";
        QTest::newRow("crd class") << "crd" << "class" << 0 << "infonce";
        QTest::newRow("crd instance (teacher's top-k)") << "crd" << "instance" << 0 << "infonce";
        QTest::newRow("crd mixup") << "crd" << "uniform" << 4 << "infonce";
        QTest::newRow("crd+kd visual") << "crd+kd" << "class" << 0 << "infonce";
    }
    void kdAndCrdRunsTrainAndRecordTheirTerms()
    {
        QFETCH(QString, method);
        QFETCH(QString, sampler);
        QFETCH(int, mixup);
        QFETCH(QString, objective);
        RunConfig c = tiny();
        applySettingText(c, "distill.method", method.toStdString());
        c.distill.teacherWeights = m_teacher;
        if (c.distill.usesCrd()) {
            c.contrastive.enabled = true;
            applySettingText(c, "contrastive.sampler", sampler.toStdString());
            c.contrastive.mixupCount = mixup;
            applySettingText(c, "contrastive.objective", objective.toStdString());
            if (method == "crd+kd")
                c.contrastive.similarity = ClassSimilaritySource::Visual;  // from the teacher's features, once
        }
        QTemporaryDir dir;
        MemoryRecorder rec;
        TrainingObserver none;
        const RunResult r = train({c, 2, dir.filePath("s").toStdString(), {}}, none, rec, std::stop_token{});
        QVERIFY2(r.outcome == RunOutcome::Finished, r.message.c_str());
        QVERIFY2(r.last->testTop1 > 15.0, qPrintable(QString::number(r.last->testTop1)));
        QCOMPARE(int(rec.series(metric::kTeacherTestTop1).size()), 1);
        QVERIFY(rec.series(metric::kTeacherTestTop1)[0] > 10.0);
        const bool kd = c.distill.alpha() > 0, crd = c.distill.usesCrd();
        QCOMPARE(rec.series(metric::kKdLoss).empty(), !kd);
        QCOMPARE(rec.series(metric::kContrastiveLoss).empty(), !crd);
        for (double v : rec.series(metric::kKdLoss))
            QVERIFY(std::isfinite(v) && v >= 0);
        // The per-step total is gamma CE + alpha KD + beta CRD of the recorded components.
        const auto total = rec.series(metric::kTrainLoss), ce = rec.series(metric::kCeLoss);
        const auto kdv = rec.series(metric::kKdLoss), crdv = rec.series(metric::kContrastiveLoss);
        for (std::size_t i = 0; i < total.size(); ++i) {
            const double want = c.distill.gamma() * ce[i] + (kd ? c.distill.alpha() * kdv[i] : 0.0)
                                + (crd ? c.distill.beta() * crdv[i] : 0.0);
            QVERIFY2(std::abs(total[i] - want) <= 1e-4 * std::max(1.0, want),
                     qPrintable(QString("step %1: %2 vs %3").arg(i).arg(total[i]).arg(want)));
        }
        if (crd) {
            QVERIFY(!rec.probes.empty());
            // The class similarity (wordnet, or visual from the teacher's features) is built once
            // before training and never refreshed: the teacher does not change.
            QCOMPARE(int(rec.similarities.size()), 1);
            QCOMPARE(rec.similarities[0].first, std::int64_t(0));
            QCOMPARE(QString::fromStdString(rec.similarities[0].second), method == "crd+kd" ? QString("visual") : QString("wordnet"));
        }
    }

    void crdRunResumesToTheSameCurve()
    {
        RunConfig c = tiny();
        c.distill.method = DistillMethod::CrdKd;
        c.distill.teacherWeights = m_teacher;
        c.contrastive.enabled = true;
        c.contrastive.sampler = SamplerKind::Instance;
        c.contrastive.mixupCount = 2;
        QTemporaryDir dir;
        TrainingObserver none;
        MemoryRecorder full;
        QVERIFY(train({c, 1, dir.filePath("a").toStdString(), {}}, none, full, std::stop_token{}).outcome
                == RunOutcome::Finished);
        struct StopAtEpoch2 final : TrainingObserver {
            std::stop_source s;
            void onBatchEnd(const BatchProgress& p) override
            {
                if (p.epoch == 2 && p.batch == 3)
                    s.request_stop();
            }
        } stopper;
        MemoryRecorder first, second;
        TrainRequest req{c, 2, dir.filePath("b").toStdString(), {}};
        QCOMPARE(int(train(req, stopper, first, stopper.s.get_token()).outcome), int(RunOutcome::Cancelled));
        req.resumeFrom = first.checkpoints.back().second;
        QVERIFY(train(req, none, second, std::stop_token{}).outcome == RunOutcome::Finished);
        // A resume, not a restart: no row of epoch 1 again, steps go on from the checkpoint's.
        QCOMPARE(second.firstRow(metric::kTrainLoss), full.firstRow(metric::kTrainLoss, 2));
        for (const char* name : {metric::kTrainLoss, metric::kKdLoss, metric::kContrastiveLoss, metric::kTestTop1}) {
            const auto want = full.series(name, 2), got = second.series(name);
            QCOMPARE(got.size(), want.size());
            for (std::size_t i = 0; i < want.size(); ++i)
                QVERIFY2(std::abs(got[i] - want[i]) <= 1e-5 * std::max(1.0, std::abs(want[i])),
                         qPrintable(QString("%1[%2]: %3 vs %4").arg(name).arg(i).arg(got[i], 0, 'g', 9).arg(want[i], 0, 'g', 9)));
        }
    }

    void teacherThatDoesNotFitIsAClearError()
    {
        DistillConfig d;
        d.method = DistillMethod::Kd;
        // Another class count: a PyTorch-style state dict of a 100-class resnet8.
        const std::string hundred = m_dir.filePath("resnet8-100.pth").toStdString();
        saveStateDict(*buildNetwork({"resnet8", 100, 1}), hundred);
        d.teacherWeights = hundred;
        d.teacherArch = "resnet8";
        QString e = QString::fromStdString(checkpointErrorOf([&] { Teacher(d, "fashion-mnist", m_train, c10::kCPU); }));
        QVERIFY2(e.contains(QString::fromStdString(hundred)) && e.contains("has 100 classes") && e.contains("has 10"),
                 qPrintable(e));
        // Other input channels: a 3-channel (CIFAR) network.
        const std::string rgb = m_dir.filePath("resnet8-rgb.pth").toStdString();
        saveStateDict(*buildNetwork({"resnet8", 10, 3}), rgb);
        d.teacherWeights = rgb;
        e = QString::fromStdString(checkpointErrorOf([&] { Teacher(d, "fashion-mnist", m_train, c10::kCPU); }));
        QVERIFY2(e.contains("3-channel") && e.contains("has 1"), qPrintable(e));
        // Trained on another data set (an SCNS checkpoint names it).
        d.teacherWeights = m_teacher;
        d.teacherArch.clear();
        e = QString::fromStdString(checkpointErrorOf([&] { Teacher(d, "cifar10", m_train, c10::kCPU); }));
        QVERIFY2(e.contains("trained on fashion-mnist") && e.contains("cifar10"), qPrintable(e));
        // Missing file; a checkpoint of another architecture than the one named.
        d.teacherWeights = m_dir.filePath("none.pt").toStdString();
        e = QString::fromStdString(checkpointErrorOf([&] { Teacher(d, "fashion-mnist", m_train, c10::kCPU); }));
        QVERIFY2(e.contains("none.pt"), qPrintable(e));
        d.teacherWeights = m_teacher;
        d.teacherArch = "resnet20";
        e = QString::fromStdString(checkpointErrorOf([&] { Teacher(d, "fashion-mnist", m_train, c10::kCPU); }));
        QVERIFY2(e.contains("holds a resnet8"), qPrintable(e));
        // The training loop reports it the same way, before any step.
        RunConfig c = tiny();
        c.distill.method = DistillMethod::Kd;
        c.distill.teacherWeights = hundred;
        c.distill.teacherArch = "resnet8";
        MemoryRecorder rec;
        TrainingObserver none;
        QTemporaryDir dir;
        e = QString::fromStdString(checkpointErrorOf(
            [&] { train({c, 3, dir.filePath("x").toStdString(), {}}, none, rec, std::stop_token{}); }));
        QVERIFY2(e.contains("has 100 classes"), qPrintable(e));
        QVERIFY(rec.rows.empty());
    }
};

QTEST_GUILESS_MAIN(TestDistillation)
#include "test_distillation.moc"
