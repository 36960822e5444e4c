// The Hyperparameters page: axes from the settings that differ (numbers scaled, words as
// categories, seeds left out), each run a line through its positions, brushing an axis (by
// call and by a mouse drag) keeps the runs inside every brush and the main window selects them
// in the run table; a rectangle dragged over the scatter selects its points' runs.
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <cmath>

#include "browser/run_browser.h"
#include "browser/run_list_model.h"
#include "shell/inspection_views.h"
#include "shell/main_window.h"
#include "view_test_store.h"
#include "views/hyperparameter_view.h"
#include "views/qcp.h"

using namespace scns;
using namespace scns::test;

namespace {

std::string config(const char* sampler, int negatives, double lr, int seed)
{
    return QStringLiteral(
               R"({"contrastive": {"sampler": "%1", "negatives": %2}, "optim": {"lr": %3}, "seed": %4, "epochs": 2})")
        .arg(sampler)
        .arg(negatives)
        .arg(lr)
        .arg(seed)
        .toStdString();
}

}  // namespace

class TestHyperparameterView : public QObject {
    Q_OBJECT
    ViewStore m_store;
    QList<qint64> m_ids;  // r = 0..3: final test/top1 = 70 + r (2 epochs)

    static void load(HyperparameterView& view, const QString& db, const QList<qint64>& ids)
    {
        QSignalSpy spy(&view, &HyperparameterView::loaded);
        view.setRuns(db, ids);
        QTRY_COMPARE(spy.count(), 1);
    }

private Q_SLOTS:
    void initTestCase()
    {
        RunStore store(m_store.fsPath());
        m_ids << m_store.addRun(store, "c256", 0, 2, 5, config("class", 256, 0.05, 1), 1);
        m_ids << m_store.addRun(store, "c4096", 1, 2, 5, config("class", 4096, 0.05, 2), 2);
        m_ids << m_store.addRun(store, "u256", 2, 2, 5, config("uniform", 256, 0.1, 3), 3);
        m_ids << m_store.addRun(store, "u4096", 3, 2, 5, config("uniform", 4096, 0.1, 4), 4);
    }

    void axesFromTheSettingsThatDiffer()
    {
        HyperparameterView view;
        load(view, m_store.path(), m_ids);
        QCOMPARE(view.metric(), QStringLiteral("test/top1"));
        QVERIFY(view.metrics().contains(kBestTop1) && view.metrics().contains("train/loss"));
        QStringList keys;
        for (const auto& a : view.axes())
            keys << a.key;
        // Sorted keys that differ, no seed, no epochs (equal), then the metric.
        QCOMPARE(keys, (QStringList{"contrastive.negatives", "contrastive.sampler", "optim.lr", "test/top1"}));
        const ParallelAxis& k = view.axes()[0];
        QVERIFY(k.numeric);
        QCOMPARE(k.min, 256.0);
        QCOMPARE(k.max, 4096.0);
        const ParallelAxis& sampler = view.axes()[1];
        QVERIFY(!sampler.numeric);
        QCOMPARE(sampler.categories, (QStringList{"class", "uniform"}));
        QCOMPARE(view.axes()[3].min, 70.0);
        QCOMPARE(view.axes()[3].max, 73.0);
        // Each run's line passes through its positions.
        QCPGraph* line = view.lineOf(m_ids[2]);  // uniform, 256, lr 0.1, 72 %
        QVERIFY(line);
        QCOMPARE(line->data()->size(), 4);
        QCOMPARE(line->data()->at(0)->value, 0.0);
        QCOMPARE(line->data()->at(1)->value, 1.0);
        QCOMPARE(line->data()->at(2)->value, 1.0);
        QVERIFY(std::abs(line->data()->at(3)->value - 2.0 / 3.0) < 1e-12);
        // The best top-1 is a metric of its own.
        view.setMetric(kBestTop1);
        QCOMPARE(view.axes().back().key, kBestTop1);
        QCOMPARE(view.axes().back().max, 73.0);
    }

