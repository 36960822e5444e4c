// Parity with PyTorch in Python, both ways, on networks defined independently in
// reference_nets.py: (a) weights written by torch.save are imported and give PyTorch's eval
// logits; (b) weights exported here load in Python with load_state_dict(strict=True) and give
// ours. Plus the wrappers training scripts save (DataParallel prefix, {'model': ...},
// {'state_dict': ...}) and state dicts that do not fit, whose errors must name the keys.
#include <QtTest>

#include <QTemporaryDir>

#include <torch/utils.h>

#include "models/batch_norm.h"
#include "models/load_state_dict.h"
#include "models/pretrained.h"
#include "models/registry.h"
#include "models/save_state_dict.h"
#include "models/weights_file.h"
#include "parity_support.h"

using namespace scns;
using scns::test::checkpointErrorOf;
using scns::test::maxAbsDiff;
using scns::test::runParityTool;

namespace {
constexpr double kTolerance = 1e-4;
constexpr int kClasses = 100;

void addArchitectureRows()
{
    QTest::addColumn<QString>("arch");
    for (const char* a : {"resnet8x4", "wrn_16_2", "vgg8", "MobileNetV2", "ShuffleV2", "resnet20"})
        QTest::newRow(a) << QString(a);
}

// Random batch-norm statistics and affine parameters: eval-mode logits then depend on every
// buffer, so a buffer lost on the way shows.
void perturbBatchNorm(torch::nn::Module& net)
{
    torch::NoGradGuard noGrad;
    for (const auto& m : net.modules()) {
        if (auto* bn = m->as<SyncBatchNorm2dImpl>()) {
            bn->running_mean.uniform_(-0.2, 0.2);
            bn->running_var.uniform_(0.5, 1.5);
            bn->weight.uniform_(0.5, 1.5);
            bn->bias.uniform_(-0.2, 0.2);
            bn->num_batches_tracked.fill_(7);
        }
    }
}
}  // namespace

