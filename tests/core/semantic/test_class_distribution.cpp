// Per-class sampling distributions from S: top-k of the other classes, softmax or uniform.
#include <QTest>

#include <algorithm>
#include <cmath>
#include <numeric>

#include <ATen/ATen.h>

#include "common/errors.h"
#include "semantic/class_distribution.h"

using namespace scns;

namespace {

// A random symmetric S with a unit diagonal and distinct off-diagonal values (no ties).
at::Tensor randomS(std::int64_t c, std::uint64_t seed)
{
    at::manual_seed(seed);
    at::Tensor a = at::rand({c, c}, at::kDouble);
    at::Tensor s = (a + a.t()) / 2;
    s.fill_diagonal_(1.0);
    return s.to(at::kFloat);
}

}  // namespace

class TestClassDistribution : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rowsFollowTheFormula_data()
    {
        QTest::addColumn<int>("classes");
        QTest::addColumn<int>("k");
        QTest::addColumn<double>("tau");
        QTest::addColumn<bool>("uniform");
        QTest::newRow("C10 k3 softmax") << 10 << 3 << 0.1 << false;
        QTest::newRow("C10 k9 softmax") << 10 << 9 << 0.5 << false;
        QTest::newRow("C10 k1") << 10 << 1 << 0.1 << false;
        QTest::newRow("C100 k5 uniform") << 100 << 5 << 0.1 << true;
        QTest::newRow("C2 k1 uniform") << 2 << 1 << 1.0 << true;
        QTest::newRow("C100 k20 tau2") << 100 << 20 << 2.0 << false;
    }
    void rowsFollowTheFormula()
    {
        QFETCH(int, classes);
        QFETCH(int, k);
        QFETCH(double, tau);
        QFETCH(bool, uniform);
        const at::Tensor s = randomS(classes, 7 + classes + k);
        const at::Tensor p = classSamplingDistribution(s, k, tau, uniform);
        QCOMPARE(p.scalar_type(), at::kFloat);
        QCOMPARE(p.sizes().vec(), (std::vector<std::int64_t>{classes, classes}));
        auto sa = s.accessor<float, 2>();
        auto pa = p.accessor<float, 2>();
        for (int c = 0; c < classes; ++c) {
            QCOMPARE(pa[c][c], 0.0f);
            // The k most similar other classes, straight from S.
            std::vector<int> others;
            for (int j = 0; j < classes; ++j)
                if (j != c)
                    others.push_back(j);
            std::sort(others.begin(), others.end(), [&](int a, int b) { return sa[c][a] > sa[c][b]; });
            others.resize(k);
            double z = 0, sum = 0;
            for (int j : others)
                z += std::exp(sa[c][j] / tau);
            int nonZero = 0;
            for (int j = 0; j < classes; ++j) {
                const bool kept = std::find(others.begin(), others.end(), j) != others.end();
                const double expected = !kept ? 0.0 : uniform ? 1.0 / k : std::exp(sa[c][j] / tau) / z;
                QVERIFY2(std::abs(pa[c][j] - expected) < 1e-6,
                         qPrintable(QString("row %1 col %2: %3 vs %4").arg(c).arg(j).arg(pa[c][j]).arg(expected)));
                nonZero += pa[c][j] != 0.0f;
                sum += pa[c][j];
            }
            QCOMPARE(nonZero, k);
            QVERIFY(std::abs(sum - 1.0) < 1e-5);
        }
    }

    void badKOrTau_data()
    {
        QTest::addColumn<int>("k");
        QTest::addColumn<double>("tau");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::newRow("k = C") << 10 << 0.1 << "contrastive.class.k" << "10";
        QTest::newRow("k > C") << 11 << 0.1 << "contrastive.class.k" << "11";
        QTest::newRow("k = 0") << 0 << 0.1 << "contrastive.class.k" << "0";
        QTest::newRow("k < 0") << -2 << 0.1 << "contrastive.class.k" << "-2";
        QTest::newRow("tau 0") << 3 << 0.0 << "contrastive.class.tau" << "0.000000";
        QTest::newRow("tau < 0") << 3 << -1.0 << "contrastive.class.tau" << "-1.000000";
        QTest::newRow("tau nan") << 3 << std::nan("") << "contrastive.class.tau" << "nan";
    }
    void badKOrTau()
    {
        QFETCH(int, k);
        QFETCH(double, tau);
        QFETCH(QString, field);
        QFETCH(QString, value);
        try {
            classSamplingDistribution(randomS(10, 1), k, tau, false);
            QFAIL("no exception");
        } catch (const ConfigError& e) {
            QCOMPARE(int(e.problems().size()), 1);
            QCOMPARE(QString::fromStdString(e.problems()[0].field), field);
            QCOMPARE(QString::fromStdString(e.problems()[0].value), value);
            if (field.endsWith(".k"))
                QVERIFY2(QString(e.what()).contains("[1, 9]"), e.what());
        }
    }

    void badMatrix()
    {
        QVERIFY_THROWS_EXCEPTION(DataError, classSamplingDistribution(at::ones({3, 4}), 1, 0.1, false));
        QVERIFY_THROWS_EXCEPTION(DataError, classSamplingDistribution(at::ones({1, 1}), 1, 0.1, false));
        at::Tensor s = randomS(4, 2);
        s[1][2] = std::nanf("");
        QVERIFY_THROWS_EXCEPTION(DataError, classSamplingDistribution(s, 2, 0.1, false));
    }
};

QTEST_GUILESS_MAIN(TestClassDistribution)
#include "test_class_distribution.moc"
