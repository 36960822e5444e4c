// Tensor draws (sampling/device_draws.h): the samplers placed on a device draw exactly the
// negatives of the host loops, bit for bit, for every sampler kind, over several calls. The
// primitives are checked against CounterRng and AliasTable at the edges of their ranges (counters
// near 2^63, n = 1 and 2^31 - 1, zero and full alias cells). Runs the tensor path on the CPU and,
// with SCNS_TEST_DEVICE=cuda, on the GPU too.
#include <QtTest>

#include <memory>
#include <random>
#include <vector>

#include <ATen/ATen.h>

#include "sampler_fixtures.h"
#include "sampling/alias_table.h"
#include "sampling/class_sampler.h"
#include "sampling/counter_rng.h"
#include "sampling/device_draws.h"
#include "sampling/epsilon_sampler.h"
#include "sampling/instance_sampler.h"
#include "sampling/uniform_sampler.h"
#include "test_device.h"

using namespace scns;

namespace {

constexpr std::int64_t kBig = 5000;  // samples of the larger set
constexpr std::int64_t kBigC = 10;

std::vector<std::int64_t> bigLabels()
{
    std::mt19937_64 rng(7);
    std::vector<std::int64_t> y(kBig);
    for (auto& v : y)
        v = static_cast<std::int64_t>(rng() % kBigC);
    return y;
}

// A random row-stochastic C x C distribution with zero diagonal and some zero cells.
at::Tensor bigDistribution()
{
    at::Tensor d = at::rand({kBigC, kBigC}, at::TensorOptions().dtype(at::kDouble));
    d.masked_fill_(d.lt(0.3), 0.0);
    d.fill_diagonal_(0.0);
    return d / d.sum(1, true);
}

// Random anchors (repeats allowed), as a host tensor.
at::Tensor anchors(std::int64_t n, std::int64_t B, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<std::int64_t> a(static_cast<std::size_t>(B));
    for (auto& v : a)
        v = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(n));
    return at::tensor(a, at::kLong);
}

std::vector<SamplerPlacement> tensorPlacements()
{
    std::vector<SamplerPlacement> p{{c10::kCPU, true}};
    if (!test::device().is_cpu())
        p.push_back(SamplerPlacement::on(test::device()));
    return p;
}

// `make(seed)` twice: one sampler left on the host, one placed; four calls each with different
// batch sizes and K must give identical indices and flags, on the placement's device.
template <typename Make>
void expectSameDraws(Make make, std::int64_t n)
{
    for (const SamplerPlacement& placement : tensorPlacements()) {
        std::shared_ptr<NegativeSampler> host = make(11), placed = make(11);
        placed->place(placement);
        const std::int64_t shapes[][2] = {{64, 300}, {1, 1}, {33, 4097}, {128, 17}};
        for (const auto& [B, K] : shapes) {
            const at::Tensor a = anchors(n, B, static_cast<std::uint64_t>(B * K));
            const SampledNegatives want = host->sample(a, K);
            const SampledNegatives got = placed->sample(a, K);
            QCOMPARE(got.indices.device(), placement.device);
            QCOMPARE(got.fromTopK.device(), placement.device);
            QCOMPARE(got.indices.sizes(), want.indices.sizes());
            QVERIFY2(at::equal(got.indices.cpu(), want.indices),
                     qPrintable(QStringLiteral("B = %1, K = %2 on %3: %4 of %5 indices differ")
                                    .arg(B)
                                    .arg(K)
                                    .arg(QString::fromStdString(placement.device.str()))
                                    .arg(got.indices.cpu().ne(want.indices).sum().item<std::int64_t>())
                                    .arg(want.indices.numel())));
            QVERIFY(at::equal(got.fromTopK.cpu(), want.fromTopK));
        }
    }
}

}  // namespace

