// The run queue on real (tiny) training runs: runs finish through the queue with their
// metrics in the store, the concurrency setting holds runs back, cancel and pause stop a run
// resumably, resume continues from the checkpoint, and a failed run shows its error. The
// queue's table model is checked by QAbstractItemModelTester throughout.
#include <QAbstractItemModelTester>
#include <QLabel>
#include <QSpinBox>
#include <QThread>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

#include "common/errors.h"
#include "train/launch_plan.h"
#include "queue/queue_model.h"
#include "queue/queue_panel.h"
#include "queue/run_queue.h"
#include "store/run_store.h"
#include "support_tiny_run.h"

using namespace scns;
using scns::testing::tinyRun;

class TestUiRunQueue : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void runsToTheEndWithMetrics();
    void concurrencySettingHoldsRunsBack();
    void cancelLeavesRunResumable();
    void pauseAtEpochEndThenResume();
    void resumeStoredRunInNewQueue();
    void failedRunShowsError();
    void invalidConfigStoresNothing();
    void launchAsyncStoresOffTheGuiThread();
    void runsAtOnceSaysItsLimit();

private:
    QString dbPath() const { return m_dir->filePath("runs.sqlite"); }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestUiRunQueue::init() { m_dir = std::make_unique<QTemporaryDir>(); }

void TestUiRunQueue::runsToTheEndWithMetrics()
{
    RunQueue queue(dbPath());
    QueueModel model(&queue);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy epochs(&queue, &RunQueue::runEpochEnded);
    QSignalSpy batches(&queue, &RunQueue::runBatchEnded);
    QSignalSpy ended(&queue, &RunQueue::runEnded);
    QSignalSpy idle(&queue, &RunQueue::idle);

    const auto ids = queue.launch({tinyRun("ok")});
    QCOMPARE(ids.size(), std::size_t{1});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(queue.at(0)->state(), JobState::Running);
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 120000);
    QCOMPARE(queue.at(0)->state(), JobState::Finished);
    QCOMPARE(epochs.count(), 1);
    QVERIFY(idle.count() >= 1);
    QCOMPARE(model.index(0, QueueModel::Status).data().toString(), QStringLiteral("finished"));
    QCOMPARE(model.index(0, QueueModel::Progress).data(QueueModel::ProgressRole).toInt(), 100);
    QCOMPARE(model.index(0, QueueModel::Epoch).data().toString(), QStringLiteral("1 / 1"));
    QVERIFY(queue.at(0)->lastTestTop1() >= 0);

    RunStore store(dbPath().toStdString());
    const RunRecord r = store.run(ids[0]);
    QCOMPARE(toString(r.status), toString(RunStatus::Finished));
    const auto top1 = store.metrics(ids[0], "test/top1");
    QCOMPARE(top1.size(), std::size_t{1});
    QCOMPARE(top1[0].value, queue.at(0)->lastTestTop1());
    // Every step reached the GUI thread (in bursts), in order, as the store recorded them.
    const auto loss = store.metrics(ids[0], "train/loss");
    QVERIFY(!loss.empty());
    QCOMPARE(batches.count(), static_cast<int>(loss.size()));
    for (int i = 0; i < batches.count(); ++i) {
        const auto b = batches.at(i).at(1).value<BatchProgress>();
        QCOMPARE(b.step, loss[std::size_t(i)].step);
        QCOMPARE(b.loss, loss[std::size_t(i)].value);
    }
}

void TestUiRunQueue::concurrencySettingHoldsRunsBack()
{
    RunQueue queue(dbPath());
    QueueModel model(&queue);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    queue.setMaxConcurrent(1);
    QSignalSpy ended(&queue, &RunQueue::runEnded);
    const auto ids = queue.launch(expandLaunch(tinyRun("seeded"), {1, 2}, {}));
    QCOMPARE(ids.size(), std::size_t{2});
    QCOMPARE(queue.activeCount(), 1);
    QCOMPARE(queue.waitingCount(), 1);
    QCOMPARE(queue.at(1)->state(), JobState::Waiting);
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 2, 240000);
    QCOMPARE(queue.at(0)->state(), JobState::Finished);
    QCOMPARE(queue.at(1)->state(), JobState::Finished);
    RunStore store(dbPath().toStdString());
    QCOMPARE(store.run(ids[0]).seed, 1);
    QCOMPARE(store.run(ids[1]).seed, 2);

    // A waiting run cancelled before it starts is cancelled in the store too, and can be
    // started later.
    const auto more = queue.launch(expandLaunch(tinyRun("held"), {5, 6}, {}));
    QCOMPARE(queue.at(3)->state(), JobState::Waiting);
    queue.cancel(more[1]);
    QCOMPARE(queue.at(3)->state(), JobState::Cancelled);
    QTRY_COMPARE_WITH_TIMEOUT(toString(store.run(more[1]).status), toString(RunStatus::Cancelled), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 3, 240000);  // the first of the two ran alone
    QVERIFY(queue.resume(more[1]));
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 4, 240000);
    QCOMPARE(queue.at(3)->state(), JobState::Finished);
    QCOMPARE(store.metrics(more[1], "test/top1").size(), std::size_t{1});

    queue.removeStopped();
    QCOMPARE(model.rowCount(), 0);
}

