// Latent Mixup: outputs are unit vectors on the great-circle arc between their two sources,
// lambdas follow Beta(alpha, alpha) (folded and capped in anchor mode), sources are valid and
// uniform, nothing carries a gradient.
#include <QtTest>

#include <cmath>
#include <numbers>

#include <ATen/ATen.h>

#include "chi_square.h"
#include "common/errors.h"
#include "sampling/counter_rng.h"
#include "sampling/mixup.h"

using namespace scns;
using scns::test::chiSquare;

namespace {

at::Tensor unitRandom(at::IntArrayRef shape, std::uint64_t seed)
{
    const at::Tensor x = at::randn(shape, makeGenerator(seed), at::kDouble);
    return x / x.norm(2, -1, true);
}

// Bins of [0, 1) (or [0, 1/2) when half) with probability mass cdf(hi) - cdf(lo).
template <typename Cdf>
std::pair<std::vector<double>, std::vector<double>> binned(const at::Tensor& lambdas, int bins, double top, Cdf cdf)
{
    std::vector<double> observed(bins, 0.0), expected(bins);
    const at::Tensor flat = lambdas.reshape({-1}).contiguous();
    const double* p = flat.data_ptr<double>();
    for (std::int64_t i = 0; i < flat.numel(); ++i)
        observed[std::min(bins - 1, static_cast<int>(p[i] / top * bins))] += 1;
    for (int b = 0; b < bins; ++b)
        expected[b] = cdf(top * (b + 1) / bins) - cdf(top * b / bins);
    return {observed, expected};
}

double arcsineCdf(double x) { return 2.0 / std::numbers::pi * std::asin(std::sqrt(x)); }

}  // namespace

