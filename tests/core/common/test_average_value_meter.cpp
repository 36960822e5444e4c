// AverageValueMeter: the running mean the sampler statistics are kept in. The mean must be
// exactly total / count in the order the totals came, as the sums it replaced were.
#include <QtTest>

#include "common/average_value_meter.h"

using namespace scns;

class TestAverageValueMeter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void emptyIsZero()
    {
        const AverageValueMeter m;
        QCOMPARE(m.value(), 0.0);
        QCOMPARE(m.count(), std::int64_t(0));
    }

    void totalsOverCounts()
    {
        AverageValueMeter m;
        m.add(3.0, 4);    // a batch of 4 whose values sum to 3
        m.add(1.5, 2);
        QCOMPARE(m.count(), std::int64_t(6));
        QCOMPARE(m.sum(), 4.5);
        QCOMPARE(m.value(), 0.75);
    }

    void sameBitsAsThePlainSum()
    {
        // The order of additions is kept: the result is the plain left-to-right sum / count.
        const double totals[] = {0.1, 0.7, 1e-17, 0.2, -0.3};
        AverageValueMeter m;
        double sum = 0;
        for (double t : totals) {
            m.add(t, 3);
            sum += t;
        }
        const double expected = sum / 15.0;
        QVERIFY(m.value() == expected);
    }

    void oneAtATimeIsTheMean()
    {
        AverageValueMeter m;
        m.add(2.0);
        m.add(4.0);
        QCOMPARE(m.value(), 3.0);
    }

    void resetStartsOver()
    {
        AverageValueMeter m;
        m.add(5.0, 5);
        m.reset();
        QCOMPARE(m.value(), 0.0);
        QCOMPARE(m.count(), std::int64_t(0));
        m.add(1.0, 2);
        QCOMPARE(m.value(), 0.5);
    }
};

QTEST_GUILESS_MAIN(TestAverageValueMeter)
#include "test_average_value_meter.moc"
