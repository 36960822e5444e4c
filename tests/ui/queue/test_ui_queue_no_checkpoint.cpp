// The workbench never starts a run over on its own (issue 10): resuming a run whose
// checkpoint files are gone is refused, changes nothing, and asks; only the user's yes
// (RunQueue::startOver) trains it from epoch 0.
#include <QDirIterator>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "browser/run_browser.h"
#include "queue/run_queue.h"
#include "shell/launch_controller.h"
#include "shell/main_window.h"
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

    // A run stopped after its first checkpoint, whose checkpoint file is then deleted.
    static std::int64_t runWithLostCheckpoint(const QTemporaryDir& dir)
    {
        const QString db = dir.filePath("runs.sqlite");
        std::int64_t id = 0;
        {
            RunStore store(db.toStdString());
            id = createRun(store, testing::tinyRun("lost", 2));
        }
        std::stop_source stop;
        StopAfterCheckpoint observer(stop);
        const RunResult first = executeRun(db.toStdString(), id, false, observer, stop.get_token());
        if (first.outcome != RunOutcome::Cancelled)
            return 0;
        int removed = 0;
        for (QDirIterator it(dir.filePath("runs.sqlite.checkpoints"), {"*.pt"}, QDir::Files, QDirIterator::Subdirectories);
             it.hasNext();)
            removed += QFile::remove(it.next()) ? 1 : 0;
        return removed == 1 ? id : 0;
    }

private Q_SLOTS:
    void resumeWithoutCheckpointAsksFirst()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("runs.sqlite");
        const std::int64_t id = runWithLostCheckpoint(dir);
        QVERIFY(id > 0);
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

    // The workbench's own path: the browser's Resume, then the question; "no" leaves the run
    // as it was, "yes" starts it over.
    void workbenchAsksBeforeStartingOver()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("runs.sqlite");
        const std::int64_t id = runWithLostCheckpoint(dir);
        QVERIFY(id > 0);
        MainWindow window(db);
        QStringList asked;
        bool answer = false;
        window.launcher()->setStartOverHandler([&](qint64 runId, const QString& why) {
            asked << QStringLiteral("%1: %2").arg(runId).arg(why);
            return answer;
        });
        QSignalSpy loaded(window.browser(), &RunBrowser::loaded);
        QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1, 20000);
        window.browser()->selectRun(id);
        QVERIFY(window.browser()->resumeButton()->isEnabled());
        QTest::mouseClick(window.browser()->resumeButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(asked.size(), 1, 20000);
        QVERIFY2(asked.first().contains("no usable checkpoint"), qPrintable(asked.first()));
        QVERIFY(RunStore(db.toStdString()).run(id).status == RunStatus::Cancelled);

        answer = true;
        QSignalSpy ended(window.queue(), &RunQueue::runEnded);
        QTest::mouseClick(window.browser()->resumeButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(asked.size(), 2, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(!ended.isEmpty() && ended.last().at(1).value<JobState>() == JobState::Finished, 120000);
        QVERIFY(RunStore(db.toStdString()).run(id).status == RunStatus::Finished);
    }
};

QTEST_MAIN(TestUiQueueNoCheckpoint)
#include "test_ui_queue_no_checkpoint.moc"
