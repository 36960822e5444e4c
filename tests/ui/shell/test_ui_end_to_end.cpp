// The whole workbench on a real tiny run: configure it in the editor's widgets (Fashion-MNIST,
// 20 images per class, 1 epoch, small-cnn, contrastive class sampler with Latent Mixup),
// launch it with the Launch button, wait for the queue to finish it, and check that the
// store holds its records and that the curves, heat map, negatives, sampler and confusion
// pages show them. Also: closing with a run active stops it resumably, and the screenshot
// tour writes one PNG per page.
#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "browser/run_browser.h"
#include "browser/run_list_model.h"
#include "editor/run_editor.h"
#include "queue/queue_model.h"
#include "queue/queue_panel.h"
#include "queue/run_queue.h"
#include "shell/close_guard.h"
#include "shell/inspection_views.h"
#include "shell/launch_controller.h"
#include "shell/main_window.h"
#include "shell/screenshot_tour.h"
#include "store/run_store.h"
#include "support_tiny_run.h"
#include "views/confusion_matrix_view.h"
#include "views/curves_view.h"
#include "views/matrix_plot.h"
#include "views/negatives_view.h"
#include "views/sampler_stats_view.h"
#include "views/similarity_heatmap_view.h"

#include "views/qcp.h"

using namespace scns;

class TestUiEndToEnd : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void configureLaunchWatchInspect();
    void screenshotTourWritesEveryPage();
    void trainTeacherFirstThenUseIt();
    void duplicateAndResumeFromTheBrowser();
    void bigLaunchAsksFirst();
    void closingWithActiveRunStopsItResumably();

private:
    QString dbPath() const { return m_dir.filePath("runs.sqlite"); }
    static void spin(RunEditor* e, const char* key, int v) { qobject_cast<QSpinBox*>(e->field(key))->setValue(v); }
    static void combo(RunEditor* e, const char* key, const QString& v)
    {
        auto* c = qobject_cast<QComboBox*>(e->field(key));
        QVERIFY2(c && c->findText(v) >= 0, key);
        c->setCurrentIndex(c->findText(v));
    }
    static QPushButton* button(QWidget* w, const QString& text)
    {
        for (auto* b : w->findChildren<QPushButton*>())
            if (b->text() == text)
                return b;
        return nullptr;
    }

    QTemporaryDir m_dir;
    qint64 m_runId = 0;
};

void TestUiEndToEnd::initTestCase() { QVERIFY(m_dir.isValid()); }