class TestParity : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::string path(const QString& name) const { return m_dir.filePath(name).toStdString(); }

    // parity_tool.py make, once per architecture.
    QString made(const QString& arch)
    {
        if (QFile::exists(m_dir.filePath(arch + "-logits.pt")))
            return {};
        return runParityTool({"make", arch, QString::number(kClasses), m_dir.path()});
    }

    // parity_tool.py variants resnet8 (wrapped and broken copies of resnet8.pt), once.
    QString variantsMade()
    {
        if (QFile::exists(m_dir.filePath("resnet8-all3.pt")))
            return made("resnet8");
        const QString error = runParityTool({"variants", "resnet8", QString::number(kClasses), m_dir.path()});
        return error.isEmpty() ? made("resnet8") : error;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFile::exists(SCNS_TEST_PYTHON), SCNS_TEST_PYTHON);
        torch::set_num_threads(2);
    }

    void importGivesPyTorchLogits_data() { addArchitectureRows(); }
    void importGivesPyTorchLogits()
    {
        QFETCH(QString, arch);
        const QString error = made(arch);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const PretrainedNetwork p = loadPretrained(arch.toStdString(), path(arch + ".pt"));
        QCOMPARE(p.spec.numClasses, kClasses);
        QCOMPARE(p.spec.inChannels, 3);
        QCOMPARE(QString::fromStdString(p.format), QString("PyTorch state dict"));
        torch::NoGradGuard noGrad;
        const auto logits = p.network->forward(readTensorFile(path(arch + "-input.pt")));
        const auto expected = readTensorFile(path(arch + "-logits.pt"));
        QCOMPARE(expected.size(0), 4);
        QVERIFY(expected.abs().max().item<double>() > 0.1);  // not trivially small
        const double diff = maxAbsDiff(logits, expected);
        qInfo("%s: imported, max |logit diff| vs PyTorch %.3g", qPrintable(arch), diff);
        QVERIFY2(diff < kTolerance, qPrintable(QString("max |diff| = %1").arg(diff)));
        // Buffers arrive too: num_batches_tracked (int64) was set to 123 in Python.
        for (const auto& [key, t] : stateDict(*p.network))
            if (key.ends_with("num_batches_tracked"))
                QCOMPARE(t.item<std::int64_t>(), std::int64_t(123));
    }

    void exportLoadsInPyTorch_data() { addArchitectureRows(); }
    void exportLoadsInPyTorch()
    {
        QFETCH(QString, arch);
        torch::manual_seed(42);
        auto net = buildNetwork({arch.toStdString(), kClasses, 3});
        perturbBatchNorm(*net);
        net->eval();
        const auto input = torch::randn({3, 3, 32, 32});
        const QString weights = arch + "-ours.pt", inputFile = arch + "-ours-input.pt", out = arch + "-py-logits.pt";
        saveStateDict(*net, path(weights));
        saveTensor(input, path(inputFile));
        const QString error = runParityTool({"run", arch, QString::number(kClasses), m_dir.filePath(weights),
                                             m_dir.filePath(inputFile), m_dir.filePath(out)});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        torch::NoGradGuard noGrad;
        const double diff = maxAbsDiff(net->forward(input), readTensorFile(path(out)));
        qInfo("%s: exported, max |logit diff| vs PyTorch %.3g", qPrintable(arch), diff);
        QVERIFY2(diff < kTolerance, qPrintable(QString("max |diff| = %1").arg(diff)));
    }

    void wrappersLoad_data()
    {
        QTest::addColumn<QString>("variant");
        QTest::addColumn<QString>("format");
        QTest::newRow("module. prefix") << "prefixed" << "PyTorch state dict";
        QTest::newRow("{'model': sd} (RepDistiller)") << "model" << "PyTorch checkpoint, state dict under 'model'";
        QTest::newRow("{'state_dict': module. sd}") << "state_dict" << "PyTorch checkpoint, state dict under 'state_dict'";
        QTest::newRow("float64 weights") << "float64" << "PyTorch state dict";
        QTest::newRow("legacy torch.save (PyTorch < 1.6)") << "legacy" << "PyTorch state dict";
    }
    void wrappersLoad()
    {
        QFETCH(QString, variant);
        QFETCH(QString, format);
        const QString error = variantsMade();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const PretrainedNetwork p = loadPretrained("resnet8", path("resnet8-" + variant + ".pt"));
        QCOMPARE(QString::fromStdString(p.format), format);
        torch::NoGradGuard noGrad;
        const double diff = maxAbsDiff(p.network->forward(readTensorFile(path("resnet8-input.pt"))),
                                       readTensorFile(path("resnet8-logits.pt")));
        QVERIFY2(diff < kTolerance, qPrintable(QString("max |diff| = %1").arg(diff)));
    }

    void stateDictsThatDoNotFitNameTheKeys_data()
    {
        QTest::addColumn<QString>("variant");
        QTest::addColumn<QStringList>("expected");
        QTest::addColumn<QStringList>("absent");
        QTest::newRow("missing") << "missing" << QStringList{"missing keys (1): fc.bias"}
                                 << QStringList{"unexpected", "wrong shape"};
        QTest::newRow("extra") << "extra" << QStringList{"unexpected keys (1): fc.extra"}
                               << QStringList{"missing", "wrong shape"};
        QTest::newRow("shape") << "shape" << QStringList{"wrong shape: fc.weight expected 100x64, found 3x3"}
                               << QStringList{"missing", "unexpected"};
        QTest::newRow("all three") << "all3"
                                   << QStringList{"3 problems", "missing keys (1): fc.bias",
                                                  "unexpected keys (1): fc.extra",
                                                  "wrong shape: fc.weight expected 100x64, found 3x3"}
                                   << QStringList{};
    }
    void stateDictsThatDoNotFitNameTheKeys()
    {
        QFETCH(QString, variant);
        QFETCH(QStringList, expected);
        QFETCH(QStringList, absent);
        const QString error = variantsMade();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const std::string file = path("resnet8-" + variant + ".pt");
        const QString msg = checkpointErrorOf([&] { loadPretrained("resnet8", file, kClasses); });
        QVERIFY2(msg.startsWith(QString::fromStdString(file)), qPrintable(msg));
        QVERIFY2(msg.contains("resnet8 with 100 classes"), qPrintable(msg));
        for (const QString& e : expected)
            QVERIFY2(msg.contains(e), qPrintable(msg + "\n  lacks: " + e));
        for (const QString& a : absent)
            QVERIFY2(!msg.contains(a), qPrintable(msg + "\n  should not mention: " + a));
    }

    void wrongArchitectureListsEveryKey()
    {
        QVERIFY(made("resnet8").isEmpty());
        const QString msg = checkpointErrorOf([&] { loadPretrained("wrn_16_1", path("resnet8.pt")); });
        QVERIFY2(msg.contains("wrn_16_1"), qPrintable(msg));
        // Every key of both sides is named, not just the first.
        QVERIFY2(msg.contains("block3.layer.1.conv2.weight") && msg.contains("layer3.0.downsample.1.running_var"),
                 qPrintable(msg));
        QVERIFY2(msg.contains("missing keys (74)"), qPrintable(msg));
    }

    void cleanupTestCase() { m_dir.remove(); }
};

QTEST_GUILESS_MAIN(TestParity)
#include "test_parity.moc"
