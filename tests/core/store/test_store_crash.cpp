// Crash safety: a writer killed with SIGKILL at random moments leaves a consistent database,
// and its running run is marked interrupted the next time the store is opened.
#include "store/database.h"
#include "store/run_store.h"
#include "store/statement.h"

#include <QDateTime>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <thread>

using namespace scns;

namespace {

constexpr int kRounds = 10;
// Must match store_writer_child.cpp.
constexpr std::int64_t kBatchRows = 64;
constexpr std::int64_t kRowsPerRun = 5 * 4 * 64;
constexpr std::int64_t kCheckpointsPerRun = 5;

std::int64_t scalar(Database& db, const char* sql, std::int64_t bound = 0)
{
    Statement stmt(db, sql);
    if (bound != 0)
        stmt.bind(1, bound);
    if (!stmt.step())
        return -1;
    return stmt.columnInt64(0);
}

}  // namespace

class TestStoreCrash : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void survivesRandomKills();

private:
    void checkAfterKill(const std::filesystem::path& path, std::int64_t childPid, int& interrupted);
};

void TestStoreCrash::checkAfterKill(const std::filesystem::path& path, std::int64_t childPid,
                                    int& interrupted)
{
    {
        // Before RunStore touches it: the file as the killed process left it.
        Database db(path);
        Statement integrity(db, "PRAGMA integrity_check");
        QVERIFY(integrity.step());
        QCOMPARE(QString::fromStdString(integrity.columnText(0)), QStringLiteral("ok"));
        QVERIFY(!integrity.step());
        Statement fk(db, "PRAGMA foreign_key_check");
        QVERIFY2(!fk.step(), "a row refers to a missing parent");
        QCOMPARE(scalar(db, "SELECT count(*) FROM metrics WHERE run_id NOT IN (SELECT id FROM runs)"),
                 std::int64_t{0});
        QCOMPARE(scalar(db, "SELECT count(*) FROM checkpoints WHERE run_id NOT IN (SELECT id FROM runs)"),
                 std::int64_t{0});
        // Each batch is one transaction: a run never holds part of a batch.
        QCOMPARE(scalar(db, "SELECT count(*) FROM (SELECT run_id, count(*) AS n FROM metrics "
                            "GROUP BY run_id HAVING n % 64 != 0)"),
                 std::int64_t{0});
        QCOMPARE(scalar(db, "SELECT count(*) FROM runs r WHERE status = 'finished' AND "
                            "((SELECT count(*) FROM metrics m WHERE m.run_id = r.id) != ?1)",
                        kRowsPerRun),
                 std::int64_t{0});
        QCOMPARE(scalar(db, "SELECT count(*) FROM runs r WHERE status = 'finished' AND "
                            "((SELECT count(*) FROM checkpoints c WHERE c.run_id = r.id) != ?1)",
                        kCheckpointsPerRun),
                 std::int64_t{0});
    }

    RunStore store(path);
    int ownRunning = 0, ownInterrupted = 0;
    for (const RunRecord& r : store.listRuns()) {
        if (r.ownerPid != childPid)
            continue;
        if (r.status == RunStatus::Running)
            ++ownRunning;
        if (r.status == RunStatus::Interrupted) {
            ++ownInterrupted;
            QCOMPARE(r.message, "process " + std::to_string(childPid) + " ended while the run was running");
            QVERIFY(!r.finishedAt.empty());
        }
    }
    QCOMPARE(ownRunning, 0);
    QVERIFY(ownInterrupted <= 1);  // the child has one run going at a time
    QCOMPARE(store.interruptedAtOpen(), ownInterrupted);
    interrupted += ownInterrupted;
    static_assert(kRowsPerRun % kBatchRows == 0);
}

void TestStoreCrash::survivesRandomKills()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::filesystem::path path = dir.filePath("crash/runs.sqlite").toStdString();
    const quint32 seed = static_cast<quint32>(QDateTime::currentMSecsSinceEpoch());
    qInfo("kill delays from seed %u", seed);
    QRandomGenerator random(seed);

    int interrupted = 0;
    for (int round = 0; round < kRounds; ++round) {
        QProcess child;
        child.setProgram(QStringLiteral(SCNS_STORE_WRITER_CHILD));
        child.setArguments({QString::fromStdString(path.string())});
        child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child.start();
        QVERIFY2(child.waitForStarted(10000), qPrintable(child.errorString()));
        const std::int64_t childPid = child.processId();
        QVERIFY2(child.waitForReadyRead(10000), "the writer never opened the store");
        QCOMPARE(child.readLine().trimmed(), QByteArray("ready"));

        const int delayMs = static_cast<int>(random.bounded(20, 301));
        std::this_thread::sleep_for(std::chrono::milliseconds(delayMs));
        QCOMPARE(child.state(), QProcess::Running);  // still writing, not failed
        child.kill();  // SIGKILL: no destructor, no flush, no rollback
        QVERIFY(child.waitForFinished(10000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);

        checkAfterKill(path, childPid, interrupted);
        if (QTest::currentTestFailed()) {
            qWarning("round %d failed, killed after %d ms", round, delayMs);
            return;
        }
    }
    Database db(path);
    const std::int64_t finished = scalar(db, "SELECT count(*) FROM runs WHERE status = 'finished'");
    qInfo("%d kills: %lld runs finished, %d interrupted", kRounds, static_cast<long long>(finished),
          interrupted);
    QVERIFY(finished > 0);
    QVERIFY2(interrupted > 0, "no kill hit a running run");
}

QTEST_GUILESS_MAIN(TestStoreCrash)
#include "test_store_crash.moc"
