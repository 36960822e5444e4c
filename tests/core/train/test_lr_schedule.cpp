// LrSchedule: each kind against its closed form.
#include <QtTest>

#include <cmath>
#include <numbers>

#include "train/lr_schedule.h"

using namespace scns;

class TestLrSchedule : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void constant()
    {
        OptimConfig o;
        o.lr = 0.2;
        ScheduleConfig s;
        s.kind = ScheduleKind::Constant;
        LrSchedule lr(o, s, 5, 10);
        QCOMPARE(lr.at(0), 0.2);
        QCOMPARE(lr.at(49), 0.2);
    }

    void multistep()
    {
        OptimConfig o;
        o.lr = 0.05;
        ScheduleConfig s;
        s.kind = ScheduleKind::Multistep;
        s.milestones = {150, 180, 210};
        s.gamma = 0.1;
        LrSchedule lr(o, s, 240, 100);
        QCOMPARE(lr.at(149 * 100 + 99), 0.05);
        QVERIFY(std::abs(lr.at(150 * 100) - 0.005) < 1e-12);
        QVERIFY(std::abs(lr.at(180 * 100) - 0.0005) < 1e-12);
        QVERIFY(std::abs(lr.at(239 * 100) - 0.00005) < 1e-12);
    }

    void cosineWithWarmup()
    {
        OptimConfig o;
        o.lr = 0.1;
        ScheduleConfig s;
        s.kind = ScheduleKind::Cosine;
        s.warmupEpochs = 1;
        s.minLr = 0.001;
        LrSchedule lr(o, s, 5, 10);
        QVERIFY(std::abs(lr.at(0) - 0.01) < 1e-12);   // (0 + 1) / 10 of the peak
        QVERIFY(std::abs(lr.at(9) - 0.1) < 1e-12);    // end of warm-up
        QVERIFY(std::abs(lr.at(10) - 0.1) < 1e-12);   // cosine starts at the peak
        const double mid = 0.001 + (0.1 - 0.001) * 0.5 * (1 + std::cos(std::numbers::pi * 0.5));
        QVERIFY(std::abs(lr.at(30) - mid) < 1e-12);
        QVERIFY(lr.at(49) < 0.0012);
        for (int i = 11; i < 50; ++i)
            QVERIFY(lr.at(i) <= lr.at(i - 1));
    }

    void onecycleWarmsUpFromAFraction()
    {
        OptimConfig o;
        o.lr = 0.1;
        ScheduleConfig s;
        s.kind = ScheduleKind::OneCycle;
        LrSchedule lr(o, s, 10, 10);  // warm-up: 30% of 100 steps
        QVERIFY(lr.at(0) > 0.1 / 25 && lr.at(0) < 0.1 / 10);
        QVERIFY(std::abs(lr.at(29) - 0.1) < 1e-12);
        QVERIFY(lr.at(99) < 0.001);
    }

    // A fractional number of warm-up steps (here 0.122 epochs x 10 batches = 1.22 steps) once
    // made step 1 read (1 + 1) / 1.22 of the peak: lr 0.328 for a peak of 0.2. The warm-up must
    // never pass the peak and must not fall back before it ends.
    void fractionalWarmupNeverOvershoots_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<double>("warmupEpochs");
        QTest::newRow("cosine 1.22 steps") << "cosine" << 0.122;
        QTest::newRow("constant 1.22 steps") << "constant" << 0.122;
        QTest::newRow("multistep 1.22 steps") << "multistep" << 0.122;
        QTest::newRow("onecycle 1.22 steps") << "onecycle" << 0.122;
        QTest::newRow("cosine 0.5 steps") << "cosine" << 0.05;
        QTest::newRow("cosine 7.5 steps") << "cosine" << 0.75;
    }
    void fractionalWarmupNeverOvershoots()
    {
        QFETCH(QString, kind);
        QFETCH(double, warmupEpochs);
        OptimConfig o;
        o.lr = 0.2;
        ScheduleConfig s;
        s.kind = *parseChoice<ScheduleKind>(kind.toStdString());
        s.warmupEpochs = warmupEpochs;
        s.milestones = {3};
        LrSchedule lr(o, s, 5, 10);
        const auto warmupSteps = static_cast<int>(std::ceil(warmupEpochs * 10));
        for (int i = 0; i < 50; ++i)
            QVERIFY2(lr.at(i) <= 0.2 + 1e-12, qPrintable(QStringLiteral("step %1: lr %2 > peak 0.2").arg(i).arg(lr.at(i))));
        for (int i = 1; i < warmupSteps; ++i)
            QVERIFY2(lr.at(i) >= lr.at(i - 1), qPrintable(QStringLiteral("warm-up falls at step %1").arg(i)));
        // The last warm-up step reaches the peak.
        QVERIFY(std::abs(lr.at(warmupSteps - 1) - 0.2) < 1e-12);
    }
};

QTEST_GUILESS_MAIN(TestLrSchedule)
#include "test_lr_schedule.moc"
