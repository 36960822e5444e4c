// Negative samplers: each empirical distribution matches its definition (chi-square at
// p = 0.001, 200k draws, fixed seeds) and a deliberately wrong hypothesis fails the same test;
// uniform never returns the anchor's class; the epsilon share; reproducibility.
#include <QtTest>

#include <memory>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "chi_square.h"
#include "sampler_fixtures.h"
#include "common/errors.h"
#include "sampling/class_sampler.h"
#include "sampling/counter_rng.h"
#include "sampling/epsilon_sampler.h"
#include "sampling/instance_sampler.h"
#include "sampling/uniform_sampler.h"

using namespace scns;
using namespace scns::test;

namespace {

// Per-sample probabilities for an anchor of class y.
std::vector<double> uniformExpected(std::int64_t y)
{
    std::vector<double> p(kN, 0.0);
    for (std::int64_t i = 0; i < kN; ++i)
        if (kLabels[i] != y)
            p[i] = 1.0 / static_cast<double>(kN - kCounts[y]);
    return p;
}

std::vector<double> classExpected(std::int64_t y)
{
    const at::Tensor d = classDistribution();
    std::vector<double> p(kN, 0.0);
    for (std::int64_t i = 0; i < kN; ++i)
        p[i] = d[y][kLabels[i]].item<double>() / static_cast<double>(kCounts[kLabels[i]]);
    return p;
}

std::vector<double> countsOf(const at::Tensor& indices, std::int64_t cells)
{
    std::vector<double> h(cells, 0.0);
    const at::Tensor flat = indices.reshape({-1}).contiguous();
    const std::int64_t* p = flat.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < flat.numel(); ++i)
        h[p[i]] += 1;
    return h;
}

// 8 anchors of class y, 25000 draws each: 200k draws.
at::Tensor anchorsOfClass(std::int64_t y)
{
    std::vector<std::int64_t> a;
    for (std::int64_t i = 0; static_cast<std::int64_t>(a.size()) < 8; i = (i + 1) % kN)
        if (kLabels[i] == y)
            a.push_back(i);
    return at::tensor(a, at::kLong);
}

}  // namespace

