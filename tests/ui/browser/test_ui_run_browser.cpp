// The run browser over a generated store of 10,000 runs: loads in the background quickly,
// filters and searches, sorts, edits (rename, tags, notes) and deletes with confirmation,
// with both item models under QAbstractItemModelTester.
#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include "browser/run_browser.h"
#include "browser/run_filter_proxy.h"
#include "browser/run_list_model.h"
#include "store/run_store.h"
#include "train/run_config.h"

using namespace scns;

namespace {

constexpr int kRuns = 10000;
const char* const kDatasets[] = {"fashion-mnist", "cifar10", "cifar100"};
const char* const kNetworks[] = {"small-cnn", "resnet8x4", "wrn_16_2", "vgg8"};

int selectIndexOf(QComboBox* combo, const QString& value)
{
    const int i = combo->findData(value);
    if (i >= 0)
        combo->setCurrentIndex(i);
    return i;
}

}  // namespace

class TestUiRunBrowser : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void loadsTenThousandRunsInTheBackground();
    void filtersAndSearch();
    void filterProxyUnderModelTester();
    void sortsByAccuracy();
    void editsReachTheStore();
    void deleteAsksFirst();
    void unreadableStoreReportsLoadFailed();
    void emptyStoreSaysWhatToDo();

private:
    QString dbPath() const { return m_dir.filePath("runs.sqlite"); }
    void loadInto(RunBrowser& browser);

    QTemporaryDir m_dir;
    int m_failed = 0, m_cifar10 = 0, m_classSampler = 0, m_tagged = 0;
    std::int64_t m_bestId = 0;
};

void TestUiRunBrowser::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // A few distinct configurations, reused: generating 10,000 JSON texts is not the point.
    std::vector<std::string> configs;
    for (int d = 0; d < 3; ++d)
        for (int n = 0; n < 4; ++n)
            for (int s = 0; s < 2; ++s) {
                RunConfig c;
                c.data.dataset = *parseChoice<DatasetId>(kDatasets[d]);
                c.arch = kNetworks[n];
                c.contrastive.enabled = s == 1;
                c.contrastive.sampler = SamplerKind::Class;
                configs.push_back(toJsonText(c));
            }
    QElapsedTimer timer;
    timer.start();
    RunStore store(dbPath().toStdString());
    for (int i = 0; i < kRuns; ++i) {
        const int variant = i % int(configs.size());
        const std::int64_t id = store.createRun("run-" + std::to_string(i), configs[std::size_t(variant)], i % 5);
        if ((variant / 8) == 1)
            ++m_cifar10;
        if (variant % 2 == 1)
            ++m_classSampler;
        if (i % 97 == 0) {
            store.markRunning(id);
            store.finishRun(id, RunStatus::Failed, "out of memory in run " + std::to_string(i));
            ++m_failed;
        } else if (i % 500 == 1) {
            store.markRunning(id);
            store.appendMetrics(id, {{1, 10, "test/top1", 50.0 + i / 500.0}, {2, 20, "test/top1", 60.0 + i / 500.0}});
            store.finishRun(id, RunStatus::Finished);
            m_bestId = id;  // the highest i gets the highest accuracy
        }
        if (i % 1000 == 3) {
            store.setTags(id, "golden, sweep-" + std::to_string(i / 1000));
            ++m_tagged;
        }
    }
    qInfo("generated %d runs in %.1f s", kRuns, double(timer.elapsed()) / 1000.0);
}

void TestUiRunBrowser::loadInto(RunBrowser& browser)
{
    QSignalSpy loaded(&browser, &RunBrowser::loaded);
    QSignalSpy top1(&browser, &RunBrowser::finalAccuraciesLoaded);
    browser.reload();
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(top1.count(), 1, 20000);
}

