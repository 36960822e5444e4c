// The browser as a table of experiments: chosen settings as columns (numbers sorted as
// numbers), final and best test top-1, the CSV export with those columns, and the choice, the
// sort and the ticked curves remembered by the main window.
#include <QHeaderView>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include "browser/run_browser.h"
#include "browser/run_filter_proxy.h"
#include "browser/run_list_model.h"
#include "shell/inspection_views.h"
#include "shell/main_window.h"
#include "store/run_store.h"
#include "train/run_config.h"
#include "views/curves_view.h"
#include "views/export.h"
#include "test_settings.h"

using namespace scns;

class TestUiBrowserColumns : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString db() const { return m_dir.filePath("runs.sqlite"); }
    std::vector<qint64> m_ids;

    static void load(RunBrowser& browser)
    {
        QSignalSpy accuracies(&browser, &RunBrowser::finalAccuraciesLoaded);
        browser.reload();
        QTRY_COMPARE_WITH_TIMEOUT(accuracies.count(), 1, 20000);
    }

    int rowOf(RunBrowser& browser, qint64 id) const
    {
        for (int r = 0; r < browser.proxy()->rowCount(); ++r)
            if (browser.proxy()->index(r, RunListModel::Id).data().toLongLong() == id)
                return r;
        return -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // Settings land in the test's folder, not in the user's.
        test::isolateSettings(m_dir.filePath("settings"), QStringLiteral("browser-columns"));
        RunStore store(db().toStdString());
        // K = 4096, 256, 16384 (string order would put 4096 first); lr 0.1 or 0.05.
        const std::pair<std::int64_t, double> settings[] = {{4096, 0.1}, {256, 0.05}, {16384, 0.1}};
        for (int i = 0; i < 3; ++i) {
            RunConfig c;
            c.contrastive.enabled = true;
            c.contrastive.negatives = settings[i].first;
            c.optim.lr = settings[i].second;
            const auto id = store.createRun("run-" + std::to_string(i), toJsonText(c), 1);
            store.markRunning(id);
            // Final top-1 below the best for run 1: the two columns differ.
            store.appendMetrics(id, {{1, 10, "test/top1", 60.0 + i}, {2, 20, "test/top1", i == 1 ? 55.0 : 70.0 + i}});
            store.finishRun(id, RunStatus::Finished);
            m_ids.push_back(id);
        }
    }

    void settingColumnsFinalAndBestAccuracyAndCsv()
    {
        RunBrowser browser(db());
        load(browser);
        const int r1 = rowOf(browser, m_ids[1]);
        QCOMPARE(browser.proxy()->index(r1, RunListModel::TestTop1).data().toString(), QStringLiteral("55.00"));
        QCOMPARE(browser.proxy()->index(r1, RunListModel::BestTop1).data().toString(), QStringLiteral("61.00"));
        QCOMPARE(browser.proxy()->index(rowOf(browser, m_ids[2]), RunListModel::BestTop1).data().toString(),
                 QStringLiteral("72.00"));
        // The Columns menu offers what differs between the runs.
        const QStringList differing = browser.differingSettingKeys();
        QVERIFY2(differing.contains("contrastive.negatives") && differing.contains("optim.lr"), qPrintable(differing.join(", ")));
        QVERIFY(!differing.contains("epochs"));  // the same in every run
        QVERIFY(browser.columnsButton()->menu());

        browser.setSettingColumns({"contrastive.negatives", "optim.lr"});
        const int k = RunListModel::ColumnCount, lr = RunListModel::ColumnCount + 1;
        QCOMPARE(browser.proxy()->columnCount(), RunListModel::ColumnCount + 2);
        QCOMPARE(browser.proxy()->headerData(k, Qt::Horizontal).toString(), QStringLiteral("contrastive.negatives"));
        // Shown right after the accuracies, in the order chosen.
        const QHeaderView* columns = browser.view()->horizontalHeader();
        QCOMPARE(columns->visualIndex(k), columns->visualIndex(RunListModel::BestTop1) + 1);
        QCOMPARE(columns->visualIndex(lr), columns->visualIndex(RunListModel::BestTop1) + 2);
        QCOMPARE(browser.proxy()->index(rowOf(browser, m_ids[0]), k).data().toString(), QStringLiteral("4096"));
        QCOMPARE(browser.proxy()->index(rowOf(browser, m_ids[1]), lr).data().toString(), QStringLiteral("0.05"));
        // Numbers sort as numbers: 16384 > 4096 > 256.
        browser.view()->sortByColumn(k, Qt::DescendingOrder);
        QCOMPARE(browser.proxy()->index(0, RunListModel::Id).data().toLongLong(), m_ids[2]);
        QCOMPARE(browser.proxy()->index(2, RunListModel::Id).data().toLongLong(), m_ids[1]);
        // The export has the columns the table shows.
        const QString csv = modelToCsv(*browser.proxy());
        const QString header = csv.section(QLatin1Char('\n'), 0, 0);
        QVERIFY2(header.contains("contrastive.negatives") && header.contains("optim.lr") && header.contains("Best top-1"),
                 qPrintable(header));
        QVERIFY2(csv.section(QLatin1Char('\n'), 1, 1).contains("16384"), qPrintable(csv));
        // A run whose configuration lacks the key shows an empty cell, not an error.
        browser.setSettingColumns({"no.such.key"});
        QCOMPARE(browser.proxy()->index(0, RunListModel::ColumnCount).data().toString(), QString());
    }

    // The main window keeps the setting columns, the browser's sort and the curves' ticked
    // metrics from one session to the next.
    void choicesAreRemembered()
    {
        {
            MainWindow window(db());
            window.browser()->setSettingColumns({"optim.lr", "contrastive.negatives"});
            window.browser()->view()->sortByColumn(RunListModel::BestTop1, Qt::AscendingOrder);
            window.views()->curves()->setSelectedMetrics({"test/top1", "train/loss"});
            window.saveSettings();
        }
        MainWindow again(db());
        again.restoreSettings();
        QCOMPARE(again.browser()->settingColumns(), (QStringList{"optim.lr", "contrastive.negatives"}));
        QCOMPARE(again.browser()->view()->horizontalHeader()->sortIndicatorSection(), int(RunListModel::BestTop1));
        QCOMPARE(again.browser()->view()->horizontalHeader()->sortIndicatorOrder(), Qt::AscendingOrder);
        QCOMPARE(again.views()->curves()->wantedMetrics(), (QStringList{"test/top1", "train/loss"}));
    }

    // A run's parent (a student's teacher, a duplicate's source) by name and id.
    void parentColumnNamesTheParent()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("runs.sqlite");
        qint64 teacher = 0, student = 0;
        {
            RunStore store(path.toStdString());
            teacher = store.createRun("teacher-r56", "{}", 1);
            student = store.createRun("student-r20", "{}", 1, teacher);
        }
        RunBrowser browser(path);
        load(browser);
        QCOMPARE(browser.proxy()->index(rowOf(browser, student), RunListModel::Parent).data().toString(),
                 QStringLiteral("teacher-r56 (#%1)").arg(teacher));
        QCOMPARE(browser.proxy()->index(rowOf(browser, teacher), RunListModel::Parent).data().toString(), QString());
        QCOMPARE(browser.proxy()->headerData(RunListModel::Parent, Qt::Horizontal).toString(), QStringLiteral("Parent"));
    }

    // The status bar's run count follows a deletion without a reload.
    void statusCountFollowsDeletions()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("runs.sqlite");
        qint64 doomed = 0;
        {
            RunStore store(path.toStdString());
            store.createRun("keep", "{}", 1);
            doomed = store.createRun("drop", "{}", 1);
        }
        MainWindow window(path);
        QSignalSpy loaded(window.browser(), &RunBrowser::loaded);
        window.browser()->reload();
        QTRY_VERIFY_WITH_TIMEOUT(window.storeStatus().contains(QStringLiteral("— 2 runs")), 20000);
        window.browser()->setConfirmHandler([](const QString&) { return true; });
        QSignalSpy done(window.browser(), &RunBrowser::editDone);
        QVERIFY(window.browser()->deleteRuns({doomed}));
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
        QVERIFY2(window.storeStatus().contains(QStringLiteral("— 1 run (")), qPrintable(window.storeStatus()));
    }
};

QTEST_MAIN(TestUiBrowserColumns)
#include "test_ui_browser_columns.moc"
