// `scns distill`: a teacher-then-students experiment runs as linked runs, survives a SIGKILL
// (running the same command again keeps the finished runs, resumes the killed one from its
// checkpoint and runs the rest), and refuses unusable teachers and files with clear messages.
#include <QtTest>

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <map>

#include "store/run_store.h"

using namespace scns;

namespace {

const QString kScns = QStringLiteral(SCNS_CLI_PATH);

struct Result {
    int exitCode = -1;
    QString out, err;
};

// Teacher small-cnn for 2 epochs, then 3 student settings x 2 seeds of 2 epochs each.
const char* kExperiment = R"({
  "name": "exp",
  "base": {"data": {"train_per_class": 20, "test_per_class": 10}, "epochs": 2, "batch_size": 32, "threads": 2,
           "contrastive": {"negatives": 32, "probe_anchors": 4, "probe_negatives": 4}},
  "teacher": {"train": {"model": {"arch": "small-cnn"}}},
  "student": {"model": {"arch": "resnet8"}},
  "students": [
    {"label": "none"},
    {"label": "kd", "distill": {"method": "kd"}},
    {"label": "crd-class-mixup", "distill": {"method": "crd"},
     "contrastive": {"sampler": "class", "mixup": {"count": 2}}}
  ],
  "seeds": [0, 1]
})";

}  // namespace

class TestDistillCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString db() const { return m_dir.filePath("runs.sqlite"); }

    QString writeFile(const QString& name, const QByteArray& text)
    {
        QFile f(m_dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(name));
        f.write(text);
        return f.fileName();
    }

    Result scns(const QStringList& args, const QString& database = {})
    {
        QProcess p;
        p.start(kScns, QStringList{"--db", database.isEmpty() ? db() : database} + args);
        if (!p.waitForFinished(600000))
            p.kill();
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

private Q_SLOTS:
    void experimentSurvivesAKillAndContinues()
    {
        const QString file = writeFile("exp.json", kExperiment);
        QProcess p;
        p.start(kScns, {"--db", db(), "distill", "--config", file});
        // Kill it during the first epoch of the third run (the second student).
        QString seen;
        QElapsedTimer t;
        t.start();
        bool inThird = false;
        while (t.elapsed() < 300000 && p.state() != QProcess::NotRunning) {
            p.waitForReadyRead(100);
            seen += QString::fromUtf8(p.readAllStandardOutput());
            const auto third = seen.indexOf("[3/7]");
            if (third >= 0 && seen.indexOf("epoch 1/2", third) >= 0) {
                inThird = true;
                break;
            }
        }
        QVERIFY2(inThird, qPrintable(seen));
        p.kill();
        QVERIFY(p.waitForFinished(10000));

        std::int64_t killedId = 0;
        std::string killedStart;
        {
            RunStore store(db().toStdString());  // marks the killed run interrupted
            const auto runs = store.listRuns();
            QCOMPARE(int(runs.size()), 7);  // the whole plan is stored up front
            for (const auto& r : runs)
                if (r.status == RunStatus::Interrupted) {
                    killedId = r.id;
                    killedStart = r.startedAt;
                    QVERIFY(store.latestCheckpoint(r.id).has_value());  // epoch 1 was saved
                }
            QVERIFY2(killedId != 0, "no run was marked interrupted");
        }

        const Result again = scns({"distill", "--config", file});
        QVERIFY2(again.exitCode == 0, qPrintable(again.out + again.err));
        QVERIFY2(again.out.contains("[1/7] teacher seed 0: run 1 exp/teacher, finished before, kept"), qPrintable(again.out));
        QVERIFY2(again.out.contains(QString("run %1 exp/none/seed1, resuming from its last checkpoint").arg(killedId)),
                 qPrintable(again.out));
        QVERIFY2(again.out.contains("[7/7] crd-class-mixup seed 1"), qPrintable(again.out));
        QVERIFY(again.out.contains("crd-class-mixup") && again.out.contains("final test top-1"));

        RunStore store(db().toStdString());
        std::int64_t teacherId = 0;
        std::map<std::string, int> perLabel;
        for (const auto& r : store.listRuns()) {
            QCOMPARE(QString::fromStdString(toString(r.status)), QString("finished"));
            QCOMPARE(QString::fromStdString(r.tags), QString("experiment:exp"));
            if (r.name == "exp/teacher")
                teacherId = r.id;
        }
        QVERIFY(teacherId != 0);
        for (const auto& r : store.listRuns()) {
            if (r.id == teacherId)
                continue;
            QCOMPARE(r.parentRunId, teacherId);  // students link to their teacher
            ++perLabel[r.name.substr(0, r.name.rfind('/'))];
            // Each epoch's accuracy recorded exactly once, resumed run included.
            QCOMPARE(int(store.metrics(r.id, "test/top1").size()), 2);
        }
        QCOMPARE(perLabel.size(), std::size_t(3));
        QCOMPARE(store.run(killedId).startedAt, killedStart);  // resumed, not restarted
        QCOMPARE(int(store.metrics(teacherId, "test/top1").size()), 2);

        // A third time: nothing left to do.
        const Result done = scns({"distill", "--config", file});
        QCOMPARE(done.exitCode, 0);
        QCOMPARE(int(done.out.count("finished before, kept")), 7);

        // The file changed under a stored experiment: refused, naming the run.
        QByteArray changed = kExperiment;
        changed.replace("\"epochs\": 2", "\"epochs\": 3");
        const Result refused = scns({"distill", "--config", writeFile("changed.json", changed)});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains("configuration stored with run 1"), qPrintable(refused.err));
    }

    void unusableTeachersAreRefusedBeforeTraining_data()
    {
        QTest::addColumn<QString>("teacher");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing weights") << R"({"weights": "/no/such/teacher.pth", "arch": "resnet8"})"
                                         << "/no/such/teacher.pth";
        QTest::newRow("unknown run") << R"({"run": "nobody"})" << "nobody";
        QTest::newRow("two sources") << R"({"run": 1, "weights": "t.pth"})" << "exactly one of train";
        QTest::newRow("teacher distilled itself") << R"({"train": {"distill": {"method": "kd", "teacher": {"weights": "x"}}}})"
                                                  << "none for the teacher";
    }
    void unusableTeachersAreRefusedBeforeTraining()
    {
        QFETCH(QString, teacher);
        QFETCH(QString, message);
        QByteArray text = kExperiment;
        text.replace(R"({"train": {"model": {"arch": "small-cnn"}}})", teacher.toUtf8());
        const QString other = m_dir.filePath("other.sqlite");
        const Result r = scns({"distill", "--config", writeFile("bad.json", text)}, other);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        RunStore store(other.toStdString());
        QVERIFY(store.listRuns().empty());  // nothing was created or trained
    }

    void teacherRunThatIsNotFinishedIsRefused()
    {
        const QString other = m_dir.filePath("unfinished.sqlite");
        {
            RunStore store(other.toStdString());
            const auto id = store.createRun("half-trained", R"({"model": {"arch": "small-cnn"}})", 0);
            store.markRunning(id);
            store.finishRun(id, RunStatus::Cancelled, "cancelled in epoch 2");
        }
        QByteArray text = kExperiment;
        text.replace(R"({"train": {"model": {"arch": "small-cnn"}}})", R"({"run": "half-trained"})");
        const Result r = scns({"distill", "--config", writeFile("unfinished.json", text)}, other);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("teacher.run") && r.err.contains("is cancelled") && r.err.contains("scns resume 1"),
                 qPrintable(r.err));
    }

    void studentSettingsAreCheckedUpFront()
    {
        QByteArray text = kExperiment;
        text.replace(R"({"label": "kd", "distill": {"method": "kd"}})",
                     R"({"label": "kd", "distill": {"method": "kd", "temprature": 4}}, {"label": "kd"})");
        const Result r = scns({"distill", "--config", writeFile("typo.json", text), "--dry-run"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("students[1] (kd).distill.temprature"), qPrintable(r.err));
        QVERIFY2(r.err.contains("students[2].label"), qPrintable(r.err));  // duplicate label
    }
};

QTEST_GUILESS_MAIN(TestDistillCli)
#include "test_distill_cli.moc"