void TestUiRunBrowser::loadsTenThousandRunsInTheBackground()
{
    RunBrowser browser(dbPath());
    QAbstractItemModelTester modelTester(browser.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(browser.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&browser, &RunBrowser::loaded);
    QElapsedTimer gui;
    gui.start();
    browser.reload();
    const qint64 blockedMs = gui.elapsed();
    QVERIFY2(blockedMs < 50, qPrintable(QStringLiteral("reload() held the GUI thread %1 ms").arg(blockedMs)));
    QVERIFY(browser.isLoading());
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 20000);
    const double seconds = loaded.at(0).at(1).toDouble();
    qInfo("listRuns + summaries of %d runs: %.3f s; shown after %lld ms", kRuns, seconds, gui.elapsed());
    QCOMPARE(loaded.at(0).at(0).toInt(), kRuns);
    QVERIFY2(seconds < 2.0, qPrintable(QString::number(seconds)));  // bench/ measures the 1 s goal
    QCOMPARE(browser.model()->rowCount(), kRuns);
    QCOMPARE(browser.proxy()->rowCount(), kRuns);
    // Newest first, as sorted by id descending.
    QCOMPARE(browser.proxy()->index(0, RunListModel::Id).data().toLongLong(), qint64(kRuns));
    QCOMPARE(browser.proxy()->index(0, RunListModel::Name).data().toString(), QStringLiteral("run-%1").arg(kRuns - 1));
}

void TestUiRunBrowser::filtersAndSearch()
{
    // No model tester here: it re-checks the whole proxy on each of the thousands of row
    // changes a filter makes; filterProxyUnderModelTester covers the same code on a small list.
    RunBrowser browser(dbPath());
    loadInto(browser);
    QVERIFY(selectIndexOf(browser.statusFilter(), "failed") > 0);
    QCOMPARE(browser.proxy()->rowCount(), m_failed);
    QVERIFY(selectIndexOf(browser.statusFilter(), "") == 0);
    QCOMPARE(browser.proxy()->rowCount(), kRuns);

    QVERIFY(selectIndexOf(browser.datasetFilter(), "cifar10") > 0);
    QCOMPARE(browser.proxy()->rowCount(), m_cifar10);
    QVERIFY(selectIndexOf(browser.samplerFilter(), "class") > 0);
    QCOMPARE(browser.proxy()->rowCount(), m_cifar10 / 2);
    for (int row = 0; row < browser.proxy()->rowCount(); row += 97) {
        QCOMPARE(browser.proxy()->index(row, RunListModel::Dataset).data().toString(), QStringLiteral("cifar10"));
        QCOMPARE(browser.proxy()->index(row, RunListModel::Sampler).data().toString(), QStringLiteral("class"));
    }
    selectIndexOf(browser.datasetFilter(), "");
    selectIndexOf(browser.samplerFilter(), "");
    QVERIFY(selectIndexOf(browser.networkFilter(), "vgg8") > 0);
    QCOMPARE(browser.proxy()->rowCount(), kRuns / 4);
    selectIndexOf(browser.networkFilter(), "");

    QVERIFY(selectIndexOf(browser.tagFilter(), "golden") > 0);
    QCOMPARE(browser.proxy()->rowCount(), m_tagged);
    selectIndexOf(browser.tagFilter(), "");

    browser.searchEdit()->setText(QStringLiteral("run-4242"));
    QCOMPARE(browser.proxy()->rowCount(), 1);
    browser.searchEdit()->setText(QStringLiteral("sweep-7"));  // tags are searched too
    QCOMPARE(browser.proxy()->rowCount(), 1);
    browser.searchEdit()->setText(QStringLiteral("out of memory"));  // and failure messages
    QCOMPARE(browser.proxy()->rowCount(), m_failed);
    browser.searchEdit()->clear();
    QCOMPARE(browser.proxy()->rowCount(), kRuns);
}

