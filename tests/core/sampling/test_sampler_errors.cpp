// Sampler settings the data cannot satisfy are ConfigErrors naming their field; bad data
// (labels, table entries, anchors) is refused.
#include <QtTest>

#include <functional>
#include <memory>

#include <ATen/ATen.h>

#include "common/errors.h"
#include "sampler_fixtures.h"
#include "sampling/class_sampler.h"
#include "sampling/counter_rng.h"
#include "sampling/epsilon_sampler.h"
#include "sampling/instance_sampler.h"
#include "sampling/uniform_sampler.h"

using namespace scns;
using namespace scns::test;

using Action = std::function<void()>;
Q_DECLARE_METATYPE(Action)

namespace {

void expectConfigError(const Action& action, const QString& field)
{
    try {
        action();
    } catch (const ConfigError& e) {
        QCOMPARE(QString::fromStdString(e.problems().front().field), field);
        QVERIFY2(!e.problems().front().expected.empty(), e.what());
        return;
    }
    QFAIL(qPrintable("no ConfigError for " + field));
}

}  // namespace

class TestSamplerErrors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void badSettingsNameTheirField_data()
    {
        QTest::addColumn<Action>("action");
        QTest::addColumn<QString>("field");
        const at::Tensor l = labels();
        QTest::newRow("one class") << Action([] { UniformSampler(at::zeros({4}, at::kLong), 1, makeGenerator(0)); })
                                   << "contrastive.sampler";
        QTest::newRow("labels of one class only")
            << Action([] { UniformSampler(at::zeros({4}, at::kLong), 3, makeGenerator(0)); }) << "contrastive.sampler";
        QTest::newRow("K = 0") << Action([l] { UniformSampler(l, kC, makeGenerator(0)).sample(at::zeros({2}, at::kLong), 0); })
                               << "contrastive.negatives";
        QTest::newRow("distribution 3 x 4")
            << Action([l] { ClassSampler(l, kC, at::full({3, 4}, 0.25), makeGenerator(0)); }) << "contrastive.class.similarity";
        QTest::newRow("rows not summing to 1")
            << Action([l] { ClassSampler(l, kC, at::full({kC, kC}, 0.3), makeGenerator(0)); }) << "contrastive.class.similarity";
        QTest::newRow("negative probability") << Action([l] {
            at::Tensor d = classDistribution();
            d[0][1] = -0.1;
            d[0][2] = 0.8;
            ClassSampler(l, kC, d, makeGenerator(0));
        }) << "contrastive.class.similarity";
        QTest::newRow("mass on a class without samples") << Action([] {
            // Class 3 has no samples; row 0 gives it mass.
            ClassSampler(at::tensor({0, 1, 2, 0, 1, 2}, at::kLong), kC, classDistribution(), makeGenerator(0));
        }) << "contrastive.class.k";
        QTest::newRow("epsilon < 0") << Action([l] {
            auto u = std::make_shared<UniformSampler>(l, kC, makeGenerator(0));
            EpsilonSampler(u, -0.1, u, makeGenerator(0));
        }) << "contrastive.epsilon";
        QTest::newRow("epsilon > 1") << Action([l] {
            auto u = std::make_shared<UniformSampler>(l, kC, makeGenerator(0));
            EpsilonSampler(u, 1.5, u, makeGenerator(0));
        }) << "contrastive.epsilon";
        QTest::newRow("tauS = 0") << Action([l] {
            InstanceSampler(l, kC, topkIndices(), topkSimilarities(), InstanceWeighting::Softmax, 0.0, makeGenerator(0));
        }) << "contrastive.instance.tau";
        QTest::newRow("tauS < 0") << Action([l] {
            InstanceSampler(l, kC, topkIndices(), topkSimilarities(), InstanceWeighting::Uniform, -1.0, makeGenerator(0));
        }) << "contrastive.instance.tau";
        QTest::newRow("table of another N") << Action([l] {
            InstanceSampler(l, kC, topkIndices().narrow(0, 0, 10), topkSimilarities().narrow(0, 0, 10),
                            InstanceWeighting::Uniform, 0.1, makeGenerator(0));
        }) << "contrastive.instance.k";
        QTest::newRow("k = 0") << Action([l] {
            InstanceSampler(l, kC, at::zeros({kN, 0}, at::kLong), at::zeros({kN, 0}), InstanceWeighting::Uniform, 0.1,
                            makeGenerator(0));
        }) << "contrastive.instance.k";
        QTest::newRow("similarities of another shape") << Action([l] {
            InstanceSampler(l, kC, topkIndices(), at::zeros({kN, 4}), InstanceWeighting::Softmax, 0.1, makeGenerator(0));
        }) << "contrastive.instance.k";
    }
    void badSettingsNameTheirField()
    {
        QFETCH(Action, action);
        QFETCH(QString, field);
        expectConfigError(action, field);
    }

    void badDataIsRefused()
    {
        QVERIFY_THROWS_EXCEPTION(DataError, UniformSampler(at::tensor({0, 1, 4}, at::kLong), 3, makeGenerator(0)));
        at::Tensor t = topkIndices();
        t[3][2] = kN;
        QVERIFY_THROWS_EXCEPTION(DataError, InstanceSampler(labels(), kC, t, topkSimilarities(),
                                                            InstanceWeighting::Uniform, 0.1, makeGenerator(0)));
        UniformSampler u(labels(), kC, makeGenerator(0));
        QVERIFY_THROWS_EXCEPTION(c10::Error, u.sample(at::tensor(std::vector<std::int64_t>{0, kN}, at::kLong), 4));
        QVERIFY_THROWS_EXCEPTION(c10::Error, u.sample(at::tensor({-1}, at::kLong), 4));
    }
};

QTEST_GUILESS_MAIN(TestSamplerErrors)
#include "test_sampler_errors.moc"
