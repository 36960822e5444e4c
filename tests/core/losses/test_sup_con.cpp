// SupCon (Khosla et al.): value equals a direct computation, anchors without positives are left
// out, a batch without any positive gives 0 with zero (finite) gradients, finite differences.
#include <QtTest>

#include <cmath>

#include <ATen/ATen.h>

#include "common/errors.h"
#include "grad_check.h"
#include "losses/sup_con.h"
#include "sampling/counter_rng.h"

using namespace scns;
using scns::test::gradCheck;

namespace {

at::Tensor unitRandom(at::IntArrayRef shape, std::uint64_t seed)
{
    const at::Tensor x = at::randn(shape, makeGenerator(seed), at::kDouble);
    return (x / x.norm(2, -1, true)).contiguous();
}

double naiveSupCon(const at::Tensor& f, const std::vector<std::int64_t>& y, double tau)
{
    const std::int64_t B = f.size(0);
    double total = 0;
    int anchors = 0;
    for (std::int64_t i = 0; i < B; ++i) {
        double den = 0;
        for (std::int64_t a = 0; a < B; ++a)
            if (a != i)
                den += std::exp(f[i].dot(f[a]).item<double>() / tau);
        double sum = 0;
        int count = 0;
        for (std::int64_t p = 0; p < B; ++p)
            if (p != i && y[p] == y[i]) {
                sum += f[i].dot(f[p]).item<double>() / tau - std::log(den);
                ++count;
            }
        if (count > 0) {
            total += -sum / count;
            ++anchors;
        }
    }
    return total / anchors;
}

}  // namespace

class TestSupCon : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void equalsTheDirectComputation_data()
    {
        QTest::addColumn<QVector<qint64>>("labels");
        QTest::newRow("all anchors have positives") << QVector<qint64>{0, 1, 0, 1, 2, 2};
        QTest::newRow("two anchors without positives") << QVector<qint64>{0, 1, 0, 3, 2, 2};
    }
    void equalsTheDirectComputation()
    {
        QFETCH(QVector<qint64>, labels);
        const std::vector<std::int64_t> y(labels.begin(), labels.end());
        const at::Tensor f = unitRandom({6, 4}, 1);
        const double want = naiveSupCon(f, y, 0.1);
        const double got = supConLoss(f, at::tensor(y, at::kLong), 0.1).item<double>();
        QVERIFY2(std::abs(got - want) < 1e-10 * std::max(1.0, want), qPrintable(QString("%1 vs %2").arg(got).arg(want)));
    }

    void gradientsMatchFiniteDifferences()
    {
        at::Tensor f = unitRandom({6, 4}, 2).requires_grad_();
        const at::Tensor y = at::tensor({0, 1, 0, 3, 2, 2}, at::kLong);
        const QString problem = gradCheck([&] { return supConLoss(f, y, 0.3); }, {f});
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void anchorWithoutPositivesGivesFiniteLossAndGradients()
    {
        at::Tensor f = unitRandom({4, 3}, 3).to(at::kFloat).requires_grad_();
        const at::Tensor loss = supConLoss(f, at::tensor({0, 0, 1, 2}, at::kLong), 0.07);
        loss.backward();
        QVERIFY(std::isfinite(loss.item<double>()));
        QVERIFY(at::isfinite(f.grad()).all().item<bool>());
        QVERIFY(f.grad().abs().sum().item<double>() > 0);
    }

    void noPositivesAtAllGivesZero()
    {
        at::Tensor f = unitRandom({4, 3}, 4).to(at::kFloat).requires_grad_();
        const at::Tensor loss = supConLoss(f, at::tensor({0, 1, 2, 3}, at::kLong), 0.07);
        loss.backward();
        QCOMPARE(loss.item<double>(), 0.0);
        QVERIFY(f.grad().defined());
        QCOMPARE(f.grad().abs().sum().item<double>(), 0.0);
    }

    void badTemperatureIsAConfigError()
    {
        try {
            supConLoss(unitRandom({4, 3}, 4), at::tensor({0, 0, 1, 1}, at::kLong), 0.0);
            QFAIL("no ConfigError");
        } catch (const ConfigError& e) {
            QCOMPARE(e.problems().front().field, std::string("contrastive.tau"));
        }
    }
};

QTEST_GUILESS_MAIN(TestSupCon)
#include "test_sup_con.moc"
