// A data-parallel run through the workbench's queue (rank 0 in the workbench's process, rank 1
// a `scns dist-worker` process): it is one row with its world size, finishes with one set of
// metrics, and pause and cancel reach every rank; no process of the run outlives it.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "dist_ranks.h"
#include "queue/queue_model.h"
#include "queue/run_queue.h"
#include "store/run_store.h"
#include "support_tiny_run.h"

using namespace scns;
using scns::testing::tinyRun;

namespace {

RunConfig twoProcesses(const std::string& name, std::int64_t epochs, std::int64_t perClass)
{
    RunConfig c = tinyRun(name, epochs, perClass);
    c.distributed.processes = 2;
    c.distributed.timeoutSeconds = 30;
    c.threads = 1;
    return c;
}

}  // namespace

class TestUiQueueDistributed : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString db() const { return m_dir.filePath("runs.sqlite"); }

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("SCNS_CLI", SCNS_CLI_PATH);  // the workbench looks beside itself otherwise
        QVERIFY(m_dir.isValid());
    }

    void aTwoProcessRunIsOneRowAndFinishes()
    {
        RunQueue queue(db());
        QueueModel model(&queue);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy ended(&queue, &RunQueue::runEnded);
        const qint64 id = queue.launch({twoProcesses("pair", 2, 20)}).front();
        QCOMPARE(model.rowCount(), 1);
        QVERIFY2(model.index(0, QueueModel::Name).data().toString().endsWith(QStringLiteral("· 2 processes")),
                 qPrintable(model.index(0, QueueModel::Name).data().toString()));
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 180000);
        QVERIFY2(queue.at(0)->state() == JobState::Finished, qPrintable(queue.at(0)->message()));
        RunStore store(db().toStdString());
        QCOMPARE(toString(store.run(id).status), std::string("finished"));
        QCOMPARE(store.metrics(id, "test/top1").size(), std::size_t{2});
        QTRY_VERIFY_WITH_TIMEOUT(test::processesNaming(db()).isEmpty(), 5000);
    }

    void pauseAndCancelReachEveryRank()
    {
        RunQueue queue(db());
        QSignalSpy batches(&queue, &RunQueue::runBatchEnded);
        QSignalSpy epochs(&queue, &RunQueue::runEpochEnded);
        QSignalSpy ended(&queue, &RunQueue::runEnded);
        const qint64 id = queue.launch({twoProcesses("paused", 3, 60)}).front();
        QTRY_VERIFY_WITH_TIMEOUT(batches.count() > 0, 120000);
        QCOMPARE(test::processesNaming(db()).size(), 1);  // rank 1; rank 0 is this process
        queue.pause(id);
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 120000);
        QVERIFY2(queue.at(0)->state() == JobState::Paused, qPrintable(queue.at(0)->message()));
        QTRY_VERIFY_WITH_TIMEOUT(test::processesNaming(db()).isEmpty(), 5000);
        {
            RunStore store(db().toStdString());
            QCOMPARE(toString(store.run(id).status), std::string("cancelled"));
            QCOMPARE(store.metrics(id, "test/top1").size(), static_cast<std::size_t>(epochs.count()));
        }
        // Resumed, then cancelled mid-epoch: both ranks stop at the same step.
        QVERIFY(queue.resume(id));
        const auto before = batches.count();
        QTRY_VERIFY_WITH_TIMEOUT(batches.count() > before, 120000);
        queue.cancel(id);
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 2, 60000);
        QVERIFY2(queue.at(0)->state() == JobState::Cancelled, qPrintable(queue.at(0)->message()));
        QTRY_VERIFY_WITH_TIMEOUT(test::processesNaming(db()).isEmpty(), 5000);
        RunStore store(db().toStdString());
        QCOMPARE(toString(store.run(id).status), std::string("cancelled"));
    }
};

QTEST_MAIN(TestUiQueueDistributed)
#include "test_ui_queue_distributed.moc"
