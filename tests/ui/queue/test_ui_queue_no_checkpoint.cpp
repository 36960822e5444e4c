// The workbench never starts a run over on its own (issue 10): resuming a run whose
// checkpoint files are gone is refused, changes nothing, and asks; only the user's yes
// (RunQueue::startOver) trains it from epoch 0.
#include <QDirIterator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "queue/run_queue.h"
#include "store/run_store.h"
#include "support_tiny_run.h"
#include "train/run_job.h"
#include "train/trainer.h"

using namespace scns;

namespace {

// Stops the run once its first checkpoint is on disk.
class StopAfterCheckpoint final : public TrainingObserver {
public:
    explicit StopAfterCheckpoint(std::stop_source& stop) : m_stop(stop) {}
    void onCheckpoint(std::int64_t, const std::string&) override { m_stop.request_stop(); }

private:
    std::stop_source& m_stop;
};

}  // namespace

class TestUiQueueNoCheckpoint : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void resumeWithoutCheckpointAsksFirst()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("runs.sqlite");
        std::int64_t id = 0;
        {
            RunStore store(db.toStdString());
            id = createRun(store, testing::tinyRun("lost", 2));
        }
        std::stop_source stop;
        StopAfterCheckpoint observer(stop);
        const RunResult first = executeRun(db.toStdString(), id, false, observer, stop.get_token());
        QVERIFY(first.outcome == RunOutcome::Cancelled);
        int removed = 0;
        for (QDirIterator it(dir.filePath("runs.sqlite.checkpoints"), {"*.pt"}, QDir::Files, QDirIterator::Subdirectories);
             it.hasNext();)
            removed += QFile::remove(it.next()) ? 1 : 0;
        QCOMPARE(removed, 1);
        const std::size_t rowsBefore = RunStore(db.toStdString()).metrics(id).size();

        RunQueue queue(db);
        QSignalSpy needs(&queue, &RunQueue::runNeedsFromScratch);
        queue.enqueueStoredRun(id, "lost", true);
        QTRY_COMPARE_WITH_TIMEOUT(needs.count(), 1, 20000);
        QCOMPARE(needs.first().at(0).toLongLong(), id);
        QVERIFY2(needs.first().at(2).toString().contains("no usable checkpoint"), qPrintable(needs.first().at(2).toString()));
        {
            RunStore store(db.toStdString());
            QVERIFY(store.run(id).status == RunStatus::Cancelled);  // untouched
            QCOMPARE(store.metrics(id).size(), rowsBefore);
        }

        QSignalSpy ended(&queue, &RunQueue::runEnded);
        QVERIFY(queue.startOver(id));
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 120000);
        QVERIFY(ended.first().at(1).value<JobState>() == JobState::Finished);
        RunStore store(db.toStdString());
        QVERIFY(store.run(id).status == RunStatus::Finished);
        QCOMPARE(store.metrics(id, metric::kTestTop1).size(), std::size_t{2});
    }
};

QTEST_MAIN(TestUiQueueNoCheckpoint)
#include "test_ui_queue_no_checkpoint.moc"