void TestUiEndToEnd::configureLaunchWatchInspect()
{
    MainWindow window(dbPath());
    window.show();
    QAbstractItemModelTester queueTester(window.queuePanel()->model(),
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester browserTester(window.browser()->model(),
                                           QAbstractItemModelTester::FailureReportingMode::QtTest);
    RunEditor* e = window.editor();
    window.showPage(e);
    QCOMPARE(qobject_cast<QComboBox*>(e->field("data.dataset"))->currentText(), QStringLiteral("fashion-mnist"));
    qobject_cast<QLineEdit*>(e->field("name"))->setText("e2e");
    Q_EMIT qobject_cast<QLineEdit*>(e->field("name"))->textEdited("e2e");
    spin(e, "data.train_per_class", 20);
    spin(e, "data.test_per_class", 10);
    spin(e, "epochs", 1);
    spin(e, "batch_size", 32);
    spin(e, "threads", 2);
    combo(e, "model.arch", "small-cnn");
    qobject_cast<QCheckBox*>(e->field("contrastive.enabled"))->setChecked(true);
    combo(e, "contrastive.sampler", "class");
    spin(e, "contrastive.negatives", 64);
    spin(e, "contrastive.probe_anchors", 4);
    spin(e, "contrastive.probe_negatives", 8);
    spin(e, "contrastive.mixup.count", 2);

    QPushButton* launch = button(e, "Launch");
    QVERIFY(launch);
    QTRY_VERIFY(launch->isEnabled());  // live validation has run
    QSignalSpy ended(window.queue(), &RunQueue::runEnded);
    QSignalSpy launched(window.queue(), &RunQueue::launched);
    QTest::mouseClick(launch, Qt::LeftButton);
    QTRY_COMPARE(launched.count(), 1);  // stored off the GUI thread, then queued
    QCOMPARE(window.queue()->count(), 1);
    QCOMPARE(window.tabs()->currentWidget(), window.queuePanel());
    m_runId = window.queue()->at(0)->runId();
    QCOMPARE(window.views()->shownRuns(), QList<qint64>{m_runId});
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 180000);
    QCOMPARE(window.queue()->at(0)->state(), JobState::Finished);

    // The store has what the run recorded.
    RunStore store(dbPath().toStdString());
    const RunRecord run = store.run(m_runId);
    QCOMPARE(QString::fromStdString(run.name), QStringLiteral("e2e"));
    QCOMPARE(toString(run.status), std::string("finished"));
    const auto cfg = runConfigFromJsonText(run.configJson, "stored");
    QCOMPARE(cfg.data.trainPerClass, std::int64_t{20});
    QCOMPARE(cfg.contrastive.mixupCount, std::int64_t{2});
    const auto top1 = store.metrics(m_runId, "test/top1");
    QCOMPARE(top1.size(), std::size_t{1});
    QVERIFY(!store.classSimilarities(m_runId).empty());
    const auto probes = store.probeNegatives(m_runId);
    QVERIFY(!probes.empty());
    QVERIFY(std::any_of(probes.begin(), probes.end(), [](const ProbeNegativeRow& r) { return r.kind == "pseudo"; }));

    // The pages show it: the run's end reloads them from the store.
    InspectionViews* views = window.views();
    QTRY_COMPARE_WITH_TIMEOUT(views->pendingLoads(), 0, 30000);
    // Ticking train/loss and test/top1 shows both series as the store has them. (Which metric
    // the page follows while a run trains depends on how far the run got when the page
    // reloaded at its end, so the test selects them rather than relying on the default.)
    const auto lossRows = store.metrics(m_runId, "train/loss");
    QVERIFY(!lossRows.empty());
    views->curves()->setSelectedMetrics({"train/loss", "test/top1"});
    QTRY_VERIFY_WITH_TIMEOUT(views->curves()->graphFor(m_runId, "test/top1")
                                 && views->curves()->graphFor(m_runId, "test/top1")->data()->size() == 1,
                             30000);
    QTRY_VERIFY_WITH_TIMEOUT(views->curves()->graphFor(m_runId, "train/loss")
                                 && views->curves()->graphFor(m_runId, "train/loss")->data()->size()
                                        == static_cast<int>(lossRows.size()),
                             30000);
    QCPGraph* curve = views->curves()->graphFor(m_runId, "test/top1");
    QCOMPARE(curve->data()->at(0)->value, top1.front().value);
    QVERIFY(views->heatmap()->recordCount() >= 1);
    QCOMPARE(views->heatmap()->matrix()->size(), 10);
    QCOMPARE(views->heatmap()->matrix()->classNames().front(), QStringLiteral("T-shirt/top"));
    QVERIFY(!views->negatives()->anchors().isEmpty());
    QVERIFY(views->negatives()->tileCount() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(views->negatives()->hasImages(), 30000);
    QVERIFY(views->confusion()->recordCount() >= 1);
    QVERIFY(!views->samplerStats()->statistics().isEmpty());
    // The single-run pages name the run they show (the end of the run reloaded them: finished).
    const QString title = QStringLiteral("Run %1 \u00b7 e2e (finished)").arg(m_runId);
    QTRY_COMPARE_WITH_TIMEOUT(views->heatmap()->runTitle(), title, 30000);
    QCOMPARE(views->negatives()->runTitle(), title);
    QCOMPARE(views->confusion()->runTitle(), title);

    // The browser lists it as finished, with its accuracy.
    QTRY_VERIFY_WITH_TIMEOUT(window.browser()->model()->run(m_runId)
                                 && window.browser()->model()->run(m_runId)->status == RunStatus::Finished
                                 && !std::isnan(window.browser()->model()->run(m_runId)->finalTestTop1),
                             30000);
    QCOMPARE(window.browser()->model()->run(m_runId)->finalTestTop1, top1.front().value);
}

void TestUiEndToEnd::screenshotTourWritesEveryPage()
{
    QVERIFY(m_runId > 0);  // uses the run of the test above
    MainWindow window(dbPath());
    window.resize(1400, 900);
    window.show();
    const QString dir = m_dir.filePath("shots");
    ScreenshotTour tour(&window, dir);
    QSignalSpy finished(&tour, &ScreenshotTour::finished);
    tour.start();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 90000);
    QCOMPARE(finished.at(0).at(0).toInt(), 0);
    // A page each, then the extra views: an accuracy and a loss on two axes, the browser's
    // setting columns (seed groups only where a data set has two finished runs; here one).
    const int pages = window.tabs()->count();
    QCOMPARE(tour.written().size(), pages + 2);
    for (const QString& f : tour.written()) {
        QImage png(f);
        QVERIFY2(!png.isNull() && png.width() >= 1000, qPrintable(f));
    }
    QVERIFY(QFile::exists(QDir(dir).filePath("06-negatives.png")));
    QVERIFY(tour.written().at(pages).endsWith(QStringLiteral("%1-curves-two-axes.png").arg(pages + 1)));
    QVERIFY(tour.written().at(pages + 1).endsWith(QStringLiteral("-runs-setting-columns.png")));
    QVERIFY(window.views()->curves()->plot()->yAxis2->visible());  // the loss on its own axis
    // The tour opened the finished contrastive run.
    QCOMPARE(window.views()->shownRuns().value(0), m_runId);
}

