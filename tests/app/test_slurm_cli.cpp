// Sweeps on a real Slurm: tests/support/slurm_cluster.sh starts munged, slurmctld and slurmd from
// Debian's slurm-wlm and munge on this machine (a localhost cluster with its own state folder),
// the tests submit with `scns slurm submit` and the cluster runs `scns` as its tasks.
//  - a teacher sweep, then a 2-task student array depending on it (--after): all finish, the
//    shards merge into one store with every run and metric row once, the students linked to
//    the teacher; merging again changes nothing; `scns slurm status` shows the runs finished;
//  - scns distill's experiment file: the teacher as one task, the students after it;
//  - a run of two processes: its task starts the ranks with srun;
//  - a task cancelled with scancel mid-run is requeued (scontrol requeue) and resumes its run
//    from its checkpoint to the end.
// Without the cluster the tests fail with the fixture's message: they are not skipped.
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <map>

#include "run_process.h"
#include "store/run_store.h"

using namespace scns;

namespace {

const QString kScns = QStringLiteral(SCNS_CLI_PATH);
const QString kFixture = QStringLiteral(SCNS_SOURCE_DIR "/tests/support/slurm_cluster.sh");

QStringList tinyRun(int epochs, int perClass)
{
    return {"--set", "epochs=" + QString::number(epochs),
            "--set", "data.train_per_class=" + QString::number(perClass),
            "--set", "data.test_per_class=5",
            "--set", "threads=1",
            "--set", "batch_size=32"};
}

// The job id `scns slurm submit` printed.
QString jobOf(const test::Result& r)
{
    const auto m = QRegularExpression("submitted job (\\d+)").match(r.out);
    return m.hasMatch() ? m.captured(1) : QString();
}

// Waits until squeue lists none of the jobs (or the timeout passes); true when they left.
bool waitForJobs(const QStringList& jobs, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        const auto q = test::run("squeue", {"-h", "-j", jobs.join(','), "-o", "%i"});
        if (q.exitCode == 0 && q.out.trimmed().isEmpty())
            return true;
        QThread::msleep(500);
    }
    return false;
}

}  // namespace

