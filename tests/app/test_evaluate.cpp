// `scns evaluate` and `scns export-weights` as a user runs them: PyTorch weights on a tensor
// of inputs with a predictions CSV, an SCNS run exported and evaluated on Fashion-MNIST, and
// exit code 2 with the file named for weights that are not a checkpoint or do not fit.
#include <QtTest>

#include <QProcess>
#include <QTemporaryDir>

#include "run_process.h"

namespace {
const QString kScns = QStringLiteral(SCNS_CLI_PATH);
const QString kTool = QStringLiteral(SCNS_SOURCE_DIR "/tests/core/models/parity_tool.py");

using scns::test::Result;
using scns::test::run;

QStringList readLines(const QString& file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
}
}  // namespace

class TestEvaluate : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString file(const QString& name) const { return m_dir.filePath(name); }
    Result scns(const QStringList& args) { return run(kScns, QStringList{"--db", file("runs.sqlite")} + args); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const Result made = run(SCNS_TEST_PYTHON, {kTool, "make", "resnet8", "10", m_dir.path()});
        QVERIFY2(made.exitCode == 0, qPrintable(made.out + made.err));
    }

    void inputsGivePredictionsCsv()
    {
        const Result r = scns({"evaluate", "--arch", "resnet8", "--weights", file("resnet8.pt"), "--inputs",
                               file("resnet8-input.pt"), "--predictions", file("p.csv"), "--threads", "2"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains("4 inputs") && r.out.contains("PyTorch state dict"), qPrintable(r.out));
        QVERIFY2(!r.out.contains("top-1"), "inputs have no labels");
        const QStringList lines = readLines(file("p.csv"));
        QCOMPARE(lines.size(), 1 + 4);
        QStringList header = {"index", "predicted"};
        for (int k = 0; k < 10; ++k)
            header << QString("logit_%1").arg(k);
        QCOMPARE(lines[0], header.join(','));

        // PyTorch's logits for the same weights and inputs, one row per line.
        const Result py = run(SCNS_TEST_PYTHON,
                              {"-c", "import sys, torch\nfor row in torch.load(sys.argv[1]).tolist(): "
                                     "print(','.join(repr(v) for v in row))",
                               file("resnet8-logits.pt")});
        QVERIFY2(py.exitCode == 0, qPrintable(py.err));
        const QStringList expected = py.out.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(expected.size(), 4);
        for (int i = 0; i < 4; ++i) {
            const QStringList cells = lines[i + 1].split(',');
            QCOMPARE(cells.size(), 2 + 10);
            QCOMPARE(cells[0].toInt(), i);
            const QStringList want = expected[i].split(',');
            int argmax = 0;
            for (int k = 0; k < 10; ++k) {
                QVERIFY2(std::abs(cells[2 + k].toDouble() - want[k].toDouble()) < 1e-4, qPrintable(lines[i + 1]));
                if (cells[2 + k].toDouble() > cells[2 + argmax].toDouble())
                    argmax = k;
            }
            QCOMPARE(cells[1].toInt(), argmax);
        }
    }

    void exportedRunEvaluatesLikeItsCheckpoint()
    {
        const Result t = scns({"train", "--epochs", "1", "--train-per-class", "30", "--test-per-class", "10",
                               "--batch-size", "32", "--threads", "2", "--name", "tiny"});
        QVERIFY2(t.exitCode == 0, qPrintable(t.out + t.err));
        const Result e = scns({"export-weights", "tiny", "-o", file("tiny.pt")});
        QVERIFY2(e.exitCode == 0, qPrintable(e.out + e.err));
        QVERIFY2(e.out.contains("small-cnn") && e.out.contains("epoch 1"), qPrintable(e.out));
        const Result py = run(SCNS_TEST_PYTHON, {"-c", "import sys, torch\nsd = torch.load(sys.argv[1], weights_only=True)\n"
                                                       "print(type(sd).__name__, len(sd), next(iter(sd)))",
                                                 file("tiny.pt")});
        QVERIFY2(py.exitCode == 0 && py.out.startsWith("OrderedDict "), qPrintable(py.out + py.err));

        const Result fromExport = scns({"evaluate", "--arch", "small-cnn", "--weights", file("tiny.pt"), "--threads", "2"});
        QVERIFY2(fromExport.exitCode == 0, qPrintable(fromExport.out + fromExport.err));
        const QString cps = m_dir.filePath("runs.sqlite.checkpoints/run-1/epoch-1.pt");  // the store's own folder
        const Result fromCheckpoint = scns({"evaluate", "--weights", cps, "--split", "test", "--threads", "2",
                                            "--predictions", file("test-predictions.csv")});
        QVERIFY2(fromCheckpoint.exitCode == 0, qPrintable(fromCheckpoint.out + fromCheckpoint.err));
        // A data set's predictions come from core's evaluation loop, one row per test image.
        QVERIFY2(fromCheckpoint.out.contains("wrote 10000 predictions"), qPrintable(fromCheckpoint.out));
        QFile predictions(file("test-predictions.csv"));
        QVERIFY(predictions.open(QIODevice::ReadOnly));
        QCOMPARE(predictions.readAll().count('\n'), 10001);  // header + one row per image
        QVERIFY2(fromCheckpoint.out.contains("SCNS training checkpoint, epoch 1"), qPrintable(fromCheckpoint.out));
        const auto resultLine = [](const QString& out) {
            const QStringList l = out.split('\n').filter("fashion-mnist test: 10000 images");
            return l.isEmpty() ? QString() : l.first();
        };
        QVERIFY2(resultLine(fromExport.out).contains("top-5"), qPrintable(fromExport.out));
        QCOMPARE(resultLine(fromExport.out), resultLine(fromCheckpoint.out));
    }

    void badInputExitsWithTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("expected");
        const QString text = m_dir.filePath("notes.txt");
        QFile f(text);
        if (f.open(QIODevice::WriteOnly))
            f.write("not weights\n");
        const QString weights = m_dir.filePath("resnet8.pt"), inputs = m_dir.filePath("resnet8-input.pt");
        QTest::newRow("text file") << QStringList{"evaluate", "--arch", "resnet8", "--weights", text, "--inputs", inputs}
                                   << QStringList{text, "not a PyTorch weights file"};
        QTest::newRow("missing file") << QStringList{"evaluate", "--arch", "resnet8", "--weights", text + ".nope"}
                                      << QStringList{text + ".nope", "not found"};
        QTest::newRow("other architecture")
            << QStringList{"evaluate", "--arch", "wrn_16_2", "--weights", weights, "--inputs", inputs}
            << QStringList{weights, "wrn_16_2", "missing keys", "unexpected keys", "layer1.0.conv1.weight"};
        QTest::newRow("unknown architecture") << QStringList{"evaluate", "--arch", "resnet9", "--weights", weights}
                                              << QStringList{"resnet9", "resnet8x4"};
        QTest::newRow("weights as inputs")
            << QStringList{"evaluate", "--arch", "resnet8", "--weights", weights, "--inputs", weights}
            << QStringList{weights, "expected a single tensor"};
        QTest::newRow("data set does not fit") << QStringList{"evaluate", "--arch", "resnet8", "--weights", weights}
                                               << QStringList{weights, "fashion-mnist", "1 channels"};
        QTest::newRow("no run") << QStringList{"export-weights", "nosuchrun", "-o", m_dir.filePath("x.pt")}
                                << QStringList{"nosuchrun"};
    }
    void badInputExitsWithTwo()
    {
        QFETCH(QStringList, args);
        QFETCH(QStringList, expected);
        const Result r = scns(args);
        QCOMPARE(r.exitCode, 2);
        for (const QString& e : expected)
            QVERIFY2(r.err.contains(e), qPrintable(r.err + "\n  lacks: " + e));
    }
};

QTEST_GUILESS_MAIN(TestEvaluate)
#include "test_evaluate.moc"