void TestUiRunBrowser::filterProxyUnderModelTester()
{
    RunListModel model;
    RunFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester modelTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    std::vector<RunSummary> runs;
    for (int i = 1; i <= 60; ++i) {
        RunSummary r;
        r.id = i;
        r.name = QStringLiteral("r%1").arg(i);
        r.statusText = i % 3 == 0 ? "failed" : "finished";
        r.dataset = i % 2 ? "cifar10" : "fashion-mnist";
        r.network = "small-cnn";
        r.sampler = i % 4 == 0 ? "class" : "none";
        if (i % 5 == 0)
            r.tags = QStringList{"five"};
        runs.push_back(r);
    }
    model.setRuns(runs);
    proxy.sort(RunListModel::Id, Qt::DescendingOrder);
    proxy.setStatusFilter("failed");
    QCOMPARE(proxy.rowCount(), 20);
    proxy.setSamplerFilter("class");
    QCOMPARE(proxy.rowCount(), 5);  // multiples of 12
    proxy.setStatusFilter({});
    proxy.setSamplerFilter({});
    proxy.setTagFilter("five");
    QCOMPARE(proxy.rowCount(), 12);
    proxy.setDatasetFilter("cifar10");
    QCOMPARE(proxy.rowCount(), 6);
    proxy.setSearchText("r15");
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setSearchText({});
    proxy.setTagFilter({});
    proxy.setDatasetFilter({});
    model.removeRuns({60, 1});
    QCOMPARE(proxy.rowCount(), 58);
    QCOMPARE(proxy.index(0, RunListModel::Id).data().toLongLong(), qint64{59});
    QHash<qint64, double> top1{{2, 91.5}};
    model.setFinalTop1(top1);
    QCOMPARE(model.run(2)->finalTestTop1, 91.5);
}

void TestUiRunBrowser::sortsByAccuracy()
{
    RunBrowser browser(dbPath());
    loadInto(browser);
    browser.view()->sortByColumn(RunListModel::TestTop1, Qt::DescendingOrder);
    QCOMPARE(browser.proxy()->index(0, RunListModel::Id).data().toLongLong(), m_bestId);
    const double best = browser.proxy()->index(0, RunListModel::TestTop1).data(RunListModel::SortRole).toDouble();
    const double second = browser.proxy()->index(1, RunListModel::TestTop1).data(RunListModel::SortRole).toDouble();
    QVERIFY(best > second && second > 60.0);
    // The final value is the last epoch's, not the first.
    RunStore store(dbPath().toStdString());
    QCOMPARE(best, store.metrics(m_bestId, "test/top1").back().value);
}

void TestUiRunBrowser::editsReachTheStore()
{
    RunBrowser browser(dbPath());
    QAbstractItemModelTester modelTester(browser.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    loadInto(browser);
    QSignalSpy done(&browser, &RunBrowser::editDone);
    QSignalSpy failed(&browser, &RunBrowser::editFailed);
    browser.renameRun(17, QStringLiteral("renamed"));
    browser.setTags(17, QStringLiteral(" new-tag,golden ,new-tag"));
    browser.setNotes(17, QStringLiteral("a note"));
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 3, 10000);
    QCOMPARE(failed.count(), 0);
    const RunSummary* r = browser.model()->run(17);
    QVERIFY(r);
    QCOMPARE(r->name, QStringLiteral("renamed"));
    QCOMPARE(r->tags, (QStringList{"new-tag", "golden"}));
    RunStore store(dbPath().toStdString());
    QCOMPARE(QString::fromStdString(store.run(17).name), QStringLiteral("renamed"));
    QCOMPARE(QString::fromStdString(store.run(17).tags), QStringLiteral("new-tag, golden"));
    QCOMPARE(QString::fromStdString(store.run(17).notes), QStringLiteral("a note"));
    QVERIFY(browser.tagFilter()->findData(QStringLiteral("new-tag")) > 0);

    // In place (F2): setData asks for the store edit; the row follows when it is stored.
    const QModelIndex nameCell = browser.model()->index(browser.model()->rowCount() - 18, RunListModel::Name);
    const qint64 id18 = nameCell.data(RunListModel::RunIdRole).toLongLong();
    QCOMPARE(id18, qint64{18});
    QVERIFY(nameCell.flags() & Qt::ItemIsEditable);
    QVERIFY(!(browser.model()->index(0, RunListModel::Status).flags() & Qt::ItemIsEditable));
    QVERIFY(!browser.model()->setData(nameCell, QStringLiteral("in place")));
    QVERIFY(!browser.model()->setData(nameCell, QStringLiteral("  ")));  // empty names are refused
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 4, 10000);
    QCOMPARE(browser.model()->run(18)->name, QStringLiteral("in place"));
    QCOMPARE(QString::fromStdString(store.run(18).name), QStringLiteral("in place"));

    browser.renameRun(999999, QStringLiteral("x"));
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
    QVERIFY(failed.at(0).at(0).toString().contains("999999"));
}