class TestSamplers : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void uniformMatchesItsDistribution_data()
    {
        QTest::addColumn<qint64>("anchorClass");
        for (qint64 y = 0; y < kC; ++y)
            QTest::addRow("class %lld", static_cast<long long>(y)) << y;
    }
    void uniformMatchesItsDistribution()
    {
        QFETCH(qint64, anchorClass);
        UniformSampler sampler(labels(), kC, makeGenerator(11 + anchorClass));
        const SampledNegatives s = sampler.sample(anchorsOfClass(anchorClass), 25000);
        QCOMPARE(s.indices.sizes(), (at::IntArrayRef{8, 25000}));
        QVERIFY(!s.fromTopK.any().item<bool>());
        const auto h = countsOf(s.indices, kN);
        for (std::int64_t i = 0; i < kN; ++i)
            if (kLabels[i] == anchorClass)
                QCOMPARE(h[i], 0.0);  // never the anchor's class
        const auto fit = chiSquare(h, uniformExpected(anchorClass));
        QCOMPARE(fit.df, kN - kCounts[anchorClass] - 1);
        QVERIFY2(fit.passes(), qPrintable(QString("chi2 %1 >= %2").arg(fit.statistic).arg(fit.critical)));
        // The same counts tested against the class sampler's distribution: rejected by far.
        const auto wrong = chiSquare(h, classExpected(anchorClass));
        QVERIFY2(wrong.statistic > 20 * wrong.critical, qPrintable(QString::number(wrong.statistic)));
    }

    void uniformExcludesEachRowsOwnClass()
    {
        UniformSampler sampler(labels(), kC, makeGenerator(5));
        const at::Tensor anchors = at::arange(kN, at::kLong);
        const SampledNegatives s = sampler.sample(anchors, 2000);
        const at::Tensor negClass = labels().index({s.indices});
        QVERIFY(!negClass.eq(labels().unsqueeze(1)).any().item<bool>());
    }

    void classMatchesItsDistribution_data()
    {
        QTest::addColumn<qint64>("anchorClass");
        for (qint64 y = 0; y < kC; ++y)
            QTest::addRow("class %lld", static_cast<long long>(y)) << y;
    }
    void classMatchesItsDistribution()
    {
        QFETCH(qint64, anchorClass);
        ClassSampler sampler(labels(), kC, classDistribution(), makeGenerator(21 + anchorClass));
        const SampledNegatives s = sampler.sample(anchorsOfClass(anchorClass), 25000);
        QVERIFY(s.fromTopK.all().item<bool>());
        const auto h = countsOf(s.indices, kN);
        const auto fit = chiSquare(h, classExpected(anchorClass));
        QVERIFY(fit.df >= 4);
        QVERIFY2(fit.passes(), qPrintable(QString("chi2 %1 >= %2").arg(fit.statistic).arg(fit.critical)));
        const auto wrong = chiSquare(h, uniformExpected(anchorClass));
        QVERIFY2(wrong.statistic > 20 * wrong.critical, qPrintable(QString::number(wrong.statistic)));
    }

    void classSamplerConditionsEachRowOnItsAnchor()
    {
        // Anchors of class 2 draw class 3 with probability 0.8, anchors of class 0 with 0.1.
        ClassSampler sampler(labels(), kC, classDistribution(), makeGenerator(3));
        const SampledNegatives s = sampler.sample(at::tensor({5, 2}, at::kLong), 20000);  // classes 2, 0
        const at::Tensor cls = labels().index({s.indices});
        const double share2 = cls[0].eq(3).to(at::kDouble).mean().item<double>();
        const double share0 = cls[1].eq(3).to(at::kDouble).mean().item<double>();
        QVERIFY2(std::abs(share2 - 0.8) < 0.02, qPrintable(QString::number(share2)));
        QVERIFY2(std::abs(share0 - 0.1) < 0.02, qPrintable(QString::number(share0)));
    }

    void instanceMatchesItsWeighting_data()
    {
        QTest::addColumn<bool>("softmax");
        QTest::addColumn<double>("tau");
        QTest::newRow("uniform") << false << 1.0;
        QTest::newRow("softmax tau 0.2") << true << 0.2;
        QTest::newRow("softmax tau 1") << true << 1.0;
    }
    void instanceMatchesItsWeighting()
    {
        QFETCH(bool, softmax);
        QFETCH(double, tau);
        const auto weighting = softmax ? InstanceWeighting::Softmax : InstanceWeighting::Uniform;
        InstanceSampler sampler(labels(), kC, topkIndices(), topkSimilarities(), weighting, tau, makeGenerator(31));
        const std::int64_t anchor = 6;
        const SampledNegatives s = sampler.sample(at::full({8}, anchor, at::kLong), 25000);  // K = 25000 > k = 5
        QVERIFY(s.fromTopK.all().item<bool>());
        // Column of each draw in row `anchor` of the table.
        std::vector<double> perColumn(5, 0.0);
        const auto h = countsOf(s.indices, kN);
        for (std::int64_t j = 0; j < 5; ++j)
            perColumn[j] = h[(anchor + 1 + 3 * j) % kN];
        double total = 0;
        for (double v : perColumn)
            total += v;
        QCOMPARE(total, 200000.0);  // nothing outside the row
        std::vector<double> expected(5), uniform(5, 0.2);
        double z = 0;
        for (std::int64_t j = 0; j < 5; ++j)
            z += expected[j] = softmax ? std::exp((0.9 - 0.2 * j) / tau) : 1.0;
        for (double& e : expected)
            e /= z;
        const at::Tensor probs = sampler.probabilities()[anchor];
        for (std::int64_t j = 0; j < 5; ++j)
            QVERIFY(std::abs(probs[j].item<double>() - expected[j]) < 1e-6);
        const auto fit = chiSquare(perColumn, expected);
        QCOMPARE(fit.df, std::int64_t(4));
        QVERIFY2(fit.passes(), qPrintable(QString("chi2 %1 >= %2").arg(fit.statistic).arg(fit.critical)));
        // The other weighting as hypothesis: rejected (softmax at tau 1 is the mildest: weights
        // 0.30 .. 0.13).
        std::vector<double> other(5);
        double zo = 0;
        for (std::int64_t j = 0; j < 5; ++j)
            zo += other[j] = softmax ? 1.0 : std::exp((0.9 - 0.2 * j) / 0.2);
        for (double& e : other)
            e /= zo;
        const auto wrong = chiSquare(perColumn, other);
        QVERIFY2(wrong.statistic > 20 * wrong.critical, qPrintable(QString::number(wrong.statistic)));
    }

    void epsilonMixesUniformDrawsAtItsShare()
    {
        const double eps = 0.3;
        const std::int64_t y = 2;
        auto inner = std::make_shared<ClassSampler>(labels(), kC, classDistribution(), makeGenerator(41));
        auto uniform = std::make_shared<UniformSampler>(labels(), kC, makeGenerator(42));
        EpsilonSampler sampler(inner, eps, uniform, makeGenerator(43));
        const SampledNegatives s = sampler.sample(anchorsOfClass(y), 25000);
        const double n = 200000;
        const double share = 1.0 - s.fromTopK.to(at::kDouble).mean().item<double>();
        const double sigma = std::sqrt(eps * (1 - eps) / n);
        QVERIFY2(std::abs(share - eps) < 5 * sigma, qPrintable(QString::number(share)));
        // All draws: the mixture; the uniform share alone: the uniform distribution.
        const auto all = countsOf(s.indices, kN);
        std::vector<double> mixture(kN);
        const auto u = uniformExpected(y), c = classExpected(y);
        for (std::int64_t i = 0; i < kN; ++i)
            mixture[i] = eps * u[i] + (1 - eps) * c[i];
        const auto fit = chiSquare(all, mixture);
        QVERIFY2(fit.passes(), qPrintable(QString("chi2 %1 >= %2").arg(fit.statistic).arg(fit.critical)));
        const auto uniformPart = countsOf(s.indices.masked_select(s.fromTopK.logical_not()), kN);
        const auto fitU = chiSquare(uniformPart, u);
        QVERIFY2(fitU.passes(), qPrintable(QString("chi2 %1 >= %2").arg(fitU.statistic).arg(fitU.critical)));
        const auto wrong = chiSquare(all, c);  // as if epsilon were 0
        QVERIFY2(wrong.statistic > 20 * wrong.critical, qPrintable(QString::number(wrong.statistic)));
    }

    void epsilonZeroAndOneAreTheTwoSamplers()
    {
        auto inner = std::make_shared<ClassSampler>(labels(), kC, classDistribution(), makeGenerator(1));
        auto uniform = std::make_shared<UniformSampler>(labels(), kC, makeGenerator(2));
        const at::Tensor anchors = at::arange(kN, at::kLong);
        QVERIFY(EpsilonSampler(inner, 0.0, uniform, makeGenerator(3)).sample(anchors, 64).fromTopK.all().item<bool>());
        QVERIFY(!EpsilonSampler(inner, 1.0, uniform, makeGenerator(3)).sample(anchors, 64).fromTopK.any().item<bool>());
    }

    void drawsDependOnlyOnSeedAndCallOrder()
    {
        // 512 anchors x 4096: 2M draws, split over threads (samplerGrain: about 2^20 draws a chunk).
        const at::Tensor anchors = at::arange(kN, at::kLong).repeat({32});
        const int threads = at::get_num_threads();
        auto draw = [&](std::uint64_t seed, int nThreads) {
            at::set_num_threads(nThreads);
            auto inner = std::make_shared<InstanceSampler>(labels(), kC, topkIndices(), topkSimilarities(),
                                                           InstanceWeighting::Softmax, 0.5, makeGenerator(seed));
            auto uniform = std::make_shared<UniformSampler>(labels(), kC, makeGenerator(seed + 1));
            EpsilonSampler sampler(inner, 0.2, uniform, makeGenerator(seed + 2));
            ClassSampler cls(labels(), kC, classDistribution(), makeGenerator(seed + 3));
            std::vector<at::Tensor> out;
            for (int call = 0; call < 2; ++call) {
                out.push_back(sampler.sample(anchors, 4096).indices);
                out.push_back(cls.sample(anchors, 4096).indices);
            }
            return out;
        };
        const auto a = draw(7, 1), b = draw(7, 2), c = draw(8, 2);
        at::set_num_threads(threads);
        for (std::size_t i = 0; i < a.size(); ++i)
            QVERIFY(at::equal(a[i], b[i]));  // thread count does not matter
        QVERIFY(!at::equal(a[0], a[2]));     // the next call draws anew
        QVERIFY(!at::equal(a[0], c[0]));     // another seed, other draws
    }
};

QTEST_GUILESS_MAIN(TestSamplers)
#include "test_samplers.moc"
