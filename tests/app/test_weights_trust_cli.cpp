// Every command that loads weights reads them as data (issue: trust): a TorchScript file
// whose __setstate__ writes a file, and a pickle whose object would run `touch`, are refused
// by `scns evaluate`, `scns train --teacher`, `--reference-weights` and `scns distill`, with a
// message naming the file; the file their code would create never appears. The landed
// program created it through each of these paths. And a run the landed version left unfinished
// resumes from its checkpoint of format 1.
#include <QtTest>

#include <QProcess>
#include <QTemporaryDir>

#include "run_process.h"

namespace {
const QString kScns = QStringLiteral(SCNS_CLI_PATH);
const QString kTool = QStringLiteral(SCNS_SOURCE_DIR "/tests/core/models/parity_tool.py");

using scns::test::Result;
using scns::test::run;
}  // namespace

class TestWeightsTrustCli : public QObject {
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
        const Result hostile = run(SCNS_TEST_PYTHON, {kTool, "trust", "resnet8", "10", m_dir.path(), file("MARKER")});
        QVERIFY2(hostile.exitCode == 0, qPrintable(hostile.out + hostile.err));
        QVERIFY(!QFile::exists(file("MARKER")));
    }

    void everyPathRefuses_data()
    {
        QTest::addColumn<QString>("weights");
        QTest::addColumn<QString>("command");
        for (const char* w : {"setstate-attack.pt", "reduce-attack.pt"})
            for (const char* c : {"evaluate", "teacher", "reference", "distill"})
                QTest::newRow(qPrintable(QString("%1 via %2").arg(w, c))) << QString(w) << QString(c);
    }
    void everyPathRefuses()
    {
        QFETCH(QString, weights);
        QFETCH(QString, command);
        const QString w = file(weights);
        const QStringList small = {"--train-per-class", "4", "--test-per-class", "2", "--epochs", "1", "--threads", "2"};
        Result r;
        if (command == "evaluate") {
            r = scns({"evaluate", "--arch", "resnet8", "--weights", w, "--inputs", file("resnet8-input.pt")});
        } else if (command == "teacher") {
            r = scns(QStringList{"train", "--arch", "resnet8", "--distill", "kd", "--teacher", w, "--teacher-arch",
                                 "resnet8"} + small);
        } else if (command == "reference") {
            r = scns(QStringList{"train", "--arch", "resnet8", "--sampler", "class", "--similarity", "visual",
                                 "--reference-weights", w, "--reference-arch", "resnet8", "--negatives", "16"}
                     + small);
        } else {
            QFile exp(file("exp.json"));
            QVERIFY(exp.open(QIODevice::WriteOnly | QIODevice::Truncate));
            exp.write(QStringLiteral(R"({"name": "trust", "base": {"data": {"train_per_class": 4, "test_per_class": 2},
                "epochs": 1, "threads": 2}, "teacher": {"weights": "%1", "arch": "resnet8"},
                "student": {"model": {"arch": "resnet8"}}, "students": [{"label": "KD", "distill": {"method": "kd"}}]})")
                          .arg(w)
                          .toUtf8());
            exp.close();
            r = scns({"distill", "--config", file("exp.json")});
        }
        QVERIFY2(r.exitCode != 0, qPrintable(r.out + r.err));
        QVERIFY2((r.out + r.err).contains(w) && (r.out + r.err).contains("refused"), qPrintable(r.out + r.err));
        QVERIFY2(!(r.out + r.err).contains("terminate called"), qPrintable(r.err));
        QVERIFY2(!QFile::exists(file("MARKER")), qPrintable("the file's code ran: " + r.out + r.err));
    }

    // A run the landed version left cancelled after epoch 1 of 2, with the contrastive term:
    // its format-1 checkpoint (network, momentum, projection head, memory bank) resumes here,
    // after the store has moved its checkpoints into the store's own folder.
    void landedRunResumesFromItsFormat1Checkpoint()
    {
        const QString landed = file("landed");
        QVERIFY(QDir().mkpath(landed + "/checkpoints/run-1"));
        QVERIFY(QDir().mkpath(landed + "/checkpoints/run-2"));
        for (const char* f : {"runs.sqlite", "checkpoints/run-1/epoch-1.pt", "checkpoints/run-2/epoch-1.pt"})
            QVERIFY2(QFile::copy(QStringLiteral(SCNS_SOURCE_DIR "/tests/data/landed-store/") + f, landed + "/" + f), f);
        const QString db = landed + "/runs.sqlite";
        const Result r = run(kScns, {"--db", db, "resume", "2"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains("resuming after epoch 1") && r.out.contains("epoch 2/2") && !r.out.contains("epoch 1/2"),
                 qPrintable(r.out + r.err));
        const Result shown = run(kScns, {"--db", db, "show", "2"});
        QVERIFY2(shown.exitCode == 0 && shown.out.contains("finished"), qPrintable(shown.out + shown.err));
        // The checkpoint written now is format 2, beside the landed one.
        QVERIFY2(QFile::exists(db + ".checkpoints/run-2/epoch-2.pt"), qPrintable(QDir(db + ".checkpoints/run-2").entryList().join(' ')));
    }

    void cleanupTestCase() { m_dir.remove(); }
};

QTEST_GUILESS_MAIN(TestWeightsTrustCli)
#include "test_weights_trust_cli.moc"