void TestUiRunQueue::cancelLeavesRunResumable()
{
    RunQueue queue(dbPath());
    QueueModel model(&queue);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy batches(&queue, &RunQueue::runBatchEnded);
    QSignalSpy ended(&queue, &RunQueue::runEnded);
    const qint64 id = queue.launch({tinyRun("long", 20, 200)}).front();
    QTRY_VERIFY_WITH_TIMEOUT(batches.count() > 0, 60000);
    queue.cancel(id);
    QCOMPARE(queue.at(0)->state(), JobState::Cancelling);
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 60000);
    QCOMPARE(queue.at(0)->state(), JobState::Cancelled);
    RunStore store(dbPath().toStdString());
    QCOMPARE(toString(store.run(id).status), toString(RunStatus::Cancelled));
    QVERIFY(queue.at(0)->resumesNext());
}

void TestUiRunQueue::pauseAtEpochEndThenResume()
{
    RunQueue queue(dbPath());
    QueueModel model(&queue);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy batches(&queue, &RunQueue::runBatchEnded);
    QSignalSpy epochs(&queue, &RunQueue::runEpochEnded);
    QSignalSpy ended(&queue, &RunQueue::runEnded);
    const qint64 id = queue.launch({tinyRun("pausable", 3, 40)}).front();
    QTRY_VERIFY_WITH_TIMEOUT(batches.count() > 0, 60000);
    queue.pause(id);
    QCOMPARE(queue.at(0)->state(), JobState::Pausing);
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 120000);
    QCOMPARE(queue.at(0)->state(), JobState::Paused);
    const auto pausedAfter = epochs.count();
    QVERIFY(pausedAfter >= 1 && pausedAfter < 3);
    {
        RunStore store(dbPath().toStdString());
        QCOMPARE(toString(store.run(id).status), toString(RunStatus::Cancelled));  // the store's word for a stopped, resumable run
        const auto ckpt = store.latestCheckpoint(id);
        QVERIFY(ckpt);
        QCOMPARE(ckpt->epoch, static_cast<std::int64_t>(pausedAfter));
        QCOMPARE(store.metrics(id, "test/top1").size(), static_cast<std::size_t>(pausedAfter));
    }

    QVERIFY(queue.resume(id));
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 2, 120000);
    QCOMPARE(queue.at(0)->state(), JobState::Finished);
    QCOMPARE(epochs.count(), 3);  // the resumed part trained only the missing epochs
    RunStore store(dbPath().toStdString());
    QCOMPARE(toString(store.run(id).status), toString(RunStatus::Finished));
    const auto top1 = store.metrics(id, "test/top1");
    QCOMPARE(top1.size(), std::size_t{3});
    QCOMPARE(top1.back().epoch, 3);
}

// What the browser's Resume does after a restart: a fresh queue continues a stored run.
void TestUiRunQueue::resumeStoredRunInNewQueue()
{
    qint64 id = 0;
    int pausedAfter = 0;
    {
        RunQueue first(dbPath());
        QSignalSpy batches(&first, &RunQueue::runBatchEnded);
        QSignalSpy epochs(&first, &RunQueue::runEpochEnded);
        QSignalSpy ended(&first, &RunQueue::runEnded);
        id = first.launch({tinyRun("restarted", 3)}).front();
        QTRY_VERIFY_WITH_TIMEOUT(batches.count() > 0, 60000);
        first.pause(id);
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 60000);
        QCOMPARE(first.at(0)->state(), JobState::Paused);
        pausedAfter = static_cast<int>(epochs.count());  // 1, or 2 when the first burst came late
        QVERIFY(pausedAfter >= 1 && pausedAfter < 3);
    }
    RunQueue second(dbPath());
    QueueModel model(&second);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy epochs(&second, &RunQueue::runEpochEnded);
    QSignalSpy ended(&second, &RunQueue::runEnded);
    second.enqueueStoredRun(id, QStringLiteral("restarted"), true);
    QCOMPARE(model.rowCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 60000);
    QCOMPARE(second.at(0)->state(), JobState::Finished);
    QCOMPARE(epochs.count(), 3 - pausedAfter);  // only the missing epochs trained again
    QCOMPARE(epochs.at(0).at(1).value<EpochSummary>().epoch, std::int64_t(pausedAfter + 1));
    RunStore store(dbPath().toStdString());
    QCOMPARE(toString(store.run(id).status), toString(RunStatus::Finished));
    QCOMPARE(store.metrics(id, "test/top1").size(), std::size_t{3});
}