    void brushingKeepsTheRunsInsideEveryBrush()
    {
        HyperparameterView view;
        load(view, m_store.path(), m_ids);
        QSignalSpy brushed(&view, &HyperparameterView::runsBrushed);
        view.brushAxis(3, 0.5, 1.0);  // test/top1 in [71.5, 73]
        QCOMPARE(brushed.count(), 1);
        QCOMPARE(brushed.last().at(0).value<QList<qint64>>(), (QList<qint64>{m_ids[2], m_ids[3]}));
        view.brushAxis(0, 0.9, 1.0);  // and K = 4096
        QCOMPARE(view.brushedRunIds(), QList<qint64>{m_ids[3]});
        // Outside lines turn grey and thin; inside ones keep the metric's colour.
        QCOMPARE(view.lineOf(m_ids[0])->pen().color().alpha(), 70);
        QVERIFY(view.lineOf(m_ids[3])->pen().color().alpha() == 255);
        // A category brush: uniform only (position 1) while the top-1 brush is dropped.
        view.brushAxis(3, 0.4, 0.4);
        view.brushAxis(0, 0.0, 0.0);
        view.brushAxis(1, 0.9, 1.0);
        QCOMPARE(view.brushedRunIds(), (QList<qint64>{m_ids[2], m_ids[3]}));
        view.clearBrushes();
        QCOMPARE(view.brushedRunIds().size(), 4);
        QVERIFY(view.brushes().empty());
    }

    void aDragAlongAnAxisBrushesIt()
    {
        HyperparameterView view;
        view.resize(1000, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        load(view, m_store.path(), m_ids);
        QCustomPlot* plot = view.parallelPlot();
        plot->replot();
        QSignalSpy brushed(&view, &HyperparameterView::runsBrushed);
        // From the top of the metric axis down to its middle.
        const QPoint from(qRound(plot->xAxis->coordToPixel(3)), qRound(plot->yAxis->coordToPixel(1.0)));
        const QPoint to(from.x(), qRound(plot->yAxis->coordToPixel(0.5)));
        QTest::mousePress(plot, Qt::LeftButton, {}, from);
        QTest::mouseMove(plot, to);
        QTest::mouseRelease(plot, Qt::LeftButton, {}, to);
        QCOMPARE(brushed.count(), 1);
        QVERIFY(view.brushes().count(3));
        QCOMPARE(view.brushedRunIds(), (QList<qint64>{m_ids[2], m_ids[3]}));
    }

    void aRectangleOverTheScatterSelectsItsRuns()
    {
        HyperparameterView view;
        view.resize(1000, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        load(view, m_store.path(), m_ids);
        view.setScatterSetting("contrastive.negatives");
        QCustomPlot* plot = view.scatterPlot();
        plot->replot();
        double x = 0, y = 0;
        QVERIFY(view.scatterPoint(m_ids[1], x, y));
        QCOMPARE(x, 4096.0);
        QCOMPARE(y, 71.0);
        QSignalSpy brushed(&view, &HyperparameterView::runsBrushed);
        // Around the K = 4096 points with top-1 71 and 73 (u4096): both, not the 256 ones.
        const QPoint a(qRound(plot->xAxis->coordToPixel(3000)), qRound(plot->yAxis->coordToPixel(73.5)));
        const QPoint b(qRound(plot->xAxis->coordToPixel(5000)), qRound(plot->yAxis->coordToPixel(70.5)));
        QTest::mousePress(plot, Qt::LeftButton, {}, a);
        QTest::mouseMove(plot, b);
        QTest::mouseRelease(plot, Qt::LeftButton, {}, b);
        QTRY_COMPARE(brushed.count(), 1);
        QList<qint64> ids = brushed.last().at(0).value<QList<qint64>>();
        std::sort(ids.begin(), ids.end());
        QCOMPARE(ids, (QList<qint64>{m_ids[1], m_ids[3]}));
    }

    void brushedRunsAreSelectedInTheRunTable()
    {
        MainWindow window(m_store.path());
        QTRY_COMPARE(window.browser()->model()->rowCount(), 4);
        HyperparameterView* view = window.views()->hyperparameters();
        QSignalSpy loaded(view, &HyperparameterView::loaded);
        window.views()->showRuns(m_ids);
        QTRY_COMPARE(loaded.count(), 1);
        view->brushAxis(1, 0.0, 0.1);  // the class sampler
        QList<qint64> selected = window.browser()->selectedRunIds();
        std::sort(selected.begin(), selected.end());
        QCOMPARE(selected, (QList<qint64>{m_ids[0], m_ids[1]}));
        QCOMPARE(window.views()->shownRuns(), m_ids);  // the page keeps its runs
    }
};

QTEST_MAIN(TestHyperparameterView)
#include "test_hyperparameter_view.moc"