void TestUiRunBrowser::deleteAsksFirst()
{
    RunBrowser browser(dbPath());
    QAbstractItemModelTester modelTester(browser.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(browser.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    loadInto(browser);
    QString asked;
    browser.setConfirmHandler([&](const QString& q) {
        asked = q;
        return false;
    });
    QVERIFY(!browser.deleteRuns({5, 6}));
    QVERIFY(asked.contains("run-4 (5)"));
    QCOMPARE(browser.model()->rowCount(), kRuns);

    // The table's context menu mirrors the buttons, enabled state included.
    browser.selectRun(7);
    const auto action = [&](const QString& text) -> QAction* {
        for (QAction* a : browser.view()->actions())
            if (a->text() == text)
                return a;
        return nullptr;
    };
    QVERIFY(action("Open in views") && action("Open in views")->isEnabled());
    QVERIFY(action("Compare") && !action("Compare")->isEnabled());  // needs two runs
    asked.clear();
    action("Delete…")->trigger();
    QVERIFY2(asked.contains("run-6 (7)"), qPrintable(asked));
    QCOMPARE(browser.model()->rowCount(), kRuns);

    browser.setConfirmHandler([](const QString&) { return true; });
    QSignalSpy done(&browser, &RunBrowser::editDone);
    QVERIFY(browser.deleteRuns({5, 6}));
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
    QCOMPARE(browser.model()->rowCount(), kRuns - 2);
    QVERIFY(!browser.model()->run(5));
    RunStore store(dbPath().toStdString());
    QCOMPARE(store.listRuns().size(), std::size_t(kRuns - 2));
}

void TestUiRunBrowser::unreadableStoreReportsLoadFailed()
{
    QTemporaryDir dir;
    QFile blocker(dir.filePath("file"));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    RunBrowser browser(dir.filePath("file/runs.sqlite"));  // its folder is a file
    QSignalSpy failed(&browser, &RunBrowser::loadFailed);
    QSignalSpy loaded(&browser, &RunBrowser::loaded);
    browser.reload();
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
    QCOMPARE(loaded.count(), 0);
    QVERIFY(failed.at(0).at(0).toString().contains("file"));
    QCOMPARE(browser.model()->rowCount(), 0);
}

void TestUiRunBrowser::emptyStoreSaysWhatToDo()
{
    QTemporaryDir dir;
    RunBrowser empty(dir.filePath("new.sqlite"));
    QSignalSpy loaded(&empty, &RunBrowser::loaded);
    empty.reload();
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 20000);
    QCOMPARE(loaded.at(0).at(0).toInt(), 0);
    QVERIFY(!empty.emptyHint()->isHidden());
    QVERIFY(empty.emptyHint()->text().contains(QLatin1String("New run")));

    RunBrowser full(dbPath());  // the store of the other tests holds runs
    loadInto(full);
    QVERIFY(full.emptyHint()->isHidden());
}

QTEST_MAIN(TestUiRunBrowser)
#include "test_ui_run_browser.moc"
