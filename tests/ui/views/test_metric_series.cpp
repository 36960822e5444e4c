// Metric rows to series: epoch-wise detection, the epoch axis for step-wise rows, EMA smoothing.
#include <QTest>
#include <cmath>
#include <limits>

#include "views/metric_series.h"
#include "views/run_curves.h"

using namespace scns;

class TestMetricSeries : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void epochWise()
    {
        QVERIFY(isEpochWise({{1, 10, "test/top1", 1}, {2, 20, "test/top1", 2}}));
        QVERIFY(!isEpochWise({{1, 1, "train/loss", 1}, {1, 2, "train/loss", 2}}));
        QVERIFY(isEpochWise({}));
    }

    void stepAxis()
    {
        const auto s = toSeries({{1, 1, "l", 5}, {1, 2, "l", 6}, {2, 3, "l", 7}}, CurveAxis::Step);
        QCOMPARE(s.x, (QVector<double>{1, 2, 3}));
        QCOMPARE(s.y, (QVector<double>{5, 6, 7}));
    }

    void epochAxisSpreadsStepRows()
    {
        // Epoch 1 has 2 steps, epoch 2 has 4: x = e - 1 + i / n.
        std::vector<MetricRow> rows = {{1, 1, "l", 1}, {1, 2, "l", 2}, {2, 3, "l", 3},
                                       {2, 4, "l", 4}, {2, 5, "l", 5}, {2, 6, "l", 6}};
        const auto s = toSeries(rows, CurveAxis::Epoch);
        QCOMPARE(s.x, (QVector<double>{0.5, 1.0, 1.25, 1.5, 1.75, 2.0}));
        const auto e = toSeries({{1, 2, "t", 9}, {2, 6, "t", 8}}, CurveAxis::Epoch);
        QCOMPARE(e.x, (QVector<double>{1, 2}));
    }

    void timeAxes()
    {
        MetricRow a{1, 1, "l", 5}, b{1, 2, "l", 6}, c{2, 3, "l", 7};
        a.wallTime = 1000.0;
        c.wallTime = 1010.5;  // b has none: left out on time axes
        const auto wall = toSeries({a, b, c}, CurveAxis::WallTime, 990.0);
        QCOMPARE(wall.x, (QVector<double>{1000.0, 1010.5}));  // the origin applies to relative time only
        QCOMPARE(wall.y, (QVector<double>{5, 7}));
        const auto relative = toSeries({a, b, c}, CurveAxis::RelativeTime, 990.0);
        QCOMPARE(relative.x, (QVector<double>{10.0, 20.5}));
        QVERIFY(isTimeAxis(CurveAxis::RelativeTime) && !isTimeAxis(CurveAxis::Epoch));
        // Live rows set a run's relative-time origin: the earliest time seen.
        RunCurves run;
        QVERIFY(std::isnan(run.firstWallTime));
        run.append({b});
        QVERIFY(std::isnan(run.firstWallTime));
        run.append({c, a});
        QCOMPARE(run.firstWallTime, 1000.0);
    }

    void emaMatchesDebiasedFormula()
    {
        const QVector<double> y = {1, 3, 2, 8};
        const double w = 0.6;
        const auto s = emaSmooth(y, w);
        // By hand: s1 = 1; s2 = (0.6*0.4*1 + 0.4*3) / (1 - 0.36) = (0.24 + 1.2) / 0.64.
        QCOMPARE(s[0], 1.0);
        QVERIFY(std::abs(s[1] - 1.44 / 0.64) < 1e-12);
        double avg = 0;
        for (int i = 0; i < y.size(); ++i) {
            avg = w * avg + (1 - w) * y[i];
            QVERIFY(std::abs(s[i] - avg / (1 - std::pow(w, i + 1))) < 1e-12);
        }
        QCOMPARE(emaSmooth(y, 0), y);
    }

    void emaSkipsNonFinite()
    {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const auto s = emaSmooth({2, nan, 2}, 0.5);
        QVERIFY(std::isnan(s[1]));
        QCOMPARE(s[2], 2.0);
    }

    // Mean and band at the x values all members share, against a hand computation:
    // members (1, 3, 8) at x = 2: mean 4, sample sd sqrt(((-3)^2 + (-1)^2 + 4^2) / 2) = sqrt(13);
    // the 95% CI half-width t(0.975, 2) sd / sqrt(3) with t(0.975, 2) = 4.302653.
    void seedBandAgainstAHandComputation()
    {
        const XYSeries a{{1, 2, 3}, {10, 1, 5}}, b{{2, 3}, {3, 7}}, c{{2, 3, 4}, {8, 9, 0}};
        const BandSeries sd = seedBand({a, b, c}, BandKind::Sd);
        QCOMPARE(sd.members, 3);
        QCOMPARE(sd.x, (QVector<double>{2, 3}));  // x = 1 and 4 are not in every member
        QCOMPARE(sd.mean[0], 4.0);
        QVERIFY(std::abs(sd.upper[0] - (4 + std::sqrt(13.0))) < 1e-12);
        QVERIFY(std::abs(sd.lower[0] - (4 - std::sqrt(13.0))) < 1e-12);
        QCOMPARE(sd.mean[1], 7.0);  // (5 + 7 + 9) / 3, sd 2
        QVERIFY(std::abs(sd.upper[1] - 9.0) < 1e-12);
        const BandSeries ci = seedBand({a, b, c}, BandKind::Ci95);
        QVERIFY(std::abs(ci.upper[0] - (4 + 4.302653 * std::sqrt(13.0) / std::sqrt(3.0))) < 1e-5);
        QVERIFY(std::abs(studentT975(1) - 12.706205) < 1e-5);
        QVERIFY(std::abs(studentT975(1e6) - 1.959966) < 1e-4);
        // One member: the band has no width.
        const BandSeries one = seedBand({a}, BandKind::Ci95);
        QCOMPARE(one.x.size(), 3);
        QCOMPARE(one.upper, one.mean);
    }

    void appendReplacesResumedSteps()
    {
        RunCurves rc;
        rc.append({{1, 1, "l", 1}, {1, 2, "l", 2}, {1, 3, "l", 3}});
        const auto changed = rc.append({{1, 2, "l", 20}});
        QCOMPARE(changed, QStringList{"l"});
        QCOMPARE(rc.series["l"].size(), std::size_t{2});
        QCOMPARE(rc.series["l"].back().value, 20.0);
    }
};

QTEST_GUILESS_MAIN(TestMetricSeries)
#include "test_metric_series.moc"
