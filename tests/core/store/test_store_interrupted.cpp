// RunStore marks runs whose owner process died as interrupted, and only those.
#include "store/database.h"
#include "store/process_info.h"
#include "store/run_store.h"
#include "store/statement.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace scns;

class TestStoreInterrupted : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void processAliveReportsLiveness();
    void marksOnlyRunsOfDeadProcessesOnThisHost();
    void leavesFinishedRunsAlone();

private:
    std::filesystem::path dbPath() const { return m_dir->filePath("runs.sqlite").toStdString(); }
    // A running run owned by pid on host, as another process would leave it.
    std::int64_t runningRun(RunStore& store, const char* name, std::int64_t pid, const std::string& host);
    static std::int64_t deadPid();

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestStoreInterrupted::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

std::int64_t TestStoreInterrupted::deadPid()
{
    const pid_t child = fork();
    if (child == 0)
        _exit(0);
    if (child < 0)
        return -1;
    int status = 0;
    if (waitpid(child, &status, 0) != child)
        return -1;
    return child;  // reaped: no such process any more (until the pid is reused)
}

std::int64_t TestStoreInterrupted::runningRun(RunStore& store, const char* name, std::int64_t pid,
                                              const std::string& host)
{
    const std::int64_t id = store.createRun(name, "{}", 1);
    store.markRunning(id);
    Database db(dbPath());
    Statement update(db, "UPDATE runs SET owner_pid = ?2, host = ?3 WHERE id = ?1");
    update.bind(1, id).bind(2, pid).bind(3, host).run();
    return id;
}

void TestStoreInterrupted::processAliveReportsLiveness()
{
    QVERIFY(processAlive(currentPid()));
    QVERIFY(processAlive(1));  // init: another user's process still counts as alive
    const std::int64_t dead = deadPid();
    QVERIFY(dead > 0);
    QVERIFY(!processAlive(dead));
    QVERIFY(!processAlive(0));
    QVERIFY(!processAlive(-1));
}

void TestStoreInterrupted::marksOnlyRunsOfDeadProcessesOnThisHost()
{
    const std::int64_t dead = deadPid();
    QVERIFY(dead > 0);
    std::int64_t deadHere = 0, liveHere = 0, deadElsewhere = 0, queued = 0;
    {
        RunStore store(dbPath());
        QCOMPARE(store.interruptedAtOpen(), 0);
        deadHere = runningRun(store, "dead here", dead, hostName());
        liveHere = runningRun(store, "live here", currentPid(), hostName());
        deadElsewhere = runningRun(store, "dead elsewhere", dead, "some-other-host.example");
        queued = store.createRun("queued", "{}", 1);
    }

    RunStore reopened(dbPath());
    QCOMPARE(reopened.interruptedAtOpen(), 1);
    const RunRecord r = reopened.run(deadHere);
    QVERIFY(r.status == RunStatus::Interrupted);
    QCOMPARE(r.message, "process " + std::to_string(dead) + " ended while the run was running");
    QVERIFY(!r.finishedAt.empty());
    QVERIFY(reopened.run(liveHere).status == RunStatus::Running);
    QVERIFY(reopened.run(liveHere).finishedAt.empty());
    QVERIFY(reopened.run(deadElsewhere).status == RunStatus::Running);
    QVERIFY(reopened.run(queued).status == RunStatus::Queued);

    QCOMPARE(reopened.markInterruptedRuns(), 0);  // nothing left to mark
    RunStore third(dbPath());
    QCOMPARE(third.interruptedAtOpen(), 0);
}

void TestStoreInterrupted::leavesFinishedRunsAlone()
{
    const std::int64_t dead = deadPid();
    QVERIFY(dead > 0);
    std::int64_t id = 0;
    {
        RunStore store(dbPath());
        id = runningRun(store, "done", dead, hostName());
        // The owner's own store is not reopened, so nothing was marked yet; finishing wins.
        store.finishRun(id, RunStatus::Finished);
    }
    RunStore reopened(dbPath());
    QCOMPARE(reopened.interruptedAtOpen(), 0);
    QVERIFY(reopened.run(id).status == RunStatus::Finished);
    QVERIFY(reopened.run(id).message.empty());
}

QTEST_GUILESS_MAIN(TestStoreInterrupted)
#include "test_store_interrupted.moc"
