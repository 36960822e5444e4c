// Every command that loads weights reads them as data (issue: trust): a TorchScript file
// whose __setstate__ writes a file, and a pickle whose object would run `touch`, are refused
// by `scns evaluate`, `scns train --teacher`, `--reference-weights` and `scns distill`, with a
// message naming the file; the file their code would create never appears. The landed
// program created it through each of these paths.
#include <QtTest>

#include <QProcess>
#include <QTemporaryDir>

namespace {
const QString kScns = QStringLiteral(SCNS_CLI_PATH);
const QString kTool = QStringLiteral(SCNS_SOURCE_DIR "/tests/core/models/parity_tool.py");

struct Result {
    int exitCode = -1;
    QString out, err;
};

Result run(const QString& program, const QStringList& args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(300000))
        p.kill();
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}
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

    void cleanupTestCase() { m_dir.remove(); }
};

QTEST_GUILESS_MAIN(TestWeightsTrustCli)
#include "test_weights_trust_cli.moc"
