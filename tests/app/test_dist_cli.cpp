// `scns` as a data-parallel run, launched both ways users launch one, with real processes:
//  - `scns train --nproc-per-node 2` starts two ranks itself: one stored run with world size 2,
//    each epoch's metrics recorded once, the same results as one process (small-cnn-gn, no
//    augmentation: no batch statistics, so the split batch computes what the whole batch does);
//  - two `scns train` started as torchrun does (RANK, WORLD_SIZE, MASTER_ADDR, ...): rank 0
//    stores the one run, both finish;
//  - a rank killed mid-run ends the run within the timeout as interrupted, named in its
//    message, no process left behind, the store intact; `scns resume` finishes it;
//  - a master address that does not resolve fails each rank at once, naming the variable.
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <signal.h>

#include <map>

#include <nlohmann/json.hpp>

#include "dist_ranks.h"
#include "run_process.h"
#include "store/run_store.h"

using namespace scns;

namespace {

const QString kScns = QStringLiteral(SCNS_CLI_PATH);

QStringList smallRun(int epochs, int perClass)
{
    return {"train",
            "--arch",
            "small-cnn-gn",
            "--epochs",
            QString::number(epochs),
            "--train-per-class",
            QString::number(perClass),
            "--test-per-class",
            "10",
            "--batch-size",
            "32",
            "--threads",
            "1",
            "--seed",
            "3"};
}

// Each epoch's test/top1 row of the run, by epoch.
std::map<std::int64_t, int> topOneRowsPerEpoch(const RunStore& store, std::int64_t runId)
{
    std::map<std::int64_t, int> out;
    for (const MetricRow& row : store.metrics(runId, "test/top1"))
        ++out[row.epoch];
    return out;
}

// The rank `rank` process (its environment says RANK=rank) among `pids`.
int rankProcess(const QList<int>& pids, int rank)
{
    for (int pid : pids) {
        QFile f(QStringLiteral("/proc/%1/environ").arg(pid));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> vars = f.readAll().split('\0');
        if (vars.contains("RANK=" + QByteArray::number(rank)) && vars.contains("SCNS_LOCAL_LAUNCHER=1"))
            return pid;
    }
    return 0;
}

}  // namespace

class TestDistCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void nprocPerNodeTrainsOneRunAsOneProcessDoes()
    {
        QTemporaryDir dir;
        const QString two = dir.filePath("two.sqlite"), one = dir.filePath("one.sqlite");
        const auto r2 =
            test::run(kScns, QStringList{"--db", two} + smallRun(2, 30) + QStringList{"--nproc-per-node", "2"});
        QVERIFY2(r2.exitCode == 0, qPrintable(r2.out + r2.err));
        const auto r1 = test::run(kScns, QStringList{"--db", one} + smallRun(2, 30));
        QVERIFY2(r1.exitCode == 0, qPrintable(r1.out + r1.err));
        // The same final line (accuracies to two decimals), but for the database's name.
        const auto finalLine = [](const QString& out, const QString& db) {
            const QStringList lines = out.split('\n', Qt::SkipEmptyParts);
            return lines.filter("finished: test top-1").value(0).replace(db, "DB");
        };
        QVERIFY(!finalLine(r1.out, one).isEmpty());
        QCOMPARE(finalLine(r2.out, two), finalLine(r1.out, one));
        RunStore store(two.toStdString());
        const auto runs = store.listRuns();
        QCOMPARE(int(runs.size()), 1);
        QCOMPARE(toString(runs[0].status), std::string("finished"));
        QCOMPARE(nlohmann::json::parse(runs[0].configJson).at("distributed").at("processes").template get<int>(), 2);
        QCOMPARE(topOneRowsPerEpoch(store, runs[0].id), (std::map<std::int64_t, int>{{1, 1}, {2, 1}}));
        QVERIFY(test::processesNaming(two).isEmpty());
    }

    void environmentLaunchAsTorchrunDoes()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("env.sqlite");
        auto ranks = test::startRanks(2, {}, kScns, QStringList{"--db", db} + smallRun(1, 20));
        for (int r = 0; r < 2; ++r) {
            QVERIFY2(ranks[r]->waitForFinished(180000), "a rank did not finish");
            QVERIFY2(ranks[r]->exitCode() == 0,
                     qPrintable(QStringLiteral("rank %1: %2").arg(r).arg(QString::fromUtf8(ranks[r]->readAll()))));
        }
        RunStore store(db.toStdString());
        const auto runs = store.listRuns();
        QCOMPARE(int(runs.size()), 1);  // rank 0 stored it; rank 1 got it from rank 0
        QCOMPARE(toString(runs[0].status), std::string("finished"));
        QCOMPARE(nlohmann::json::parse(runs[0].configJson).at("distributed").at("processes").template get<int>(), 2);
        QCOMPARE(topOneRowsPerEpoch(store, runs[0].id), (std::map<std::int64_t, int>{{1, 1}}));
    }

    // A misspelt master fails both ranks at once (exit 2, the variable and host named) instead of
    // each retrying for distributed.timeout (600 s); nothing is stored.
    void aMasterThatDoesNotResolveFailsAtOnce()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("unresolved.sqlite");
        for (int rank = 0; rank < 2; ++rank) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("RANK", QString::number(rank));
            env.insert("WORLD_SIZE", "2");
            env.insert("MASTER_ADDR", "no-such-host.invalid");
            p.setProcessEnvironment(env);
            QElapsedTimer clock;
            clock.start();
            p.start(kScns, QStringList{"--db", db} + smallRun(1, 20));
            QVERIFY2(p.waitForFinished(120000), "the rank waited for a master that does not resolve");
            const QString err = QString::fromUtf8(p.readAllStandardError());
            QCOMPARE(p.exitCode(), 2);
            QVERIFY2(err.contains("MASTER_ADDR = no-such-host.invalid"), qPrintable(err));
            QVERIFY2(clock.elapsed() < 60000, qPrintable(QStringLiteral("took %1 ms").arg(clock.elapsed())));
        }
        QVERIFY(!QFile::exists(db) || RunStore(db.toStdString()).listRuns().empty());
    }

    // scns distill starts each run's processes from the experiment's distributed.processes:
    // a teacher, then a CRD student with a class sampler, both on 2 ranks, linked.
    void distillExperimentRunsEachRunOnTwoProcesses()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("distill.sqlite"), file = dir.filePath("exp.json");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({
  "name": "pair",
  "base": {"data": {"train_per_class": 20, "test_per_class": 10}, "epochs": 1, "batch_size": 32, "threads": 1,
           "distributed": {"processes": 2}, "contrastive": {"negatives": 32}},
  "teacher": {"train": {"model": {"arch": "small-cnn-gn"}}},
  "student": {"model": {"arch": "small-cnn"}},
  "students": [{"label": "crd-class", "distill": {"method": "crd"}, "contrastive": {"sampler": "class"}}],
  "seeds": [0]
})");
        f.close();
        const auto r = test::run(kScns, {"--db", db, "distill", "--config", file});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        RunStore store(db.toStdString());
        const auto runs = store.listRuns();
        QCOMPARE(int(runs.size()), 2);
        for (const auto& run : runs) {
            QCOMPARE(toString(run.status), std::string("finished"));
            QCOMPARE(nlohmann::json::parse(run.configJson).at("distributed").at("processes").template get<int>(), 2);
        }
        QVERIFY2(runs[0].parentRunId == runs[1].id || runs[1].parentRunId == runs[0].id, "the student is not linked");
        // Under a launcher it refuses: it starts the runs' processes itself.
        QProcess ranked;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("RANK", "0");
        env.insert("WORLD_SIZE", "2");
        ranked.setProcessEnvironment(env);
        ranked.start(kScns, {"--db", db, "distill", "--config", file});
        QVERIFY(ranked.waitForFinished(60000));
        QCOMPARE(ranked.exitCode(), 2);
        QVERIFY(QString::fromUtf8(ranked.readAllStandardError()).contains("starts each run's processes itself"));
    }

    void aKilledRankInterruptsTheRunAndResumeFinishesIt()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("kill.sqlite");
        QProcess launcher;
        launcher.setProcessChannelMode(QProcess::MergedChannels);
        launcher.start(kScns,
                       QStringList{"--db", db} + smallRun(6, 300)
                           + QStringList{"--nproc-per-node", "2", "--dist-timeout", "20"});
        // Kill rank 1 once the first checkpoint is on disk.
        const QString checkpoint = dir.filePath("kill.sqlite.checkpoints/run-1/epoch-1.pt");
        QElapsedTimer clock;
        clock.start();
        while (!QFile::exists(checkpoint) && clock.elapsed() < 120000)
            QThread::msleep(50);
        QVERIFY2(QFile::exists(checkpoint), "no checkpoint after 120 s");
        const int victim = rankProcess(test::processesNaming(db), 1);
        QVERIFY2(victim > 0, "rank 1 not found");
        QVERIFY(::kill(victim, SIGKILL) == 0);
        clock.restart();
        QVERIFY2(launcher.waitForFinished(60000), "the launcher did not end within the timeout");
        QVERIFY2(clock.elapsed() < 20000 + 30000, qPrintable(QString::number(clock.elapsed())));
        const QString out = QString::fromUtf8(launcher.readAll());
        QCOMPARE(launcher.exitCode(), 1);
        QVERIFY2(out.contains("scns --db " + db + " resume 1"), qPrintable(out));
        QVERIFY2(test::processesNaming(db).isEmpty(), "a rank outlived the run");
        {
            RunStore store(db.toStdString());
            const RunRecord run = store.run(1);
            QCOMPARE(toString(run.status), std::string("interrupted"));
            const QString message = QString::fromStdString(run.message);
            QVERIFY2(message.contains(QStringLiteral("rank 1 of 2 (process %1) was killed by signal 9").arg(victim)),
                     qPrintable(message));
            QVERIFY2(message.contains("resume continues after epoch"), qPrintable(message));
        }
        const auto resumed = test::run(kScns, {"--db", db, "resume", "1"});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.out + resumed.err));
        RunStore store(db.toStdString());
        QCOMPARE(toString(store.run(1).status), std::string("finished"));
        const auto rows = topOneRowsPerEpoch(store, 1);
        QCOMPARE(int(rows.size()), 6);
        for (const auto& [epoch, count] : rows)
            QVERIFY2(count == 1, qPrintable(QStringLiteral("epoch %1 recorded %2 times").arg(epoch).arg(count)));
    }
};

QTEST_GUILESS_MAIN(TestDistCli)
#include "test_dist_cli.moc"