void TestUiRunQueue::failedRunShowsError()
{
    RunQueue queue(dbPath());
    QueueModel model(&queue);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy ended(&queue, &RunQueue::runEnded);
    RunConfig bad = tinyRun("no-data");
    bad.data.folder = m_dir->filePath("missing-folder").toStdString();
    const qint64 id = queue.launch({bad}).front();
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 60000);
    QCOMPARE(queue.at(0)->state(), JobState::Failed);
    QVERIFY2(queue.at(0)->message().contains("missing-folder"), qPrintable(queue.at(0)->message()));
    QCOMPARE(model.index(0, QueueModel::Message).data().toString(), queue.at(0)->message());
    RunStore store(dbPath().toStdString());
    QCOMPARE(toString(store.run(id).status), toString(RunStatus::Failed));
}

void TestUiRunQueue::invalidConfigStoresNothing()
{
    RunQueue queue(dbPath());
    RunConfig bad = tinyRun("bad");
    bad.epochs = 0;
    QVERIFY_THROWS_EXCEPTION(ConfigError, queue.launch({tinyRun("good"), bad}));
    QCOMPARE(queue.count(), 0);
    RunStore store(dbPath().toStdString());
    QVERIFY(store.listRuns().empty());
}

void TestUiRunQueue::launchAsyncStoresOffTheGuiThread()
{
    RunQueue queue(dbPath());
    QueueModel model(&queue);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy launched(&queue, &RunQueue::launched);
    QSignalSpy ended(&queue, &RunQueue::runEnded);
    queue.launchAsync(expandLaunch(tinyRun("async"), {3, 4}, {}));
    QCOMPARE(queue.count(), 0);  // not yet: the store is written on a pool thread
    QTRY_COMPARE_WITH_TIMEOUT(launched.count(), 1, 10000);
    const auto ids = launched.at(0).at(0).value<QList<qint64>>();
    QCOMPARE(ids.size(), 2);
    QCOMPARE(queue.count(), 2);
    QCOMPARE(queue.at(0)->runId(), ids[0]);
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 2, 240000);

    RunConfig bad = tinyRun("bad");
    bad.epochs = 0;
    QVERIFY_THROWS_EXCEPTION(ConfigError, queue.launchAsync({bad}));  // invalid: refused at once

    // A store that cannot be opened (its folder is a file): launchFailed names it.
    QFile blocker(m_dir->filePath("blocker"));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    RunQueue broken(m_dir->filePath("blocker/runs.sqlite"));
    QSignalSpy failed(&broken, &RunQueue::launchFailed);
    broken.launchAsync({tinyRun("nowhere")});
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
    QVERIFY2(failed.at(0).at(0).toString().contains("blocker"), qPrintable(failed.at(0).at(0).toString()));
    QCOMPARE(broken.count(), 0);
}

// "Runs at once" says its limit (this machine's CPU threads) instead of silently refusing a
// larger value; the value set reaches the queue.
void TestUiRunQueue::runsAtOnceSaysItsLimit()
{
    RunQueue queue(dbPath());
    QueuePanel panel(&queue);
    const int limit = std::max(1, QThread::idealThreadCount());
    auto* spin = panel.findChild<QSpinBox*>();
    QVERIFY(spin);
    QCOMPARE(spin->maximum(), limit);
    QStringList labels;
    for (const QLabel* label : panel.findChildren<QLabel*>())
        labels << label->text();
    QVERIFY2(labels.contains(QStringLiteral("Runs at once (1-%1):").arg(limit)), qPrintable(labels.join(" | ")));
    QVERIFY2(spin->toolTip().contains(QStringLiteral("1 to %1").arg(limit)), qPrintable(spin->toolTip()));
    spin->setValue(limit + 5);
    QCOMPARE(spin->value(), limit);
    QCOMPARE(queue.maxConcurrent(), limit);
}

QTEST_MAIN(TestUiRunQueue)
#include "test_ui_run_queue.moc"