class TestMixup : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void outputsLieOnTheArcBetweenTheirSources_data()
    {
        QTest::addColumn<bool>("pairs");
        QTest::newRow("pairs") << true;
        QTest::newRow("anchor") << false;
    }
    void outputsLieOnTheArcBetweenTheirSources()
    {
        QFETCH(bool, pairs);
        const std::int64_t B = 4, K = 6, d = 5, P = 50;
        const at::Tensor anchors = unitRandom({B, d}, 1).requires_grad_();
        const at::Tensor negatives = unitRandom({B, K, d}, 2).requires_grad_();
        LatentMixup mixup(MixupOptions().count(P).alpha(0.7).mode(pairs ? MixupMode::Pairs : MixupMode::Anchor),
                          makeGenerator(3));
        const PseudoNegatives out = mixup.generate(anchors, negatives);
        QCOMPARE(out.embeddings.sizes(), (at::IntArrayRef{B, P, d}));
        QVERIFY(!out.embeddings.requires_grad());
        QVERIFY((out.embeddings.norm(2, 2) - 1).abs().max().item<double>() < 1e-9);
        for (std::int64_t b = 0; b < B; ++b)
            for (std::int64_t p = 0; p < P; ++p) {
                const std::int64_t ia = out.sourceA[b][p].item<std::int64_t>(), ib = out.sourceB[b][p].item<std::int64_t>();
                const double lambda = out.lambdas[b][p].item<double>();
                QVERIFY(ib >= 0 && ib < K);
                if (pairs) {
                    QVERIFY(ia >= 0 && ia < K && ia != ib);
                    QVERIFY(lambda >= 0 && lambda <= 1);
                } else {
                    QCOMPARE(ia, std::int64_t(-1));
                    QVERIFY(lambda >= 0 && lambda <= LatentMixup::kAnchorShareCap);
                }
                const at::Tensor a = (ia < 0 ? anchors[b] : negatives[b][ia]).detach();
                const at::Tensor v = negatives[b][ib].detach();
                const at::Tensor n = out.embeddings[b][p];
                // n = x a + y v with x, y >= 0 (least squares on the 2 x 2 normal equations).
                const double aa = a.dot(a).item<double>(), av = a.dot(v).item<double>(), vv = v.dot(v).item<double>();
                const double an = a.dot(n).item<double>(), vn = v.dot(n).item<double>();
                const double det = aa * vv - av * av;
                const double x = (an * vv - vn * av) / det, y = (vn * aa - an * av) / det;
                QVERIFY2(x >= -1e-9 && y >= -1e-9, qPrintable(QString("%1 %2").arg(x).arg(y)));
                QVERIFY((n - (a * x + v * y)).norm().item<double>() < 1e-9);  // in the span
                QVERIFY(std::abs(x / (x + y) - lambda) < 1e-9);                 // at lambda
            }
    }

    void lambdasFollowBeta_data()
    {
        QTest::addColumn<double>("alpha");
        QTest::addColumn<bool>("pairs");
        QTest::newRow("pairs alpha 1: uniform") << 1.0 << true;
        QTest::newRow("pairs alpha 0.5: arcsine") << 0.5 << true;
        QTest::newRow("anchor alpha 1: uniform on [0, 1/2]") << 1.0 << false;
    }
    void lambdasFollowBeta()
    {
        QFETCH(double, alpha);
        QFETCH(bool, pairs);
        const std::int64_t B = 200, K = 4, d = 3, P = 1000;  // 200k lambdas
        LatentMixup mixup(MixupOptions().count(P).alpha(alpha).mode(pairs ? MixupMode::Pairs : MixupMode::Anchor),
                          makeGenerator(9));
        const PseudoNegatives out = mixup.generate(unitRandom({B, d}, 1), unitRandom({B, K, d}, 2));
        const auto cdf = [&](double x) {
            if (!pairs)
                return 2 * x;  // Beta(1, 1) folded onto [0, 1/2]
            return alpha == 1.0 ? x : arcsineCdf(x);
        };
        auto [observed, expected] = binned(out.lambdas, 20, pairs ? 1.0 : 0.5, cdf);
        const auto fit = chiSquare(observed, expected);
        QVERIFY2(fit.passes(), qPrintable(QString("chi2 %1 >= %2").arg(fit.statistic).arg(fit.critical)));
        // The wrong shape (uniform for the arcsine, arcsine for the uniform) is rejected.
        auto [o2, wrongExpected] = binned(out.lambdas, 20, pairs ? 1.0 : 0.5, [&](double x) {
            return pairs ? (alpha == 1.0 ? arcsineCdf(x) : x) : arcsineCdf(2 * x);
        });
        const auto wrong = chiSquare(o2, wrongExpected);
        QVERIFY2(wrong.statistic > 20 * wrong.critical, qPrintable(QString::number(wrong.statistic)));
        // Pair sources: uniform over the K (K - 1) ordered pairs of different negatives.
        if (pairs) {
            std::vector<double> cells(K * K, 0.0), probs(K * K, 0.0);
            const at::Tensor a = out.sourceA.reshape({-1}).contiguous(), b = out.sourceB.reshape({-1}).contiguous();
            const std::int64_t *pa = a.data_ptr<std::int64_t>(), *pb = b.data_ptr<std::int64_t>();
            for (std::int64_t i = 0; i < a.numel(); ++i)
                cells[pa[i] * K + pb[i]] += 1;
            for (std::int64_t i = 0; i < K; ++i)
                for (std::int64_t j = 0; j < K; ++j)
                    probs[i * K + j] = i == j ? 0.0 : 1.0 / static_cast<double>(K * (K - 1));
            const auto src = chiSquare(cells, probs);
            QCOMPARE(src.df, K * (K - 1) - 1);
            QVERIFY2(src.passes(), qPrintable(QString("chi2 %1 >= %2").arg(src.statistic).arg(src.critical)));
        }
    }

    void reproducibleAndDetached()
    {
        const at::Tensor anchors = unitRandom({3, 4}, 1);
        const at::Tensor negatives = unitRandom({3, 5, 4}, 2).requires_grad_();
        LatentMixup a(MixupOptions().count(7), makeGenerator(4)), b(MixupOptions().count(7), makeGenerator(4));
        const auto x = a.generate(anchors, negatives), y = b.generate(anchors, negatives);
        QVERIFY(at::equal(x.embeddings, y.embeddings) && at::equal(x.lambdas, y.lambdas));
        QVERIFY(!at::equal(a.generate(anchors, negatives).lambdas, x.lambdas));
        // Used in a loss, no gradient reaches the negatives through the pseudo-negatives.
        QVERIFY(x.embeddings.grad_fn() == nullptr);
    }

    void bankFormEqualsTheMaterialisedForm_data()
    {
        QTest::addColumn<bool>("pairs");
        QTest::newRow("pairs") << true;
        QTest::newRow("anchor") << false;
    }
    void bankFormEqualsTheMaterialisedForm()
    {
        QFETCH(bool, pairs);
        const at::Tensor bank = unitRandom({50, 6}, 1).to(at::kFloat), anchors = unitRandom({4, 6}, 2).to(at::kFloat);
        const at::Tensor idx = at::randint(50, {4, 9}, makeGenerator(3), at::kLong);
        const MixupOptions o = MixupOptions().count(5).alpha(0.8).mode(pairs ? MixupMode::Pairs : MixupMode::Anchor);
        LatentMixup a(o, makeGenerator(4)), b(o, makeGenerator(4));
        const auto x = a.generate(anchors, bank.index_select(0, idx.view({-1})).view({4, 9, 6}));
        const auto y = b.generateFromBank(anchors, bank, idx);
        QVERIFY(at::equal(x.sourceA, y.sourceA) && at::equal(x.sourceB, y.sourceB) && at::equal(x.lambdas, y.lambdas));
        QVERIFY(at::allclose(x.embeddings, y.embeddings, 1e-6, 1e-7));
        QCOMPARE(y.embeddings.sizes(), (at::IntArrayRef{4, 5, 6}));
    }

    void badSettingsNameTheirField()
    {
        const auto fieldOf = [](auto&& action) -> std::string {
            try {
                action();
            } catch (const ConfigError& e) {
                return e.problems().front().field;
            }
            return "(none)";
        };
        QCOMPARE(fieldOf([] { LatentMixup(MixupOptions().count(0), makeGenerator(0)); }), std::string("contrastive.mixup.count"));
        QCOMPARE(fieldOf([] { LatentMixup(MixupOptions().alpha(0.0), makeGenerator(0)); }), std::string("contrastive.mixup.alpha"));
        QCOMPARE(fieldOf([] { LatentMixup(MixupOptions().alpha(-1.0), makeGenerator(0)); }), std::string("contrastive.mixup.alpha"));
        QCOMPARE(fieldOf([] {
                     LatentMixup m(MixupOptions(), makeGenerator(0));
                     m.generate(unitRandom({2, 3}, 1), unitRandom({2, 1, 3}, 2));
                 }),
                 std::string("contrastive.negatives"));
    }
};

QTEST_GUILESS_MAIN(TestMixup)
#include "test_mixup.moc"
