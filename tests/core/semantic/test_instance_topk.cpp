// Blocked instance top-k against a brute-force full N x N similarity matrix.
#include <QTest>

#include <algorithm>
#include <numeric>
#include <set>

#include <ATen/ATen.h>

#include "common/errors.h"
#include "semantic/instance_topk.h"

using namespace scns;

namespace {

struct Data {
    at::Tensor embeddings;  // N x d unit rows, float32
    at::Tensor labels;      // N int64, uneven class sizes
};

Data randomData(std::int64_t n, std::int64_t d, std::int64_t classes, std::uint64_t seed)
{
    at::manual_seed(seed);
    at::Tensor e = at::randn({n, d}, at::kFloat);
    e = e / e.norm(2, 1, true);
    // Squaring a uniform draw makes low labels more frequent: classes of different sizes.
    at::Tensor u = at::rand({n}, at::kDouble);
    at::Tensor labels = (u * u * classes).floor().to(at::kLong).clamp_max(classes - 1);
    return {e, labels};
}

}  // namespace

class TestInstanceTopK : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void equalsBruteForce_data()
    {
        QTest::addColumn<int>("block");
        QTest::addColumn<bool>("otherOnly");
        QTest::addColumn<bool>("float64");
        // float32 on the CPU takes the oneDNN path, float64 the at::mm one.
        for (int block : {7, 64, 97, 500, 4096})
            for (bool other : {true, false})
                QTest::addRow("block %d %s", block, other ? "other classes" : "all") << block << other << false;
        for (bool other : {true, false})
            QTest::addRow("float64 block 97 %s", other ? "other classes" : "all") << 97 << other << true;
    }
    void equalsBruteForce()
    {
        QFETCH(int, block);
        QFETCH(bool, otherOnly);
        QFETCH(bool, float64);
        const std::int64_t n = 500, d = 16, k = 7;
        const Data data = randomData(n, d, 10, 11);
        std::vector<std::int64_t> progress;
        const at::Tensor input = float64 ? data.embeddings.to(at::kDouble) : data.embeddings;
        const auto table = buildInstanceTopK(input, data.labels, k, otherOnly, block,
                                             [&](std::int64_t done, std::int64_t total) {
                                                 QCOMPARE(total, n);
                                                 progress.push_back(done);
                                             });
        QVERIFY(table.has_value());
        QCOMPARE(table->indices.sizes().vec(), (std::vector<std::int64_t>{n, k}));
        QCOMPARE(table->indices.scalar_type(), at::kLong);
        QCOMPARE(table->similarities.scalar_type(), at::kFloat);
        QCOMPARE(std::int64_t(progress.size()), (n + block - 1) / block);
        QCOMPARE(progress.back(), n);
        QVERIFY(std::is_sorted(progress.begin(), progress.end()));

        // Brute force in double precision over the full matrix.
        const at::Tensor full = at::mm(data.embeddings.to(at::kDouble), data.embeddings.to(at::kDouble).t());
        auto fa = full.accessor<double, 2>();
        auto la = data.labels.accessor<std::int64_t, 1>();
        auto ia = table->indices.accessor<std::int64_t, 2>();
        auto sa = table->similarities.accessor<float, 2>();
        int exactIndexMatches = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            std::vector<std::int64_t> candidates;
            for (std::int64_t j = 0; j < n; ++j)
                if (j != i && (!otherOnly || la[j] != la[i]))
                    candidates.push_back(j);
            std::sort(candidates.begin(), candidates.end(), [&](auto a, auto b) { return fa[i][a] > fa[i][b]; });
            std::set<std::int64_t> seen;
            for (std::int64_t r = 0; r < k; ++r) {
                const std::int64_t j = ia[i][r];
                QVERIFY(j >= 0 && j < n && j != i);
                QVERIFY(seen.insert(j).second);
                if (otherOnly)
                    QVERIFY(la[j] != la[i]);
                // The value is the cosine of that pair, and the r-th largest of the candidates.
                QVERIFY2(std::abs(sa[i][r] - fa[i][j]) < 1e-5, qPrintable(QString("row %1 rank %2").arg(i).arg(r)));
                QVERIFY2(std::abs(sa[i][r] - fa[i][candidates[r]]) < 1e-5,
                         qPrintable(QString("row %1 rank %2: %3 vs %4").arg(i).arg(r).arg(sa[i][r]).arg(fa[i][candidates[r]])));
                exactIndexMatches += j == candidates[r];
            }
        }
        // Random data has no ties at float precision in practice: indices match too.
        QVERIFY2(exactIndexMatches >= n * k - 2, qPrintable(QString::number(exactIndexMatches)));
    }

    void doubleInputAndSingleClassWithoutMask()
    {
        const Data data = randomData(50, 4, 1, 3);
        const auto t = buildInstanceTopK(data.embeddings.to(at::kDouble), data.labels, 49, false, 16);
        QVERIFY(t.has_value());
        QCOMPARE(t->similarities.scalar_type(), at::kFloat);
        // k = N - 1: every other sample exactly once per row.
        const at::Tensor sorted = std::get<0>(at::sort(t->indices, 1));
        for (std::int64_t i = 0; i < 50; ++i) {
            at::Tensor expected = at::cat({at::arange(0, i), at::arange(i + 1, 50)});
            QVERIFY(at::equal(sorted[i], expected));
        }
    }

    void kBeyondCandidates_data()
    {
        QTest::addColumn<bool>("otherOnly");
        QTest::addColumn<int>("k");
        QTest::addColumn<QString>("fewest");
        // Labels: 6 of class 0, 3 of class 1, 1 of class 2 -> other-class candidates >= 4.
        QTest::newRow("other classes k5") << true << 5 << "[1, 4]";
        QTest::newRow("all k10") << false << 10 << "[1, 9]";
        QTest::newRow("k0") << true << 0 << "[1, 4]";
    }
    void kBeyondCandidates()
    {
        QFETCH(bool, otherOnly);
        QFETCH(int, k);
        QFETCH(QString, fewest);
        at::Tensor e = at::randn({10, 3});
        e = e / e.norm(2, 1, true);
        const at::Tensor labels = at::tensor(std::vector<std::int64_t>{0, 0, 1, 0, 2, 0, 1, 0, 1, 0});
        try {
            buildInstanceTopK(e, labels, k, otherOnly);
            QFAIL("no exception");
        } catch (const ConfigError& ex) {
            QCOMPARE(QString::fromStdString(ex.problems().at(0).field), QString("contrastive.instance.k"));
            QCOMPARE(QString::fromStdString(ex.problems().at(0).value), QString::number(k));
            QVERIFY2(QString(ex.what()).contains(fewest), ex.what());
        }
        // The largest allowed k works.
        QVERIFY(buildInstanceTopK(e, labels, otherOnly ? 4 : 9, otherOnly).has_value());
    }

    void badInputs()
    {
        const Data data = randomData(20, 4, 3, 5);
        QVERIFY_THROWS_EXCEPTION(DataError, buildInstanceTopK(data.embeddings * 2, data.labels, 3));
        QVERIFY_THROWS_EXCEPTION(DataError, buildInstanceTopK(data.embeddings, data.labels.narrow(0, 0, 19), 3));
        QVERIFY_THROWS_EXCEPTION(DataError, buildInstanceTopK(data.embeddings, data.labels - 5, 3));
        QVERIFY_THROWS_EXCEPTION(DataError, buildInstanceTopK(data.embeddings.view({-1}), data.labels, 3));
        QVERIFY_THROWS_EXCEPTION(DataError, buildInstanceTopK(data.embeddings, data.labels.to(at::kFloat), 3));
        QVERIFY_THROWS_EXCEPTION(ConfigError, buildInstanceTopK(data.embeddings, data.labels, 3, true, 0));
    }

    void stopsBetweenBlocks()
    {
        const Data data = randomData(300, 8, 5, 9);
        std::stop_source source;
        int calls = 0;
        const auto t = buildInstanceTopK(data.embeddings, data.labels, 5, true, 50,
                                         [&](std::int64_t done, std::int64_t) {
                                             ++calls;
                                             if (done >= 100)
                                                 source.request_stop();
                                         },
                                         source.get_token());
        QVERIFY(!t.has_value());
        QCOMPARE(calls, 2);
        std::stop_source stopped;
        stopped.request_stop();
        QVERIFY(!buildInstanceTopK(data.embeddings, data.labels, 5, true, 50, {}, stopped.get_token()).has_value());
    }
};

QTEST_GUILESS_MAIN(TestInstanceTopK)
#include "test_instance_topk.moc"
