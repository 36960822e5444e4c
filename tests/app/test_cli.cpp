// The scns command line as a user runs it: train, runs, show, export, resume after Ctrl-C
// and after a kill, and the errors for bad input.
#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <cmath>
#include <csignal>

namespace {
const QString kScns = QStringLiteral(SCNS_CLI_PATH);

struct Result {
    int exitCode = -1;
    QString out, err;
};

const QStringList kTiny = {"--train-per-class", "20", "--test-per-class", "10", "--batch-size", "32", "--threads", "2"};

}  // namespace

class TestCli : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString db() const { return m_dir.filePath("runs.sqlite"); }

    Result scns(const QStringList& args)
    {
        QProcess p;
        p.start(kScns, QStringList{"--db", db()} + args);
        if (!p.waitForFinished(300000))
            p.kill();
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    // Starts a training run and waits until its first epoch line appears.
    bool startAndWaitForEpoch(QProcess& p, const QStringList& args)
    {
        p.start(kScns, QStringList{"--db", db(), "train"} + args);
        QString seen;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 120000) {
            p.waitForReadyRead(200);
            seen += QString::fromUtf8(p.readAllStandardOutput());
            if (seen.contains("epoch 1/"))
                return true;
            if (p.state() == QProcess::NotRunning)
                return false;
        }
        return false;
    }

