// CurvesView: loads runs from a generated store off the GUI thread, plots the chosen metrics
// with the stored values, smoothing, epoch axis, log axis, hover text, live appends (also
// during a load and after a resume) and PNG/PDF export.
#include <QCheckBox>
#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QToolTip>
#include <cmath>

#include "view_test_store.h"
#include "views/curves_view.h"
#include "views/export.h"
#include "views/plot_style.h"
#include "views/qcp.h"

using namespace scns;
using namespace scns::test;

class TestCurvesView : public QObject {
    Q_OBJECT
    ViewStore m_store;
    std::int64_t m_a = 0, m_b = 0;

    static void load(CurvesView& view, const QString& db, const QList<qint64>& ids)
    {
        QSignalSpy spy(&view, &CurvesView::loaded);
        view.setRuns(db, ids);
        QVERIFY(view.isLoading());
        QTRY_COMPARE(spy.count(), 1);
        QVERIFY(!view.isLoading());
    }

    // On screen, raw curves, runs a and b loaded and drawn (for hover tests).
    void showBothRuns(CurvesView& view)
    {
        view.setSmoothing(0);  // the stored values as they are (the default smooths)
        view.resize(900, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        load(view, m_store.path(), {m_a, m_b});
        view.plot()->replot();
    }

private Q_SLOTS:
    void initTestCase()
    {
        RunStore store(m_store.fsPath());
        m_a = m_store.addRun(store, "alpha", 0, 2, 10);
        m_b = m_store.addRun(store, "beta", 1, 3, 10);
    }

    void loadsAndPlotsDefaultMetric()
    {
        CurvesView view;
        view.setSmoothing(0);  // the stored values as they are (the default smooths)
        load(view, m_store.path(), {m_a, m_b});
        QCOMPARE(view.availableMetrics(), (QStringList{"test/top1", "train/loss", "train/lr", "train/top1"}));
        QCOMPARE(view.selectedMetrics(), QStringList{"test/top1"});
        QCPGraph* ga = view.graphFor(m_a, "test/top1");
        QCPGraph* gb = view.graphFor(m_b, "test/top1");
        QVERIFY(ga && gb);
        QCOMPARE(ga->data()->size(), 2);
        QCOMPARE(gb->data()->size(), 3);
        QCOMPARE(gb->data()->at(2)->value, top1At(1, 3));
        QCOMPARE(gb->data()->at(2)->key, 30.0);  // the step at the end of epoch 3
        QCOMPARE(ga->name(), QString("alpha"));
        QCOMPARE(view.plot()->legend->itemCount(), 2);
    }

    void selectedMetricValuesAndAxis()
    {
        CurvesView view;
        view.setSmoothing(0);  // the stored values as they are (the default smooths)
        view.setSelectedMetrics({"train/loss", "test/top1"});
        load(view, m_store.path(), {m_a});
        QCPGraph* g = view.graphFor(m_a, "train/loss");
        QVERIFY(g);
        QCOMPARE(g->data()->size(), 20);
        for (int i = 0; i < 20; ++i) {
            QCOMPARE(g->data()->at(i)->key, double(i + 1));
            QCOMPARE(g->data()->at(i)->value, lossAt(0, i + 1));
        }
        QCOMPARE(g->name(), QString("alpha · train/loss"));
        view.setAxis(CurveAxis::Epoch);
        g = view.graphFor(m_a, "train/loss");
        QCOMPARE(g->data()->at(0)->key, 0.1);
        QCOMPARE(g->data()->at(19)->key, 2.0);
        QCOMPARE(view.graphFor(m_a, "test/top1")->data()->at(1)->key, 2.0);
    }

    void tickedMetricLoadsLater()
    {
        CurvesView view;
        view.setSmoothing(0);  // the stored values as they are (the default smooths)
        load(view, m_store.path(), {m_a, m_b});
        // Only the shown series were read.
        QVERIFY(!view.graphFor(m_a, "train/lr"));
        QSignalSpy fetched(&view, &CurvesView::seriesLoaded);
        view.setSelectedMetrics({"test/top1", "train/lr"});
        QTRY_COMPARE(fetched.count(), 1);
        QCOMPARE(view.graphFor(m_a, "train/lr")->data()->size(), 20);
        QCOMPARE(view.graphFor(m_b, "train/lr")->data()->size(), 30);
        QCOMPARE(view.graphFor(m_b, "train/lr")->data()->at(29)->value, 0.1);
        QCOMPARE(view.plot()->graphCount(), 4);
    }

    void metricTickedWhileLoadingIsRead()
    {
        CurvesView view;
        view.setSmoothing(0);  // the stored values as they are (the default smooths)
        QSignalSpy spy(&view, &CurvesView::loaded), fetched(&view, &CurvesView::seriesLoaded);
        view.setRuns(m_store.path(), {m_a});
        view.setSelectedMetrics({"train/top1"});  // before the load delivered
        QTRY_COMPARE(spy.count(), 1);
        QTRY_VERIFY(view.graphFor(m_a, "train/top1") && view.graphFor(m_a, "train/top1")->data()->size() == 2);
        QCOMPARE(view.graphFor(m_a, "train/top1")->data()->at(1)->value, top1At(0, 2) + 5);
    }

    void smoothingAndLogAxis()
    {
        CurvesView view;
        view.setSelectedMetrics({"train/loss"});
        load(view, m_store.path(), {m_a});
        // A new view smooths per-step curves by TensorBoard's default, the raw curve faint behind.
        QCOMPARE(view.smoothing(), CurvesView::kDefaultSmoothing);
        QCOMPARE(view.plot()->graphCount(), 2);
        view.setSmoothing(0.8);
        QCOMPARE(view.smoothing(), 0.8);
        QCPGraph* g = view.graphFor(m_a, "train/loss");
        double avg = 0;
        for (int i = 0; i < 20; ++i) {
            avg = 0.8 * avg + 0.2 * lossAt(0, i + 1);
            QVERIFY(std::abs(g->data()->at(i)->value - avg / (1 - std::pow(0.8, i + 1))) < 1e-9);
        }
        // The raw curve stays as a faint graph outside the legend.
        QCOMPARE(view.plot()->graphCount(), 2);
        QCOMPARE(view.plot()->legend->itemCount(), 1);
        view.setLogY(true);
        QCOMPARE(view.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        view.setSmoothing(0);
        QCOMPARE(view.plot()->graphCount(), 1);
        QCOMPARE(view.graphFor(m_a, "train/loss")->data()->at(3)->value, lossAt(0, 4));
    }

    void perEpochMetricsOfOneRunHaveTheirOwnMarkers()
    {
        CurvesView view;
        view.setSmoothing(0);  // the stored values as they are (the default smooths)
        load(view, m_store.path(), {m_a});
        view.setSelectedMetrics({"test/top1", "train/top1"});  // both recorded once per epoch
        // A metric ticked after the load is read then (the view fetches what it lacks).
        QTRY_VERIFY(view.graphFor(m_a, "train/top1") && !view.graphFor(m_a, "train/top1")->data()->isEmpty());
        QCPGraph* test = view.graphFor(m_a, "test/top1");
        QCPGraph* train = view.graphFor(m_a, "train/top1");
        QVERIFY(test && train);
        QVERIFY(test->scatterStyle().shape() != QCPScatterStyle::ssNone);
        QVERIFY(train->scatterStyle().shape() != QCPScatterStyle::ssNone);
        QVERIFY(test->scatterStyle().shape() != train->scatterStyle().shape());
        QVERIFY(test->pen().style() != train->pen().style());
        // A per-step metric gets no markers.
        view.setSelectedMetrics({"train/loss"});
        QCOMPARE(view.graphFor(m_a, "train/loss")->scatterStyle().shape(), QCPScatterStyle::ssNone);
    }

    void axisTitlesWithUnitsAndLegendBesideTheData()
    {
        CurvesView view;
        showBothRuns(view);
        view.setSelectedMetrics({"test/top1"});
        QCOMPARE(view.plot()->yAxis->label(), QStringLiteral("test/top1 (%)"));
        view.setSelectedMetrics({"test/top1", "train/top1"});
        QCOMPARE(view.plot()->yAxis->label(), QStringLiteral("test/top1, train/top1 (%)"));
        view.setSelectedMetrics({"train/loss", "test/top1"});  // no shared unit: two y axes, in the list's order
        QCOMPARE(view.plot()->yAxis->label(), QStringLiteral("test/top1 (%)"));
        QCOMPARE(view.plot()->yAxis2->label(), QStringLiteral("train/loss"));
        QCOMPARE(view.plot()->xAxis->label(), QStringLiteral("step"));
        QCOMPARE(metricUnit(QStringLiteral("time/epoch_seconds")), QStringLiteral("s"));
        QCOMPARE(metricUnit(QStringLiteral("train/lr")), QString());
        // The legend sits in its own column, outside the axis rect: it never hides data.
        view.plot()->replot();
        QVERIFY(view.plot()->legend->layout() != view.plot()->axisRect()->insetLayout());
        QVERIFY(view.plot()->legend->itemCount() > 0);
        QVERIFY(!view.plot()->legend->outerRect().intersects(view.plot()->axisRect()->rect()));
        QVERIFY(view.plot()->legend->outerRect().left() >= view.plot()->axisRect()->rect().right());
    }

    void aLossBesideAnAccuracyGetsTheRightAxis()
    {
        CurvesView view;
        showBothRuns(view);
        QSignalSpy fetched(&view, &CurvesView::seriesLoaded);
        view.setSelectedMetrics({"test/top1", "train/loss", "train/lr"});
        QTRY_COMPARE(fetched.count(), 1);  // the losses and rates are read when ticked
        QCPAxis* left = view.plot()->yAxis;
        QCPAxis* right = view.plot()->yAxis2;
        for (const qint64 run : {m_a, m_b}) {
            QCOMPARE(view.graphFor(run, "test/top1")->valueAxis(), left);
            QCOMPARE(view.graphFor(run, "train/loss")->valueAxis(), right);
            QCOMPARE(view.graphFor(run, "train/lr")->valueAxis(), right);  // unitless, as the loss
        }
        QVERIFY(right->visible());
        QCOMPARE(right->label(), QStringLiteral("train/loss, train/lr"));
        // Each axis spans its own curves: the losses are not flattened under 0-100.
        double lossMin = 1e9, lossMax = -1e9, topMin = 1e9, topMax = -1e9;
        for (int step = 1; step <= 30; ++step) {
            for (int run = 0; run < 2; ++run) {
                if (run == 0 && step > 20)
                    continue;
                lossMin = std::min({lossMin, lossAt(run, step), 0.1});
                lossMax = std::max(lossMax, lossAt(run, step));
            }
        }
        for (int e = 1; e <= 3; ++e) {
            topMin = std::min({topMin, top1At(1, e), e <= 2 ? top1At(0, e) : 1e9});
            topMax = std::max({topMax, top1At(1, e), e <= 2 ? top1At(0, e) : -1e9});
        }
        QVERIFY(right->range().lower <= lossMin && right->range().upper >= lossMax);
        QVERIFY2(
            right->range().upper < lossMax * 1.5,
            qPrintable(QStringLiteral("%1 %2 %3").arg(right->range().lower).arg(right->range().upper).arg(lossMax)));
        QVERIFY(left->range().lower <= topMin && left->range().upper >= topMax);
        QVERIFY(left->range().lower > lossMax);  // the accuracy axis does not reach down to the losses
        // Unticking the accuracy brings the losses to the left axis and hides the right one.
        view.setSelectedMetrics({"train/loss"});
        QCOMPARE(view.graphFor(m_a, "train/loss")->valueAxis(), left);
        QVERIFY(!right->visible());
        QCOMPARE(left->label(), QStringLiteral("train/loss"));
        // Seed-group curves follow the same split.
        view.setSelectedMetrics({"test/top1", "train/loss"});
        view.setSeedGroups(true);
        QVERIFY(view.groupGraphs(0, "train/loss").mean);
        QCOMPARE(view.groupGraphs(0, "train/loss").mean->valueAxis(), right);
        QCOMPARE(view.groupGraphs(0, "test/top1").mean->valueAxis(), left);
    }

    void logAxisTicksAreLabelled()
    {
        CurvesView view;
        showBothRuns(view);
        view.setSelectedMetrics({"train/loss"});
        view.setLogY(true);
        view.plot()->replot();
        const QCPRange range = view.plot()->yAxis->range();
        QVERIFY2(range.upper / range.lower < 100, "the fixture's losses span less than two decades");
        const QVector<double> ticks = view.plot()->yAxis->tickVector();
        const QVector<QString> labels = view.plot()->yAxis->tickVectorLabels();
        QVERIFY2(
            ticks.size() >= 3,
            qPrintable(QStringLiteral("%1 ticks over [%2, %3]").arg(ticks.size()).arg(range.lower).arg(range.upper)));
        for (int i = 0; i < ticks.size(); ++i) {
            QVERIFY(range.contains(ticks[i]));
            QVERIFY(!labels[i].isEmpty());
            QCOMPARE(labels[i].toDouble(), ticks[i]);
        }
        // Wide ranges keep the powers of ten.
        view.plot()->yAxis->setRange(1e-4, 10);
        view.plot()->replot();
        for (double t : view.plot()->yAxis->tickVector())
            QCOMPARE(std::round(std::log10(t)), std::log10(t));
        QVERIFY(view.plot()->yAxis->tickVector().size() >= 3);
        // A range inside one decade still has several labelled ticks.
        view.plot()->yAxis->setRange(0.31, 0.36);
        view.plot()->replot();
        QVERIFY(view.plot()->yAxis->tickVector().size() >= 3);
        view.setLogY(false);
        QCOMPARE(view.plot()->yAxis->scaleType(), QCPAxis::stLinear);
    }

    void removingTheHoveredCurveLeavesNoStaleTracer()
    {
        // The tracer followed a curve that a metric change then removed: its dangling graph
        // pointer made QCustomPlot log "graph not contained in QCustomPlot instance" on every
        // replot after that, or "graph has no data" when a new graph reused the address.
        CurvesView view;
        showBothRuns(view);
        QCPGraph* g = view.graphFor(m_b, "test/top1");
        QVERIFY(view.hoverText(g->coordsToPixels(20, top1At(1, 2))).contains("beta"));
        static QStringList messages;
        messages.clear();
        const QtMessageHandler previous =
            qInstallMessageHandler([](QtMsgType, const QMessageLogContext&, const QString& text) { messages << text; });
        view.setSelectedMetrics({"train/lr"});  // every graph that could be hovered is removed
        view.plot()->replot();
        view.plot()->replot(QCustomPlot::rpImmediateRefresh);
        qInstallMessageHandler(previous);
        QVERIFY2(messages.filter(QStringLiteral("QCPItemTracer")).isEmpty(), qPrintable(messages.join('\n')));
        QVERIFY(view.graphFor(m_b, "test/top1") == nullptr);
    }

    void hoverShowsNearestPoint()
    {
        CurvesView view;
        showBothRuns(view);
        QCPGraph* g = view.graphFor(m_b, "test/top1");
        const QPointF at = g->coordsToPixels(20, top1At(1, 2));
        const QString text = view.hoverText(at + QPointF(3, -2));
        QVERIFY2(text.contains("beta"), qPrintable(text));
        QVERIFY2(text.contains(QString::number(top1At(1, 2))), qPrintable(text));
        QVERIFY(text.contains("step 20"));
        // The same through the mouse: the tooltip says it.
        QTest::mouseMove(view.plot(), (at + QPointF(3, -2)).toPoint());
        QTRY_VERIFY2(QToolTip::text().contains("beta"), qPrintable(QToolTip::text()));
        QVERIFY(view.hoverText(QPointF(-500, -500)).isEmpty());
        // A hidden curve (legend click) is not hovered.
        view.setCurveVisible(m_b, "test/top1", false);
        QVERIFY(!g->visible());
        QVERIFY(!view.hoverText(at + QPointF(3, -2)).contains("beta"));
        view.setCurveVisible(m_b, "test/top1", true);
        QVERIFY(view.hoverText(at + QPointF(3, -2)).contains("beta"));
        // Clicking beta's legend entry hides its curve; clicking again shows it.
        auto* entry = view.plot()->legend->itemWithPlottable(g);
        QVERIFY(entry);
        const QPoint centre = entry->outerRect().center();
        QTest::mouseClick(view.plot(), Qt::LeftButton, {}, centre);
        QTRY_VERIFY(!g->visible());
        QTest::mouseClick(view.plot(), Qt::LeftButton, {}, centre);
        QTRY_VERIFY(g->visible());
    }

    void liveAppendsAreBatched()
    {
        CurvesView view;
        view.setSmoothing(0);  // the stored values as they are (the default smooths)
        view.setSelectedMetrics({"train/loss"});
        load(view, m_store.path(), {m_a});
        QSignalSpy live(&view, &CurvesView::liveUpdated);
        for (int s = 21; s <= 25; ++s)
            view.appendMetrics(m_a, {{3, s, "train/loss", lossAt(0, s)}});
        view.appendMetrics(m_b, {{1, 99, "train/loss", 1.0}});  // not shown here: ignored
        QTRY_COMPARE(live.count(), 1);
        QCOMPARE(view.graphFor(m_a, "train/loss")->data()->size(), 25);
        // The running run's curve moved to the live layer, redrawn on its own.
        QCOMPARE(view.graphFor(m_a, "train/loss")->layer()->name(), QString("live"));
        QCOMPARE(view.graphFor(m_a, "train/loss")->layer()->mode(), QCPLayer::lmBuffered);
        QCOMPARE(view.graphFor(m_a, "train/loss")->data()->at(24)->value, lossAt(0, 25));
        // A resumed run records steps 21.. again: the old ones are replaced.
        view.appendMetrics(m_a, {{3, 21, "train/loss", 7.0}});
        QTRY_COMPARE(live.count(), 2);
        QCOMPARE(view.graphFor(m_a, "train/loss")->data()->size(), 21);
        QCOMPARE(view.graphFor(m_a, "train/loss")->data()->at(20)->value, 7.0);
        // A metric the run did not have yet appears in the list.
        view.appendMetrics(m_a, {{3, 21, "train/kd_loss", 0.5}});
        QTRY_VERIFY(view.availableMetrics().contains("train/kd_loss"));
    }

    // A run just launched: nothing in the store yet, the user's remembered choice is the test
    // accuracy, which only comes at the end of epoch 1. Its loss shows from the first row, the
    // view fitted to it; the accuracy takes over when it arrives.
    void newRunShowsFromItsFirstPoint()
    {
        std::int64_t fresh = 0;
        {
            RunStore store(m_store.fsPath());
            fresh = store.createRun("fresh", "{}", 1);
        }
        CurvesView view;
        view.setSmoothing(0);
        view.setSelectedMetrics({"test/top1"});
        load(view, m_store.path(), {fresh});
        QCOMPARE(view.plot()->graphCount(), 0);
        QSignalSpy live(&view, &CurvesView::liveUpdated);
        view.appendMetrics(fresh, {{1, 1, "train/loss", 2.5}, {1, 1, "train/lr", 0.1}});
        QTRY_COMPARE(live.count(), 1);
        QVERIFY(view.showsStandIn());
        QCOMPARE(view.selectedMetrics(), QStringList{"train/loss"});
        QCOMPARE(view.wantedMetrics(), QStringList{"test/top1"});  // what is remembered stays
        QCPGraph* loss = view.graphFor(fresh, "train/loss");
        QVERIFY(loss);
        QCOMPARE(loss->data()->size(), 1);
        QVERIFY(view.plot()->xAxis->range().contains(1.0));
        QVERIFY(view.plot()->yAxis->range().contains(2.5));
        view.appendMetrics(fresh, {{1, 2, "train/loss", 2.0}});
        QTRY_COMPARE(live.count(), 2);
        QCOMPARE(view.graphFor(fresh, "train/loss")->data()->size(), 2);
        QVERIFY(view.plot()->yAxis->range().contains(2.0) && view.plot()->xAxis->range().contains(2.0));
        // The contrastive and sampler metrics appear in the list as the run records them.
        view.appendMetrics(fresh, {{1, 2, "train/contrastive_loss", 1.2}, {1, 2, "sampler/same_class_share", 0.0}});
        QTRY_VERIFY(view.availableMetrics().contains("sampler/same_class_share"));
        QVERIFY(view.availableMetrics().contains("train/contrastive_loss"));
        // End of epoch 1: the wanted accuracy replaces the stand-in.
        view.appendMetrics(fresh, {{1, 2, "test/top1", 61.0}});
        QTRY_VERIFY(view.graphFor(fresh, "test/top1"));
        QVERIFY(!view.showsStandIn());
        QCOMPARE(view.selectedMetrics(), QStringList{"test/top1"});
        QVERIFY(!view.graphFor(fresh, "train/loss"));
        QVERIFY(view.plot()->yAxis->range().contains(61.0));
    }

    // A metric ticked while its run trains shows what the store has from step 1, then the
    // rows that came live after it.
    void metricTickedMidRunShowsStoredPointsFromStepOne()
    {
        CurvesView view;
        view.setSmoothing(0);
        view.setSelectedMetrics({"test/top1"});
        load(view, m_store.path(), {m_a});  // 20 steps stored
        QSignalSpy live(&view, &CurvesView::liveUpdated);
        view.appendMetrics(m_a, {{3, 21, "train/lr", 0.05}, {3, 22, "train/lr", 0.05}});
        QTRY_COMPARE(live.count(), 1);
        QSignalSpy fetched(&view, &CurvesView::seriesLoaded);
        view.setSelectedMetrics({"test/top1", "train/lr"});
        QTRY_COMPARE(fetched.count(), 1);
        QCPGraph* lr = view.graphFor(m_a, "train/lr");
        QCOMPARE(lr->data()->size(), 22);
        QCOMPARE(lr->data()->at(0)->key, 1.0);
        QCOMPARE(lr->data()->at(19)->value, 0.1);
        QCOMPARE(lr->data()->at(21)->key, 22.0);
        QCOMPARE(lr->data()->at(21)->value, 0.05);
    }

    // What the live feed does not carry (per-step contrastive loss, sampler statistics) is read
    // from the store at an epoch's end: new metrics join the list, ticked ones are drawn.
    void storedMetricsOfARunningRunAppearAtEpochEnd()
    {
        std::int64_t gamma = 0;
        {
            RunStore store(m_store.fsPath());
            gamma = m_store.addRun(store, "gamma", 2, 2, 10);
        }
        CurvesView view;
        view.setSmoothing(0);
        view.setSelectedMetrics({"test/top1", "train/contrastive_loss"});
        load(view, m_store.path(), {gamma});
        QVERIFY(!view.availableMetrics().contains("train/contrastive_loss"));
        {
            // Epoch 3 as the trainer stores it at the epoch's end.
            RunStore store(m_store.fsPath());
            std::vector<MetricRow> rows;
            for (std::int64_t step = 21; step <= 30; ++step)
                rows.push_back({3, step, "train/contrastive_loss", 4.0 - 0.1 * double(step - 21)});
            rows.push_back({3, 30, "sampler/same_class_share", 0.02});
            rows.push_back({3, 30, "test/top1", 80.0});
            store.appendMetrics(gamma, rows);
        }
        QSignalSpy synced(&view, &CurvesView::syncedFromStore);
        view.syncRunFromStore(gamma);
        QTRY_COMPARE(synced.count(), 1);
        QCOMPARE(synced.at(0).at(0).toLongLong(), gamma);
        QVERIFY(view.availableMetrics().contains("sampler/same_class_share"));
        QCPGraph* con = view.graphFor(gamma, "train/contrastive_loss");
        QVERIFY(con);
        QCOMPARE(con->data()->size(), 10);
        QCOMPARE(con->data()->at(0)->key, 21.0);
        QCOMPARE(con->data()->at(9)->value, 4.0 - 0.9);
        QCOMPARE(view.graphFor(gamma, "test/top1")->data()->size(), 3);
        // A run not shown is left alone.
        view.syncRunFromStore(m_b);
        QTest::qWait(50);
        QCOMPARE(synced.count(), 1);
    }

    // Wall time and relative time: rows at their recorded times; relative time from the run's
    // first row, so runs started hours apart line up; runs stored without times are named.
    void wallAndRelativeTimeAxes()
    {
        std::int64_t timed = 0;
        const double t0 = 1.75e9;  // 2025-06-15
        {
            RunStore store(m_store.fsPath());
            timed = store.createRun("timed", "{}", 1);
            std::vector<MetricRow> rows;
            for (std::int64_t step = 1; step <= 10; ++step) {
                MetricRow r{1 + (step - 1) / 5, step, "train/loss", 3.0 - 0.1 * double(step)};
                r.wallTime = t0 + 30.0 * double(step);  // a step every 30 s from t0 + 30
                rows.push_back(r);
            }
            store.appendMetrics(timed, rows);
        }
        CurvesView view;
        view.setSmoothing(0);
        view.setSelectedMetrics({"train/loss"});
        load(view, m_store.path(), {timed, m_a});  // m_a's rows have no times
        auto* combo = view.findChild<QComboBox*>("xAxis");
        QVERIFY(combo);
        QCOMPARE(combo->count(), 4);
        combo->setCurrentIndex(2);
        QCOMPARE(view.axis(), CurveAxis::WallTime);
        QCPGraph* g = view.graphFor(timed, "train/loss");
        QCOMPARE(g->data()->size(), 10);
        QCOMPARE(g->data()->at(0)->key, t0 + 30.0);
        QCOMPARE(g->data()->at(9)->key, t0 + 300.0);
        QVERIFY(qSharedPointerDynamicCast<QCPAxisTickerDateTime>(view.plot()->xAxis->ticker()));
        QVERIFY(view.plot()->xAxis->range().contains(t0 + 30.0) && view.plot()->xAxis->range().contains(t0 + 300.0));
        QCOMPARE(view.graphFor(m_a, "train/loss")->data()->size(), 0);
        bool named = false;
        for (const QLabel* label : view.findChildren<QLabel*>())
            named = named || (label->isVisibleTo(&view) && label->text().contains("No wall times for alpha"));
        QVERIFY(named);
        // Seed groups need steps or epochs.
        QCheckBox* groups = view.findChild<QCheckBox*>("seedGroups");
        QVERIFY(groups && !groups->isEnabled());
        view.setAxis(CurveAxis::RelativeTime);
        QCOMPARE(combo->currentIndex(), 3);
        g = view.graphFor(timed, "train/loss");
        QCOMPARE(g->data()->at(0)->key, 0.0);
        QCOMPARE(g->data()->at(9)->key, 270.0);
        QVERIFY(qSharedPointerDynamicCast<QCPAxisTickerTime>(view.plot()->xAxis->ticker()));
        QVERIFY(view.plot()->xAxis->label().contains("h:mm:ss"));
        // Hover names the time.
        view.resize(900, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.plot()->replot();
        const QString text = view.hoverText(g->coordsToPixels(120.0, g->data()->at(4)->value));
        QVERIFY2(text.contains("after 0:02:00"), qPrintable(text));
        // Back on steps: every run again, no note, seed groups possible.
        view.setAxis(CurveAxis::Step);
        QCOMPARE(view.graphFor(m_a, "train/loss")->data()->size(), 20);
        QVERIFY(groups->isEnabled());
        for (const QLabel* label : view.findChildren<QLabel*>())
            QVERIFY(!(label->isVisibleTo(&view) && label->text().contains("No wall times")));
    }

    void fitStaysBoundedWithASinglePoint()
    {
        // One epoch: test/top1 is a single point. Live updates re-fit the view each time; the
        // span must stay the data's, not grow with every fit.
        RunStore store(m_store.fsPath());
        const auto id = m_store.addRun(store, "single", 0, 1, 5);
        CurvesView view;
        view.setSmoothing(0);  // the stored values as they are (the default smooths)
        view.setSelectedMetrics({"test/top1"});
        load(view, m_store.path(), {id});
        for (int i = 0; i < 100; ++i) {
            view.appendMetrics(id, {{2, 6 + i, "train/loss", 1.0}});
            view.flushPending();
        }
        QVERIFY2(view.plot()->xAxis->range().size() <= 2.0,
                 qPrintable(QString::number(view.plot()->xAxis->range().size())));
        QVERIFY(view.plot()->xAxis->range().contains(5));
        QVERIFY(view.plot()->yAxis->range().contains(top1At(0, 1)));
        QVERIFY(view.plot()->yAxis->range().size() <= 2 * 0.05 * top1At(0, 1) + 1e-9);
    }

    void liveRowsDuringLoadAreMerged()
    {
        CurvesView view;
        view.setSmoothing(0);  // the stored values as they are (the default smooths)
        view.setSelectedMetrics({"train/loss"});
        QSignalSpy spy(&view, &CurvesView::loaded);
        view.setRuns(m_store.path(), {m_a});
        // Step 20 is in the store already; 21 is new.
        view.appendMetrics(m_a, {{2, 20, "train/loss", lossAt(0, 20)}, {3, 21, "train/loss", 0.3}});
        QTRY_COMPARE(spy.count(), 1);
        QCOMPARE(view.graphFor(m_a, "train/loss")->data()->size(), 21);
        QCOMPARE(view.graphFor(m_a, "train/loss")->data()->at(20)->value, 0.3);
    }

    void reloadShowsRowsAddedSince()
    {
        RunStore store(m_store.fsPath());
        const auto id = m_store.addRun(store, "growing", 3, 1, 5);
        CurvesView view;
        view.setSmoothing(0);  // the stored values as they are (the default smooths)
        view.setSelectedMetrics({"train/loss"});
        load(view, m_store.path(), {id});
        QCOMPARE(view.graphFor(id, "train/loss")->data()->size(), 5);
        store.appendMetrics(id, {{2, 6, "train/loss", 0.25}, {2, 7, "train/loss", 0.2}});
        load(view, m_store.path(), {id});  // the same run again: its curve has the new rows
        QCOMPARE(view.graphFor(id, "train/loss")->data()->size(), 7);
        QCOMPARE(view.graphFor(id, "train/loss")->data()->at(6)->value, 0.2);
    }

    void runsSharingANameShowTheirIds()
    {
        std::int64_t twin = 0;
        {
            RunStore store(m_store.fsPath());
            twin = m_store.addRun(store, "alpha", 2, 1, 4);
        }
        CurvesView view;
        view.setSmoothing(0);  // the stored values as they are (the default smooths)
        load(view, m_store.path(), {m_a, twin, m_b});
        QCOMPARE(view.graphFor(m_a, "test/top1")->name(), QString("alpha (#%1)").arg(m_a));
        QCOMPARE(view.graphFor(twin, "test/top1")->name(), QString("alpha (#%1)").arg(twin));
        QCOMPARE(view.graphFor(m_b, "test/top1")->name(), QString("beta"));
    }

    void unknownRunReportsButShowsOthers()
    {
        CurvesView view;
        view.setSmoothing(0);  // the stored values as they are (the default smooths)
        load(view, m_store.path(), {m_a, 4242});
        QVERIFY(view.graphFor(m_a, "test/top1"));
        QCOMPARE(view.plot()->graphCount(), 1);
    }

    // Seed groups through the widget: four runs, two settings x two seeds, drawn as two mean
    // curves with bands whose values are the hand-computed mean and sd (and 95% CI) of the
    // groups' test/top1 (top1At: 50 + 10 e + r).
    void seedGroupsDrawMeanAndBand()
    {
        ViewStore groups;
        QList<qint64> ids;
        {
            RunStore store(groups.fsPath());
            const std::string cls = R"({"seed": 1, "contrastive": {"sampler": "class"}})";
            const std::string uni = R"({"seed": 1, "contrastive": {"sampler": "uniform"}})";
            ids << groups.addRun(store, "class-s1", 0, 3, 4, cls, 1);
            ids << groups.addRun(store, "uniform-s1", 4, 3, 4, uni, 1);
            ids << groups.addRun(store, "class-s2", 2, 3, 4, R"({"seed": 2, "contrastive": {"sampler": "class"}})", 2);
            ids << groups.addRun(store, "uniform-s2", 5, 3, 4, R"({"seed": 2, "contrastive": {"sampler": "uniform"}})",
                                 2);
        }
        CurvesView view;
        view.setSmoothing(0);
        load(view, groups.path(), ids);
        QCOMPARE(view.plot()->graphCount(), 4);  // one curve per run
        auto* check = view.findChild<QCheckBox*>(QStringLiteral("seedGroups"));
        QVERIFY(check);
        check->setChecked(true);
        QVERIFY(view.seedGroups());
        QCOMPARE(view.groupLabels(),
                 (QStringList{"contrastive.sampler=class (n = 2)", "contrastive.sampler=uniform (n = 2)"}));
        QCOMPARE(view.plot()->graphCount(), 6);  // per group: mean, lower and upper edge
        QVERIFY(view.graphFor(ids[0], "test/top1") == nullptr);
        const CurvesView::GroupGraphs cls = view.groupGraphs(0, "test/top1"), uni = view.groupGraphs(1, "test/top1");
        QVERIFY(cls.mean && cls.lower && cls.upper && uni.mean);
        QCOMPARE(cls.mean->data()->size(), 3);
        for (int e = 1; e <= 3; ++e) {
            const auto at = [e](QCPGraph* g) { return (g->data()->constBegin() + (e - 1))->value; };
            // class: r = 0 and 2 -> mean 51 + 10 e, sd sqrt(2); uniform: r = 4 and 5 -> 54.5 + 10 e, sd sqrt(0.5).
            QVERIFY(std::abs(at(cls.mean) - (51 + 10 * e)) < 1e-9);
            QVERIFY(std::abs(at(cls.upper) - (51 + 10 * e + std::sqrt(2.0))) < 1e-9);
            QVERIFY(std::abs(at(cls.lower) - (51 + 10 * e - std::sqrt(2.0))) < 1e-9);
            QVERIFY(std::abs(at(uni.mean) - (54.5 + 10 * e)) < 1e-9);
            QVERIFY(std::abs(at(uni.upper) - (54.5 + 10 * e + std::sqrt(0.5))) < 1e-9);
        }
        QVERIFY(cls.upper->channelFillGraph() == cls.lower);  // the band is filled between its edges
        QVERIFY(cls.mean->pen().color() != uni.mean->pen().color());  // coloured by setting
        // 95% CI of two runs: t(0.975, 1) sd / sqrt(2) = 12.7062 sd / sqrt(2).
        view.setBandKind(BandKind::Ci95);
        const CurvesView::GroupGraphs ci = view.groupGraphs(0, "test/top1");
        QVERIFY(std::abs(ci.upper->data()->constBegin()->value - (61 + 12.706205 * std::sqrt(2.0) / std::sqrt(2.0)))
                < 1e-4);
        // The legend names the groups, not the runs.
        QCOMPARE(ci.mean->name(), QStringLiteral("contrastive.sampler=class (n = 2)"));
        // A legend that would take a third of a narrow figure goes below the data, and back.
        QVERIFY(fitLegend(*view.plot(), 200));
        QVERIFY(view.plot()->legend->layout() == view.plot()->plotLayout());
        QVERIFY(!fitLegend(*view.plot(), 5000));
        QVERIFY(view.plot()->legend->layout() != view.plot()->plotLayout());
        // Off again: the runs' own curves come back.
        check->setChecked(false);
        QCOMPARE(view.plot()->graphCount(), 4);
        QVERIFY(view.graphFor(ids[0], "test/top1"));
        QVERIFY(view.groupLabels().isEmpty());
    }

    // A dark palette (a dark desktop theme) gives a dark plot: background, axes, labels and
    // legend in the palette's colours, also when the theme changes while the view is open.
    void plotsFollowThePalette()
    {
        CurvesView view;
        load(view, m_store.path(), {m_a, m_b});
        QPalette dark;
        dark.setColor(QPalette::Base, QColor(30, 30, 34));
        dark.setColor(QPalette::Text, QColor(230, 230, 230));
        dark.setColor(QPalette::Mid, QColor(90, 90, 90));
        view.plot()->setPalette(dark);  // QEvent::PaletteChange
        QCOMPARE(view.plot()->axisRect()->backgroundBrush().color(), QColor(30, 30, 34));
        QCOMPARE(view.plot()->xAxis->tickLabelColor(), QColor(230, 230, 230));
        QCOMPARE(view.plot()->yAxis->labelColor(), QColor(230, 230, 230));
        QCOMPARE(view.plot()->legend->textColor(), QColor(230, 230, 230));
        // What is drawn is dark: a corner pixel of the rendered plot is the background colour.
        const QImage image = view.plot()->toPixmap(400, 300).toImage();
        QCOMPARE(QColor(image.pixel(2, 2)), QColor(30, 30, 34));
    }

    void exportsPngAndPdf()
    {
        CurvesView view;
        view.setSmoothing(0);  // the stored values as they are (the default smooths)
        view.resize(800, 500);
        load(view, m_store.path(), {m_a, m_b});
        QTemporaryDir out;
        const QString png = out.filePath("curves.png"), pdf = out.filePath("curves.pdf");
        QCOMPARE(savePlot(*view.plot(), png, 640, 400), QString());
        QCOMPARE(savePlot(*view.plot(), pdf, 640, 400), QString());
        QImage image(png);
        QCOMPARE(image.width(), 1280);  // twice the pixel density
        QFile f(pdf);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.read(5).startsWith("%PDF"));
        QVERIFY(!savePlot(*view.plot(), out.filePath("curves.bmp")).isEmpty());

        // Size and aspect chosen at export: a paper column at 3x density gives 756 x 561 pixels
        // (252 x 187 points), drawn at that layout (not the on-screen 800 x 500 scaled).
        PlotExportDialog dialog(QSize(800, 500), true);
        QCOMPARE(dialog.figureSize(), QSize(800, 500));  // as shown, by default
        QCOMPARE(dialog.scale(), 2.0);
        dialog.presets()->setCurrentIndex(1);
        QCOMPARE(dialog.figureSize(), QSize(252, 187));
        QVERIFY(!dialog.widthBox()->isEnabled());
        dialog.scaleBox()->setCurrentIndex(2);
        QCOMPARE(savePlot(*view.plot(), png, dialog.figureSize().width(), dialog.figureSize().height(), dialog.scale()),
                 QString());
        QImage column(png);
        QCOMPARE(column.size(), QSize(756, 561));
        // Custom: the boxes open; a PDF has no pixel density to choose.
        dialog.presets()->setCurrentIndex(dialog.presets()->count() - 1);
        QVERIFY(dialog.widthBox()->isEnabled());
        dialog.widthBox()->setValue(400);
        dialog.heightBox()->setValue(400);
        QCOMPARE(dialog.figureSize(), QSize(400, 400));
        QVERIFY(!PlotExportDialog(QSize(800, 500), false).scaleBox()->isEnabled());
    }
};

QTEST_MAIN(TestCurvesView)
#include "test_curves_view.moc"