void TestUiEndToEnd::trainTeacherFirstThenUseIt()
{
    MainWindow window(dbPath());
    RunEditor* e = window.editor();
    spin(e, "data.train_per_class", 20);
    spin(e, "data.test_per_class", 10);
    spin(e, "epochs", 1);
    spin(e, "batch_size", 32);
    spin(e, "threads", 2);
    combo(e, "distill.method", "kd");
    combo(e, "distill.teacher.arch", "small-cnn");
    QVERIFY(e->validate().size() == 1);  // the teacher's weights are missing
    QVERIFY(e->problemAt("distill.teacher.weights").contains("weights file"));
    QSignalSpy teacherSet(window.launcher(), &LaunchController::teacherSet);
    QPushButton* train = button(e, "Train this network first");
    QVERIFY(train);
    QTest::mouseClick(train, Qt::LeftButton);
    QTRY_COMPARE(window.queue()->count(), 1);
    const qint64 teacherId = window.queue()->at(0)->runId();
    QTRY_COMPARE_WITH_TIMEOUT(teacherSet.count(), 1, 120000);
    QCOMPARE(teacherSet.at(0).at(0).toLongLong(), teacherId);
    if (const QByteArray shots = qgetenv("SCNS_UI_SHOTS"); !shots.isEmpty()) {
        window.resize(1500, 950);
        window.showPage(e);
        window.grab().save(QString::fromLocal8Bit(shots) + "/editor-teacher.png");
    }
    const auto student = e->validConfig();  // now complete
    QVERIFY(student);
    QCOMPARE(student->distill.teacherRunId, teacherId);
    QVERIFY(QFile::exists(QString::fromStdString(student->distill.teacherWeights)));
    QCOMPARE(student->distill.method, DistillMethod::Kd);
    RunStore store(dbPath().toStdString());
    const auto teacherCfg = runConfigFromJsonText(store.run(teacherId).configJson, "teacher");
    QCOMPARE(teacherCfg.distill.method, DistillMethod::None);
    QCOMPARE(teacherCfg.arch, std::string("small-cnn"));
}

void TestUiEndToEnd::duplicateAndResumeFromTheBrowser()
{
    QVERIFY(m_runId > 0);
    MainWindow window(dbPath());
    window.show();
    RunBrowser* browser = window.browser();
    QSignalSpy loaded(browser, &RunBrowser::loaded);
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
    browser->selectRun(m_runId);
    QCOMPARE(browser->selectedRunIds(), QList<qint64>{m_runId});

    // Duplicate: the editor gets the stored config; the new run names its parent.
    QPushButton* duplicate = button(browser, "Duplicate…");
    QVERIFY(duplicate && duplicate->isEnabled());
    QTest::mouseClick(duplicate, Qt::LeftButton);
    QCOMPARE(window.tabs()->currentWidget(), window.editor());
    QCOMPARE(window.editor()->parentRunId(), m_runId);
    QCOMPARE(qobject_cast<QSpinBox*>(window.editor()->field("data.train_per_class"))->value(), 20);
    spin(window.editor(), "epochs", 3);  // the pause below lands after epoch 1 or 2
    QSignalSpy launched(window.queue(), &RunQueue::launched);
    QSignalSpy ended(window.queue(), &RunQueue::runEnded);
    QSignalSpy batches(window.queue(), &RunQueue::runBatchEnded);
    QTRY_VERIFY(button(window.editor(), "Launch")->isEnabled());
    QTest::mouseClick(button(window.editor(), "Launch"), Qt::LeftButton);
    QTRY_COMPARE(launched.count(), 1);
    const qint64 copy = launched.at(0).at(0).value<QList<qint64>>().front();

    // Pause it in the queue, then resume it from the browser.
    QTRY_VERIFY_WITH_TIMEOUT(batches.count() > 0, 60000);
    window.queue()->pause(copy);
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 60000);
    QCOMPARE(window.queue()->at(0)->state(), JobState::Paused);
    QTRY_VERIFY_WITH_TIMEOUT(browser->model()->run(copy)
                                 && browser->model()->run(copy)->status == RunStatus::Cancelled,
                             10000);
    window.showPage(browser);
    browser->selectRun(copy);
    QPushButton* resume = button(browser, "Resume");
    QVERIFY(resume && resume->isEnabled());
    QTest::mouseClick(resume, Qt::LeftButton);
    QCOMPARE(window.tabs()->currentWidget(), window.queuePanel());
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 2, 120000);
    QCOMPARE(window.queue()->at(0)->state(), JobState::Finished);

    RunStore store(dbPath().toStdString());
    const RunRecord r = store.run(copy);
    QCOMPARE(r.parentRunId, m_runId);
    QCOMPARE(toString(r.status), std::string("finished"));
    QCOMPARE(store.metrics(copy, "test/top1").size(), std::size_t{3});
    QCOMPARE(runConfigFromJsonText(r.configJson, "copy").contrastive.mixupCount, std::int64_t{2});
}