private Q_SLOTS:
    void trainRunsShowExport()
    {
        const Result t = scns(QStringList{"train", "--epochs", "2", "--name", "tiny"} + kTiny);
        QVERIFY2(t.exitCode == 0, qPrintable(t.out + t.err));
        QVERIFY(t.out.contains("epoch 2/2"));
        QVERIFY(t.out.contains("finished: test top-1"));

        const Result runs = scns({"runs"});
        QCOMPARE(runs.exitCode, 0);
        QVERIFY(runs.out.contains("tiny"));
        QVERIFY(runs.out.contains("finished"));
        QVERIFY(runs.out.contains("2/2"));

        const Result show = scns({"show", "tiny"});
        QCOMPARE(show.exitCode, 0);
        QVERIFY(show.out.contains("\"arch\": \"small-cnn\""));
        QVERIFY(show.out.contains("test top1"));
        QVERIFY(show.out.contains("epoch-2.pt"));

        const QString csvFile = m_dir.filePath("m.csv");
        QCOMPARE(scns({"export", "1", "--format", "csv", "-o", csvFile}).exitCode, 0);
        QFile csv(csvFile);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), QString("run_id,epoch,step,name,value"));
        QCOMPARE(lines.filter(",test/top1,").size(), 2);
        QCOMPARE(lines.filter(",train/loss,").size(), 2 * 7);  // 200 images / 32 per batch

        const Result json = scns({"export", "1", "--format", "json"});
        QCOMPARE(json.exitCode, 0);
        const QJsonObject doc = QJsonDocument::fromJson(json.out.toUtf8()).object();
        QCOMPARE(doc["run"].toObject()["status"].toString(), QString("finished"));
        QCOMPARE(doc["config"].toObject()["epochs"].toInt(), 2);
        QVERIFY(doc["metrics"].toArray().size() == lines.size() - 1);
        QCOMPARE(doc["checkpoints"].toArray().size(), 2);
        QCOMPARE(doc["test_confusion"].toArray().size(), 2);

        // The test confusion matrix: 10 x 10 cells per epoch, counts summing to the 100 test images.
        const QStringList conf = scns({"export", "1", "--table", "confusion"}).out.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(conf.first(), QString("run_id,epoch,true_class,predicted_class,count"));
        QCOMPARE(conf.size(), 1 + 2 * 100);
        int total = 0;
        for (const QString& line : conf.mid(1))
            if (line.startsWith("1,2,"))
                total += line.section(',', -1).toInt();
        QCOMPARE(total, 100);
    }

    void contrastiveRunRecordsSimilarityAndNegatives()
    {
        const Result t = scns(QStringList{"train", "--epochs", "1", "--name", "scns", "--sampler", "class", "--negatives",
                                          "64", "--mixup", "2", "--probe-anchors", "5"} + kTiny);
        QVERIFY2(t.exitCode == 0, qPrintable(t.out + t.err));
        const Result show = scns({"show", "scns"});
        QVERIFY(show.out.contains("class similarity: 1 matrix recorded (wordnet@0)"));
        QVERIFY(show.out.contains("T-shirt/top"));
        QVERIFY(show.out.contains("top-k class"));
        QVERIFY(show.out.contains("probe negatives:"));
        const Result sim = scns({"export", "scns", "--table", "similarity"});
        QCOMPARE(sim.out.split('\n', Qt::SkipEmptyParts).size(), 1 + 10 * 10);
        const Result neg = scns({"export", "scns", "--table", "negatives"});
        const QStringList rows = neg.out.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(rows.size(), 1 + 5 * (32 + 2));  // 5 probe anchors x (32 recorded negatives + 2 pseudo)
        QCOMPARE(rows.filter(",pseudo,").size(), 5 * 2);
        // Into a file, the line on standard error counts and names what was written (it once
        // said "wrote N metric rows" whatever the table).
        const Result negFile = scns({"export", "scns", "--table", "negatives", "-o", m_dir.filePath("neg.csv")});
        QCOMPARE(negFile.exitCode, 0);
        QVERIFY2(negFile.err.contains(QString("wrote %1 probe negative rows of run").arg(5 * (32 + 2))), qPrintable(negFile.err));
        const Result simFile = scns({"export", "scns", "--table", "similarity", "-o", m_dir.filePath("sim.csv")});
        QVERIFY2(simFile.err.contains("wrote 100 class similarity rows of run"), qPrintable(simFile.err));
        const Result jsonFile = scns({"export", "scns", "--format", "json", "-o", m_dir.filePath("run.json")});
        QVERIFY2(jsonFile.err.contains("as a JSON document (") && jsonFile.err.contains("1 class similarity matrices")
                     && jsonFile.err.contains(QString("%1 probe negatives").arg(5 * (32 + 2))),
                 qPrintable(jsonFile.err));
        const QJsonObject doc = QJsonDocument::fromJson(scns({"export", "scns", "--format", "json"}).out.toUtf8()).object();
        QCOMPARE(doc["class_similarity"].toArray().size(), 1);
        QCOMPARE(doc["probe_negatives"].toArray().size(), rows.size() - 1);
        QVERIFY(doc["config"].toObject()["contrastive"].toObject()["enabled"].toBool());
    }

    void badConfigListsEveryProblem()
    {
        const QString file = m_dir.filePath("bad.json");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"optim": {"lr": -1}, "batch_size": 0, "data": {"dataset": "mnist-9000"}})");
        f.close();
        const Result r = scns({"train", "--config", file});
        QCOMPARE(r.exitCode, 2);
        for (const char* field : {"optim.lr", "batch_size", "data.dataset", "-1", "mnist-9000"})
            QVERIFY2(r.err.contains(field), qPrintable(r.err));
        // A flag with a bad value is reported the same way.
        const Result flag = scns({"train", "--epochs", "0", "--dry-run"});
        QCOMPARE(flag.exitCode, 2);
        QVERIFY(flag.err.contains("epochs = 0"));
    }

    // A true-or-false setting's flag alone means true; with a value, that value.
    void aBareSwitchMeansTrue()
    {
        const auto channelsLast = [this](const QStringList& flags) {
            const Result r = scns(QStringList{"train", "--dry-run"} + flags);
            return r.exitCode != 0 ? QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.err)
                   : r.out.contains("\"channels_last\": true") ? QStringLiteral("true")
                                                              : QStringLiteral("false");
        };
        QCOMPARE(channelsLast({"--channels-last", "--epochs", "1"}), QStringLiteral("true"));
        QCOMPARE(channelsLast({"--epochs", "1", "--channels-last"}), QStringLiteral("true"));
        QCOMPARE(channelsLast({"--channels-last", "false"}), QStringLiteral("false"));
        QCOMPARE(channelsLast({}), QStringLiteral("false"));
        QVERIFY(channelsLast({"--channels-last", "maybe"}).contains("channels_last = 'maybe'"));
    }

    void missingDataFolderFailsTheRunWithItsName()
    {
        const Result r = scns(QStringList{"train", "--data-dir", "/nonexistent/fmnist", "--name", "nodata"} + kTiny);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("/nonexistent/fmnist"), qPrintable(r.err));
        QVERIFY(scns({"show", "nodata"}).out.contains("failed"));
    }

    void cudaWithoutCudaIsAClearError()
    {
        const Result r = scns(QStringList{"train", "--device", "cuda:3", "--name", "gpu"} + kTiny);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("cuda:3"), qPrintable(r.err));
    }

    void interruptThenResume()
    {
        QProcess p;
        QVERIFY(startAndWaitForEpoch(p, QStringList{"--epochs", "4", "--name", "ctrlc"} + kTiny));
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 130);
        QVERIFY(scns({"show", "ctrlc"}).out.contains("cancelled"));
        const Result r = scns({"resume", "ctrlc"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QVERIFY(r.out.contains("resuming after epoch"));
        QVERIFY(r.out.contains("epoch 4/4"));
        const Result show = scns({"show", "ctrlc"});
        QVERIFY(show.out.contains("finished"));
        // One row per epoch in the table, none duplicated by the resume.
        const Result csv = scns({"export", "ctrlc"});
        QCOMPARE(csv.out.split('\n').filter(",test/top1,").size(), 4);
        QCOMPARE(csv.out.split('\n').filter(",train/loss,").size(), 4 * 7);
        // The whole curve, epochs before the interrupt and after the resume, equals that of the
        // same run never stopped (CPU, same seed and thread count): what docs/usage.md promises.
        QCOMPARE(scns(QStringList{"train", "--epochs", "4", "--name", "straight"} + kTiny).exitCode, 0);
        const auto curve = [this](const QString& run) {
            QMap<QString, double> values;  // "epoch,step,name" -> value
            for (const QString& line : scns({"export", run}).out.split('\n', Qt::SkipEmptyParts).mid(1))
                if (line.contains(",train/loss,") || line.contains(",test/loss,") || line.contains(",test/top1,"))
                    values.insert(line.section(',', 1, 3), line.section(',', 4).toDouble());
            return values;
        };
        const auto resumed = curve("ctrlc"), straight = curve("straight");
        QCOMPARE(resumed.size(), 4 * 7 + 2 * 4);
        QCOMPARE(resumed.keys(), straight.keys());
        for (auto it = straight.begin(); it != straight.end(); ++it)
            QVERIFY2(std::abs(resumed[it.key()] - it.value()) <= 1e-6 * std::max(1.0, std::abs(it.value())),
                     qPrintable(QString("%1: resumed %2, uninterrupted %3").arg(it.key()).arg(resumed[it.key()], 0, 'g', 10)
                                    .arg(it.value(), 0, 'g', 10)));
        // Resuming a finished run is refused.
        QCOMPARE(scns({"resume", "ctrlc"}).exitCode, 2);
    }

    void killedRunIsInterruptedAndResumable()
    {
        QProcess p;
        QVERIFY(startAndWaitForEpoch(p, QStringList{"--epochs", "3", "--name", "killed"} + kTiny));
        p.kill();  // SIGKILL: no chance to clean up
        QVERIFY(p.waitForFinished(10000));
        const Result runs = scns({"runs"});
        QVERIFY2(runs.out.contains("interrupted"), qPrintable(runs.out));
        const Result r = scns({"resume", "killed"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QVERIFY(scns({"show", "killed"}).out.contains("finished"));
    }

    void globalOptionsAlsoAfterTheSubcommand()
    {
        // `scns runs --db FILE` was refused ("--db: not expected"); every subcommand takes it.
        const QString other = m_dir.filePath("after.sqlite");
        QProcess p;
        p.start(kScns, QStringList{"train", "--db", other, "--epochs", "1", "--name", "after"} + kTiny);
        QVERIFY(p.waitForFinished(300000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QVERIFY(QFile::exists(other));
        const QList<QStringList> commands = {{"runs"}, {"show", "after"}, {"export", "after"}, {"resume", "after"},
                                             {"export-weights", "after", "-o", m_dir.filePath("after.pth")}};
        for (const QStringList& command : commands) {
            QProcess q;
            q.start(kScns, QStringList{command.first(), "--db", other} + command.mid(1));
            QVERIFY(q.waitForFinished(60000));
            const QString err = QString::fromUtf8(q.readAllStandardError());
            QVERIFY2(!err.contains("--db") || !err.contains("not expected"), qPrintable(command.first() + ": " + err));
            // resume of a finished run is refused (2) after the store was opened: the option was taken.
            if (command.first() == "resume")
                QVERIFY2(q.exitCode() == 2 && err.contains("has finished"), qPrintable(err));
            else
                QVERIFY2(q.exitCode() == 0, qPrintable(command.first() + ": " + err));
        }
        QProcess runs;
        runs.start(kScns, {"runs", "--db", other});
        QVERIFY(runs.waitForFinished(60000));
        QVERIFY(QString::fromUtf8(runs.readAllStandardOutput()).contains("after"));
        // The --db after the subcommand wins over $SCNS_DB, and one before it is not overridden by it.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("SCNS_DB", db());
        for (const QStringList& args : {QStringList{"runs", "--db", other}, QStringList{"--db", other, "runs"}}) {
            QProcess q;
            q.setProcessEnvironment(env);
            q.start(kScns, args);
            QVERIFY(q.waitForFinished(60000));
            QVERIFY2(QString::fromUtf8(q.readAllStandardOutput()).contains("after"), qPrintable(args.join(' ')));
        }
        // Each subcommand's help lists it, and resume's help names every state it continues.
        for (const char* command : {"train", "resume", "distill", "runs", "show", "export", "evaluate", "export-weights"}) {
            QProcess h;
            h.start(kScns, {command, "--help"});
            QVERIFY(h.waitForFinished(60000));
            QVERIFY2(QString::fromUtf8(h.readAllStandardOutput()).contains("--db"), command);
        }
        QProcess h;
        h.start(kScns, {"resume", "--help"});
        QVERIFY(h.waitForFinished(60000));
        const QString help = QString::fromUtf8(h.readAllStandardOutput()).simplified();
        for (const char* state : {"cancelled", "interrupted", "failed", "diverged"})
            QVERIFY2(help.contains(state), qPrintable(help));
    }

    void unknownRunIsAnError()
    {
        const Result r = scns({"show", "no-such-run"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("no-such-run"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
