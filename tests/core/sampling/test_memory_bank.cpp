// Memory bank (initialisation, gather, the momentum update formula, checkpoint state) and the
// projection head.
#include <QtTest>

#include <cmath>

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include "common/errors.h"
#include "sampling/counter_rng.h"
#include "sampling/memory_bank.h"
#include "sampling/projection_head.h"
#include "test_device.h"

using namespace scns;

class TestMemoryBank : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initialRowsAreUnitAndSeeded()
    {
        auto g1 = makeGenerator(5), g2 = makeGenerator(5), g3 = makeGenerator(6);
        MemoryBank a(500, 16, g1, test::device()), b(500, 16, g2, test::device()), c(500, 16, g3, test::device());
        QCOMPARE(a.state().sizes(), (at::IntArrayRef{500, 16}));
        QCOMPARE(a.state().scalar_type(), at::kFloat);
        QVERIFY((a.state().norm(2, 1) - 1).abs().max().item<double>() < 1e-5);
        QVERIFY(at::equal(a.state(), b.state()));
        QVERIFY(!at::equal(a.state(), c.state()));
        // Directions of uniform-cube draws: centred, every coordinate used, none dominant.
        QVERIFY(a.state().mean().abs().item<double>() < 0.02);
        QVERIFY(a.state().abs().max().item<double>() < 0.95);
    }

    void rowsGatherAnyShapeWithoutGradient()
    {
        auto g = makeGenerator(1);
        MemoryBank bank(20, 8, g, test::device());
        const at::Tensor idx = at::tensor({3, 0, 19, 3, 7, 7}, at::kLong).view({2, 3});
        const at::Tensor r = bank.rows(idx);
        QCOMPARE(r.sizes(), (at::IntArrayRef{2, 3, 8}));
        QVERIFY(!r.requires_grad());
        QVERIFY(at::equal(r[1][0], bank.state()[3]));
        QVERIFY(at::equal(r[0][2], bank.state()[19]));
        // A copy: a later update leaves it as it was.
        const at::Tensor before = r.clone();
        bank.update(at::tensor({3}, at::kLong), at::ones({1, 8}), 0.0);
        QVERIFY(at::equal(r, before));
    }

    void updateFollowsTheMomentumFormula_data()
    {
        QTest::addColumn<double>("momentum");
        QTest::newRow("CRD 0.5") << 0.5;
        QTest::newRow("0.9") << 0.9;
        QTest::newRow("0 (replace)") << 0.0;
    }
    void updateFollowsTheMomentumFormula()
    {
        QFETCH(double, momentum);
        auto g = makeGenerator(2);
        MemoryBank bank(10, 4, g, test::device());
        QCOMPARE(bank.state().device(), test::device());
        const at::Tensor before = bank.state().clone();
        const at::Tensor z = at::randn({2, 4}, makeGenerator(3), at::kFloat).requires_grad_();
        const at::Tensor zUnit = z / z.norm(2, 1, true);
        bank.update(at::tensor({7, 2}, at::kLong), zUnit, momentum);
        const std::int64_t rows[] = {7, 2};
        for (int j = 0; j < 2; ++j) {
            std::vector<double> want(4);
            double n = 0;
            for (int c = 0; c < 4; ++c) {
                want[c] = momentum * before[rows[j]][c].item<double>() + (1 - momentum) * zUnit[j][c].item<double>();
                n += want[c] * want[c];
            }
            for (int c = 0; c < 4; ++c)
                QVERIFY(std::abs(bank.state()[rows[j]][c].item<double>() - want[c] / std::sqrt(n)) < 1e-6);
        }
        for (std::int64_t i : {0, 1, 3, 4, 5, 6, 8, 9})
            QVERIFY(at::equal(bank.state()[i], before[i]));
        QVERIFY(!bank.state().requires_grad());
    }

    // contrastive.bank_dtype bf16/fp16: rows stored in two bytes, handed out as float32, updated
    // by the momentum formula computed in float32 and rounded once; other types are refused.
    void reducedStorageHalvesTheBank()
    {
        for (const auto storage : {at::kBFloat16, at::kHalf}) {
            auto g = makeGenerator(2), g32 = makeGenerator(2);
            MemoryBank bank(10, 4, g, test::device(), storage), full(10, 4, g32, test::device());
            QCOMPARE(bank.state().scalar_type(), storage);
            QCOMPARE(bank.state().element_size(), std::int64_t(2));
            QVERIFY(at::allclose(bank.state().to(at::kFloat), full.state(), 1e-2, 1e-2));
            const at::Tensor idx = at::tensor({7, 2}, at::kLong);
            QCOMPARE(bank.rows(idx).scalar_type(), at::kFloat);
            const at::Tensor z = at::randn({2, 4}, makeGenerator(3), at::kFloat);
            const at::Tensor zUnit = z / z.norm(2, 1, true);
            bank.update(idx, zUnit, 0.5);
            full.update(idx, zUnit, 0.5);
            QVERIFY(at::allclose(bank.rows(idx), full.rows(idx), 1e-2, 1e-2));
            QVERIFY(!at::allclose(bank.rows(idx), bank.rows(at::tensor({0, 1}, at::kLong)), 1e-2, 1e-2));
        }
        auto g = makeGenerator(2);
        try {
            MemoryBank bad(10, 4, g, test::device(), at::kDouble);
            QFAIL("no ConfigError for a double bank");
        } catch (const ConfigError& e) {
            QCOMPARE(e.problems().front().field, std::string("contrastive.bank_dtype"));
        }
    }

    void updateRefusesBadInput()
    {
        auto g = makeGenerator(2);
        MemoryBank bank(10, 4, g);
        QVERIFY_THROWS_EXCEPTION(c10::Error, bank.update(at::tensor({1, 1}, at::kLong), at::ones({2, 4}), 0.5));
        QVERIFY_THROWS_EXCEPTION(c10::Error, bank.update(at::tensor({10}, at::kLong), at::ones({1, 4}), 0.5));
        QVERIFY_THROWS_EXCEPTION(c10::Error, bank.update(at::tensor({1}, at::kLong), at::ones({1, 5}), 0.5));
        try {
            bank.update(at::tensor({1}, at::kLong), at::ones({1, 4}), 1.5);
            QFAIL("no ConfigError");
        } catch (const ConfigError& e) {
            QCOMPARE(e.problems().front().field, std::string("contrastive.momentum"));
        }
    }

    void stateRoundTripsThroughACheckpoint()
    {
        auto g1 = makeGenerator(1), g2 = makeGenerator(2);
        MemoryBank a(30, 8, g1, test::device()), b(30, 8, g2, test::device());
        a.update(at::tensor({4}, at::kLong), at::ones({1, 8}), 0.5);
        b.load(a.state());
        QVERIFY(at::equal(a.state(), b.state()));
        QVERIFY_THROWS_EXCEPTION(CheckpointError, b.load(at::zeros({30, 9})));
        QVERIFY_THROWS_EXCEPTION(CheckpointError, b.load(at::full({30, 8}, std::nan("")).to(test::device())));
    }

    void projectionHeadGivesUnitRows()
    {
        ProjectionHead head(ProjectionHeadOptions(32));
        QCOMPARE(head->options.outDim(), std::int64_t(128));
        const auto params = head->named_parameters();
        QVERIFY(params.contains("linear.weight") && params.contains("linear.bias"));
        const at::Tensor z = head->forward(at::randn({5, 32}));
        QCOMPARE(z.sizes(), (at::IntArrayRef{5, 128}));
        QVERIFY((z.norm(2, 1) - 1).abs().max().item<double>() < 1e-5);
        // Equals normalize(W h + b).
        const at::Tensor h = at::randn({3, 32});
        const at::Tensor lin = at::linear(h, head->linear->weight, head->linear->bias);
        QVERIFY(at::allclose(head->forward(h), lin / lin.norm(2, 1, true), 1e-5, 1e-6));
        // A 4-D feature map is flattened, as CRD's Embed does.
        ProjectionHead small(ProjectionHeadOptions(8).outDim(4));
        QCOMPARE(small->forward(at::randn({2, 2, 2, 2})).sizes(), (at::IntArrayRef{2, 4}));
        QVERIFY_THROWS_EXCEPTION(c10::Error, small->forward(at::randn({2, 7})));
    }
};

QTEST_GUILESS_MAIN(TestMemoryBank)
#include "test_memory_bank.moc"