class TestSlurmCli : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_cluster;
    bool m_started = false;

    QString path(const QString& name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_cluster = path("cluster");
        QProcess start;
        start.start("bash", {kFixture, "start", m_cluster});
        QVERIFY2(start.waitForFinished(180000), "the Slurm fixture did not start within 180 s");
        const QString out = QString::fromUtf8(start.readAllStandardOutput());
        QVERIFY2(start.exitCode() == 0,
                 qPrintable("the local Slurm cluster did not start (tests/support/slurm_cluster.sh; "
                            "Debian packages slurm-wlm and munge): "
                            + QString::fromUtf8(start.readAllStandardError()) + out));
        m_started = true;
        // "export NAME=VALUE" lines: the clients' environment, for this process and its children.
        for (const QString& line : out.split('\n', Qt::SkipEmptyParts)) {
            const auto m = QRegularExpression("^export ([A-Z_]+)=(.*)$").match(line.trimmed());
            if (m.hasMatch())
                qputenv(m.captured(1).toUtf8(), m.captured(2).remove('\'').remove('"').toUtf8());
        }
        QVERIFY2(!qEnvironmentVariable("SLURM_CONF").isEmpty(), qPrintable(out));
    }

    void cleanupTestCase()
    {
        if (m_started)
            test::run("bash", {kFixture, "stop", m_cluster}, 120000);
    }

    void teacherThenStudentsMergeOnce()
    {
        const QString teachers = path("teacher"), students = path("students");
        const auto t = test::run(kScns,
                                 QStringList{"slurm", "submit", "--dir", teachers, "--job-name", "teacher"}
                                     + tinyRun(1, 10) + QStringList{"--set", "model.arch=small-cnn-gn"});
        QVERIFY2(t.exitCode == 0 && !jobOf(t).isEmpty(), qPrintable(t.out + t.err));
        const QString weights = teachers + "/task-0.sqlite.checkpoints/run-1/epoch-1.pt";
        const auto s =
            test::run(kScns,
                      QStringList{"slurm", "submit", "--dir", students, "--after", jobOf(t), "--seeds", "0-1", "--set",
                                  "distill.method=kd", "--set", "distill.teacher.weights=" + weights, "--set",
                                  "distill.teacher.arch=small-cnn-gn"}
                          + tinyRun(1, 10));
        QVERIFY2(s.exitCode == 0 && !jobOf(s).isEmpty(), qPrintable(s.out + s.err));
        QVERIFY2(waitForJobs({jobOf(t), jobOf(s)}, 300000), "the sweep did not finish within 300 s");

        const auto status = test::run(kScns, {"slurm", "status", students});
        QVERIFY2(status.exitCode == 0 && status.out.count("finished") == 2, qPrintable(status.out + status.err));

        const QString db = path("all.sqlite");
        const auto merged = test::run(kScns,
                                      {"merge", teachers + "/task-0.sqlite", students + "/task-0.sqlite",
                                       students + "/task-1.sqlite", "--into", db});
        QVERIFY2(merged.exitCode == 0 && merged.out.contains("3 runs imported"), qPrintable(merged.out + merged.err));
        const auto again = test::run(kScns,
                                     {"merge", teachers + "/task-0.sqlite", students + "/task-0.sqlite",
                                      students + "/task-1.sqlite", "--into", db});
        QVERIFY2(again.exitCode == 0 && again.out.contains("0 runs imported"), qPrintable(again.out));

        RunStore store(db.toStdString());
        const auto runs = store.listRuns();
        QCOMPARE(int(runs.size()), 3);
        std::int64_t teacher = 0;
        for (const RunRecord& r : runs)
            if (r.name.find("kd") == std::string::npos && r.parentRunId == 0)
                teacher = r.id;
        QVERIFY(teacher > 0);
        int children = 0;
        for (const RunRecord& r : runs) {
            QCOMPARE(toString(r.status), std::string("finished"));
            std::map<std::int64_t, int> perEpoch;
            for (const MetricRow& row : store.metrics(r.id, "test/top1"))
                ++perEpoch[row.epoch];
            QCOMPARE(perEpoch, (std::map<std::int64_t, int>{{1, 1}}));
            children += r.parentRunId == teacher ? 1 : 0;
        }
        QCOMPARE(children, 2);
    }

    // scns distill's experiment file on the cluster: the teacher as one task, the students x
    // seeds as an array waiting for it, merged with the students linked to their teacher.
    void anExperimentRunsItsTeacherFirst()
    {
        const QString file = path("exp.json"), root = path("experiment");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({
  "name": "pair",
  "base": {"data": {"train_per_class": 10, "test_per_class": 5}, "epochs": 1, "batch_size": 32, "threads": 1},
  "teacher": {"train": {"model": {"arch": "small-cnn-gn"}}},
  "student": {"model": {"arch": "small-cnn"}},
  "students": [{"label": "kd", "distill": {"method": "kd"}}],
  "seeds": [0, 1]
})");
        f.close();
        const auto r = test::run(kScns, {"slurm", "submit", "--experiment", file, "--dir", root});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        const auto jobs = QRegularExpression("submitted job (\\d+)").globalMatch(r.out);
        QStringList ids;
        for (auto it = jobs; it.hasNext();)
            ids << it.next().captured(1);
        QCOMPARE(ids.size(), 2);
        QFile script(root + "/students/sweep.sbatch");
        QVERIFY(script.open(QIODevice::ReadOnly));
        QVERIFY(script.readAll().contains("--dependency=afterok:" + ids[0].toUtf8()));
        QVERIFY2(waitForJobs(ids, 300000), "the experiment did not finish within 300 s");
        const QString db = path("experiment.sqlite");
        const auto merged = test::run(kScns,
                                      {"merge", root + "/students/task-0.sqlite", root + "/students/task-1.sqlite",
                                       root + "/teacher/task-0.sqlite", "--into", db});
        QVERIFY2(merged.exitCode == 0 && merged.out.contains("3 runs imported"), qPrintable(merged.out + merged.err));
        RunStore store(db.toStdString());
        int linked = 0, finished = 0;
        for (const RunRecord& run : store.listRuns()) {
            finished += run.status == RunStatus::Finished ? 1 : 0;
            linked += run.parentRunId > 0 && store.run(run.parentRunId).name == "pair/teacher";
        }
        QCOMPARE(finished, 3);
        QCOMPARE(linked, 2);
    }

    // A run of several processes (distributed.processes): its task starts the ranks with srun,
    // which tells each its place (SLURM_PROCID, SLURM_NTASKS, ...); rank 0 stores the run.
    void aRunOfTwoProcessesStartsItsRanksWithSrun()
    {
        const QString sweep = path("ranks");
        const QStringList twoRanks{"--set", "distributed.processes=2", "--set", "model.arch=small-cnn-gn"};
        const auto r = test::run(kScns, QStringList{"slurm", "submit", "--dir", sweep} + tinyRun(1, 10) + twoRanks);
        QVERIFY2(r.exitCode == 0 && !jobOf(r).isEmpty(), qPrintable(r.out + r.err));
        QFile script(sweep + "/sweep.sbatch");
        QVERIFY(script.open(QIODevice::ReadOnly));
        QVERIFY(script.readAll().contains("srun --ntasks=2"));
        QVERIFY2(waitForJobs({jobOf(r)}, 240000), "the task did not finish within 240 s");
        QFile log(sweep + "/logs/task-0.out");
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QString out = QString::fromUtf8(log.readAll());
        QVERIFY2(out.contains("in each of 2 processes") && out.contains("finished"), qPrintable(out));
        RunStore shard((sweep + "/task-0.sqlite").toStdString());
        QCOMPARE(int(shard.listRuns().size()), 1);  // rank 0 stored it, rank 1 did not
        QCOMPARE(toString(shard.run(1).status), std::string("finished"));
    }

    void aCancelledTaskResumesWhenRequeued()
    {
        const QString sweep = path("requeue");
        const auto r = test::run(kScns, QStringList{"slurm", "submit", "--dir", sweep} + tinyRun(4, 300));
        QVERIFY2(r.exitCode == 0 && !jobOf(r).isEmpty(), qPrintable(r.out + r.err));
        const QString job = jobOf(r);
        QElapsedTimer clock;
        clock.start();
        const QString checkpoint = sweep + "/task-0.sqlite.checkpoints/run-1/epoch-1.pt";
        while (!QFile::exists(checkpoint) && clock.elapsed() < 240000)
            QThread::msleep(200);
        QVERIFY2(QFile::exists(checkpoint), "the task wrote no checkpoint within 240 s");
        QCOMPARE(test::run("scancel", {job}).exitCode, 0);
        QVERIFY2(waitForJobs({job}, 60000), "the cancelled task stayed in the queue");
        {
            RunStore shard((sweep + "/task-0.sqlite").toStdString());
            const RunRecord run = shard.run(1);
            QVERIFY2(run.status != RunStatus::Finished, "the task finished before it was cancelled");
        }
        const auto requeue = test::run("scontrol", {"requeue", job + "_0"});
        QVERIFY2(requeue.exitCode == 0, qPrintable(requeue.out + requeue.err));
        QVERIFY2(waitForJobs({job}, 300000), "the requeued task did not finish within 300 s");
        RunStore shard((sweep + "/task-0.sqlite").toStdString());
        const RunRecord run = shard.run(1);
        QVERIFY2(run.status == RunStatus::Finished, run.message.c_str());
        std::map<std::int64_t, int> perEpoch;
        for (const MetricRow& row : shard.metrics(1, "test/top1"))
            ++perEpoch[row.epoch];
        QCOMPARE(perEpoch, (std::map<std::int64_t, int>{{1, 1}, {2, 1}, {3, 1}, {4, 1}}));
        const QString log = QString::fromUtf8([&] {
            QFile f(sweep + "/logs/task-0.out");
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }());
        QVERIFY2(log.contains("resuming after epoch"), qPrintable(log));
    }
};

QTEST_GUILESS_MAIN(TestSlurmCli)
#include "test_slurm_cli.moc"