void TestUiEndToEnd::bigLaunchAsksFirst()
{
    QTemporaryDir dir;
    MainWindow window(dir.filePath("runs.sqlite"));
    int asked = 0;
    QString varies;
    window.launcher()->setConfirmHandler([&](int runs, const QString& what) {
        asked = runs;
        varies = what;
        return false;
    });
    window.editor()->seedsEdit()->setText("0-4");
    window.editor()->gridEdit()->setText("optim.lr=0.1,0.2,0.3");
    QCOMPARE(window.launcher()->launchFromEditor(), 0);
    QCOMPARE(asked, 15);
    QCOMPARE(varies, QStringLiteral("5 seeds (0, 1, 2, 3, 4) x optim.lr (0.1, 0.2, 0.3)"));
    QCOMPARE(window.queue()->count(), 0);
    // Two runs are asked about as well: every launch of several runs says what it varies.
    window.editor()->seedsEdit()->setText("3, 7");
    window.editor()->gridEdit()->clear();
    QCOMPARE(window.launcher()->launchFromEditor(), 0);
    QCOMPARE(asked, 2);
    QCOMPARE(varies, QStringLiteral("2 seeds (3, 7)"));
}

void TestUiEndToEnd::closingWithActiveRunStopsItResumably()
{
    auto* window = new MainWindow(dbPath());
    window->setAttribute(Qt::WA_DeleteOnClose, false);
    window->show();
    QSignalSpy batches(window->queue(), &RunQueue::runBatchEnded);
    const qint64 id = window->queue()->launch({testing::tinyRun("closing", 30, 200)}).front();
    QTRY_VERIFY_WITH_TIMEOUT(batches.count() > 0, 60000);
    window->showPage(window->queuePanel());
    if (const QByteArray shots = qgetenv("SCNS_UI_SHOTS"); !shots.isEmpty()) {
        window->grab().save(QString::fromLocal8Bit(shots) + "/queue-running.png");
        // The live path: the queue's batches reach the curves page while the run trains.
        QSignalSpy live(window->views()->curves(), &CurvesView::liveUpdated);
        window->views()->showRuns({id});
        window->showPage(window->views()->curvesPage());
        QTRY_VERIFY_WITH_TIMEOUT(live.count() >= 3, 60000);
        window->grab().save(QString::fromLocal8Bit(shots) + "/curves-live.png");
    }

    int asked = 0, askedRuns = 0;
    window->closeGuard()->setAskHandler([&](int runs) {
        ++asked;
        askedRuns = runs;
        return false;  // "Cancel": keep training
    });
    QVERIFY(!window->close());
    QCOMPARE(asked, 1);
    QCOMPARE(askedRuns, 1);
    QVERIFY(window->isVisible());
    QCOMPARE(window->queue()->activeCount(), 1);

    window->closeGuard()->setAskHandler([&](int) {
        ++asked;
        return true;
    });
    QVERIFY(!window->close());  // not yet: the run stops first
    QVERIFY(window->closeGuard()->isStopping());
    QTRY_VERIFY_WITH_TIMEOUT(!window->isVisible(), 60000);
    QCOMPARE(asked, 2);
    QCOMPARE(window->queue()->activeCount(), 0);
    delete window;  // joins nothing: the thread has ended
    RunStore store(dbPath().toStdString());
    QCOMPARE(toString(store.run(id).status), std::string("cancelled"));
}

QTEST_MAIN(TestUiEndToEnd)
#include "test_ui_end_to_end.moc"
