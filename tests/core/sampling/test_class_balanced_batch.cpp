// Class-balanced batches for SupCon: shape and grouping, the seed class uniform, the further
// classes from the seed's row, uniform distinct samples within a class, ConfigErrors.
#include <QtTest>

#include <set>

#include <ATen/ATen.h>

#include "chi_square.h"
#include "common/errors.h"
#include "sampling/class_balanced_batch.h"
#include "sampling/counter_rng.h"

using namespace scns;
using scns::test::chiSquare;

namespace {

constexpr std::int64_t kC = 5;

// Class c has 4 + c samples: 4, 5, 6, 7, 8 (N = 30), in class order shuffled by a stride.
at::Tensor labels()
{
    std::vector<std::int64_t> l;
    for (std::int64_t c = 0; c < kC; ++c)
        for (std::int64_t j = 0; j < 4 + c; ++j)
            l.push_back(c);
    std::vector<std::int64_t> shuffled(l.size());
    for (std::size_t i = 0; i < l.size(); ++i)
        shuffled[(i * 7) % l.size()] = l[i];  // 7 and 30 are coprime
    return at::tensor(shuffled, at::kLong);
}

at::Tensor distribution()
{
    return at::tensor({0.0, 0.7, 0.2, 0.1, 0.0,  //
                       0.25, 0.0, 0.25, 0.25, 0.25,  //
                       0.2, 0.2, 0.0, 0.3, 0.3,  //
                       0.1, 0.1, 0.1, 0.0, 0.7,  //
                       0.4, 0.3, 0.2, 0.1, 0.0},
                      at::kDouble)
        .view({kC, kC});
}

}  // namespace

class TestClassBalancedBatch : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void batchesHoldNClassesOfMDistinctSamples()
    {
        const at::Tensor l = labels();
        auto g = makeGenerator(1);
        const ClassIndex index(l, kC);
        for (int rep = 0; rep < 200; ++rep) {
            const at::Tensor batch = buildClassBalancedBatch(index, 4, 3, distribution(), g);
            QCOMPARE(batch.numel(), std::int64_t(12));
            std::set<std::int64_t> samples, classes;
            for (std::int64_t g2 = 0; g2 < 3; ++g2) {
                const std::int64_t c = l[batch[g2 * 4].item<std::int64_t>()].item<std::int64_t>();
                classes.insert(c);
                for (std::int64_t j = 0; j < 4; ++j) {
                    const std::int64_t s = batch[g2 * 4 + j].item<std::int64_t>();
                    QCOMPARE(l[s].item<std::int64_t>(), c);
                    samples.insert(s);
                }
            }
            QCOMPARE(samples.size(), std::size_t(12));
            QCOMPARE(classes.size(), std::size_t(3));
        }
    }

    void classesFollowTheSeedRow()
    {
        const ClassIndex index(labels(), kC);
        auto g = makeGenerator(2);
        std::vector<double> seed(kC, 0.0), second(kC, 0.0), members(index.count(1), 0.0);
        for (int rep = 0; rep < 40000; ++rep) {
            const at::Tensor batch = buildClassBalancedBatch(index, 1, 2, distribution(), g);
            const std::int64_t c0 = index.label(batch[0].item<std::int64_t>());
            seed[c0] += 1;
            if (c0 == 0) {
                const std::int64_t s = batch[1].item<std::int64_t>();
                second[index.label(s)] += 1;
                for (std::int64_t j = 0; j < index.count(1); ++j)
                    if (index.member(1, j) == s)
                        members[j] += 1;
            }
        }
        const auto fitSeed = chiSquare(seed, std::vector<double>(kC, 1.0 / kC));
        QVERIFY2(fitSeed.passes(), qPrintable(QString::number(fitSeed.statistic)));
        const std::vector<double> row0 = {0.0, 0.7, 0.2, 0.1, 0.0};
        const auto fit = chiSquare(second, row0);
        QVERIFY2(fit.passes(), qPrintable(QString::number(fit.statistic)));
        const auto wrong = chiSquare(second, {0.0, 0.25, 0.25, 0.25, 0.25});  // uniform over the rest
        QVERIFY2(wrong.statistic > 20 * wrong.critical, qPrintable(QString::number(wrong.statistic)));
        const auto fitMembers = chiSquare(members, std::vector<double>(members.size(), 1.0 / members.size()));
        QVERIFY2(fitMembers.passes(), qPrintable(QString::number(fitMembers.statistic)));
    }

    void exhaustedRowFallsBackToUniform()
    {
        // Row 0 gives all its mass to class 1: the third class is uniform over {2, 3, 4}.
        at::Tensor d = distribution();
        d[0] = at::tensor({0.0, 1.0, 0.0, 0.0, 0.0}, at::kDouble);
        const ClassIndex index(labels(), kC);
        auto g = makeGenerator(3);
        std::vector<double> third(kC, 0.0);
        for (int rep = 0; rep < 30000; ++rep) {
            const at::Tensor batch = buildClassBalancedBatch(index, 1, 3, d, g);
            if (index.label(batch[0].item<std::int64_t>()) != 0)
                continue;
            QCOMPARE(index.label(batch[1].item<std::int64_t>()), std::int64_t(1));
            third[index.label(batch[2].item<std::int64_t>())] += 1;
        }
        const auto fit = chiSquare(third, {0.0, 0.0, 1.0 / 3, 1.0 / 3, 1.0 / 3});
        QVERIFY2(fit.passes(), qPrintable(QString::number(fit.statistic)));
    }

    void impossibleBatchesAreConfigErrors_data()
    {
        QTest::addColumn<qint64>("m");
        QTest::addColumn<qint64>("n");
        QTest::addColumn<QString>("field");
        QTest::newRow("m above the smallest class") << qint64(5) << qint64(2) << QString("contrastive.supcon.samples_per_class");
        QTest::newRow("m = 0") << qint64(0) << qint64(2) << QString("contrastive.supcon.samples_per_class");
        QTest::newRow("n > C") << qint64(2) << qint64(6) << QString("batch_size");
        QTest::newRow("n = 0") << qint64(2) << qint64(0) << QString("batch_size");
    }
    void impossibleBatchesAreConfigErrors()
    {
        QFETCH(qint64, m);
        QFETCH(qint64, n);
        QFETCH(QString, field);
        auto g = makeGenerator(0);
        try {
            buildClassBalancedBatch(labels(), kC, m, n, at::Tensor(), g);
            QFAIL("no ConfigError");
        } catch (const ConfigError& e) {
            QCOMPARE(QString::fromStdString(e.problems().front().field), field);
        }
        // The largest possible batch is fine: every class, 4 each.
        QCOMPARE(buildClassBalancedBatch(labels(), kC, 4, kC, at::Tensor(), g).numel(), 4 * kC);
    }
};

QTEST_GUILESS_MAIN(TestClassBalancedBatch)
#include "test_class_balanced_batch.moc"