class TestDeviceDraws : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void splitMixMatchesCounterRng()
    {
        const std::uint64_t keys[] = {0, 1, 0x9e3779b97f4a7c15ULL, ~0ULL, 123456789987654321ULL};
        std::vector<std::int64_t> counters = {
            0, 1, 2, 3, 1000, (std::int64_t{1} << 31) - 1, std::int64_t{1} << 40, (std::int64_t{1} << 62) + 12345};
        for (std::int64_t i = 0; i < 1000; ++i)
            counters.push_back(i * 7919 + 13);
        for (const SamplerPlacement& p : tensorPlacements())
            for (std::uint64_t key : keys) {
                const at::Tensor got = draws::splitMix(key, at::tensor(counters, at::kLong).to(p.device)).cpu();
                const CounterRng rng(key);
                for (std::size_t i = 0; i < counters.size(); ++i)
                    QCOMPARE(static_cast<std::uint64_t>(got[static_cast<std::int64_t>(i)].item<std::int64_t>()),
                             rng.at(static_cast<std::uint64_t>(counters[i])));
            }
    }

    void belowMatchesLemire()
    {
        const CounterRng rng(42);
        std::vector<std::int64_t> r;
        for (std::uint64_t c = 0; c < 2000; ++c)
            r.push_back(static_cast<std::int64_t>(rng.at(c)));
        r.push_back(0);
        r.push_back(-1);  // 2^64 - 1
        r.push_back(std::numeric_limits<std::int64_t>::min());
        const std::int64_t ns[] = {1, 2, 3, 10, 60000, 1000003, (std::int64_t{1} << 31) - 1};
        for (const SamplerPlacement& p : tensorPlacements())
            for (std::int64_t n : ns) {
                const at::Tensor got = draws::below(at::tensor(r, at::kLong).to(p.device), n).cpu();
                for (std::size_t i = 0; i < r.size(); ++i) {
                    const auto want = static_cast<std::int64_t>(
                        CounterRng::below(static_cast<std::uint64_t>(r[i]), static_cast<std::uint64_t>(n)));
                    QCOMPARE(got[static_cast<std::int64_t>(i)].item<std::int64_t>(), want);
                }
            }
        QVERIFY_THROWS_EXCEPTION(c10::Error, draws::below(at::tensor(r, at::kLong), std::int64_t{1} << 31));
    }

    void aliasTensorsMatchAliasTable()
    {
        // Rows with zero cells, a one-hot row and a uniform row.
        const std::vector<double> w = {0.0, 0.5,  0.25, 0.25, 0.0,  //
                                       0.0, 0.0,  1.0,  0.0,  0.0,  //
                                       0.2, 0.2,  0.2,  0.2,  0.2,  //
                                       0.9, 0.01, 0.02, 0.03, 0.04};
        const AliasTable table(w.data(), 4, 5);
        const CounterRng rng(5);
        std::vector<std::int64_t> rows, r;
        for (std::uint64_t c = 0; c < 4000; ++c) {
            rows.push_back(static_cast<std::int64_t>(c % 4));
            r.push_back(static_cast<std::int64_t>(rng.at(c)));
        }
        for (const SamplerPlacement& p : tensorPlacements()) {
            const AliasTensors tensors(table, p.device);
            const at::Tensor got =
                tensors.draw(at::tensor(rows, at::kLong).to(p.device), at::tensor(r, at::kLong).to(p.device)).cpu();
            for (std::size_t i = 0; i < r.size(); ++i)
                QCOMPARE(got[static_cast<std::int64_t>(i)].item<std::int64_t>(),
                         table.draw(rows[i], static_cast<std::uint64_t>(r[i])));
        }
    }

    void uniformSampler()
    {
        expectSameDraws(
            [](std::uint64_t seed) {
                return std::make_shared<UniformSampler>(at::tensor(bigLabels()), kBigC, makeGenerator(seed));
            },
            kBig);
    }

    void classSampler()
    {
        const at::Tensor d = bigDistribution();
        expectSameDraws(
            [&](std::uint64_t seed) {
                return std::make_shared<ClassSampler>(at::tensor(bigLabels()), kBigC, d, makeGenerator(seed));
            },
            kBig);
    }

    void instanceSampler_data()
    {
        QTest::addColumn<bool>("softmax");
        QTest::newRow("uniform weighting") << false;
        QTest::newRow("softmax weighting") << true;
    }
    void instanceSampler()
    {
        QFETCH(bool, softmax);
        const at::Tensor table = at::randint(kBig, {kBig, 7}, at::TensorOptions().dtype(at::kLong));
        const at::Tensor similarities = at::rand({kBig, 7});
        const auto weighting = softmax ? InstanceWeighting::Softmax : InstanceWeighting::Uniform;
        expectSameDraws(
            [&](std::uint64_t seed) {
                return std::make_shared<InstanceSampler>(at::tensor(bigLabels()), kBigC, table, similarities, weighting,
                                                         0.1, makeGenerator(seed));
            },
            kBig);
    }

    void epsilonOverClassSampler()
    {
        // The small fixture: K up to 4097 with 16 samples repeats indices, which the check must not mind.
        expectSameDraws(
            [](std::uint64_t seed) {
                const at::Generator g = makeGenerator(seed);
                auto inner = std::make_shared<ClassSampler>(test::labels(), test::kC, test::classDistribution(), g);
                auto uniform = std::make_shared<UniformSampler>(test::labels(), test::kC, g);
                return std::make_shared<EpsilonSampler>(inner, 0.3, uniform, g);
            },
            test::kN);
    }

    void placingBackOnTheHostRestoresTheLoops()
    {
        UniformSampler s(test::labels(), test::kC, makeGenerator(3));
        s.place({c10::kCPU, true});
        s.place({});
        QVERIFY(!s.placement().tensorDraws);
        QCOMPARE(s.sample(at::arange(4, at::kLong), 8).indices.device(), c10::Device(c10::kCPU));
    }
};

QTEST_GUILESS_MAIN(TestDeviceDraws)
#include "test_device_draws.moc"
