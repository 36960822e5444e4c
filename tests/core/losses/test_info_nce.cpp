// InfoNCE and CRD's NCE form: values equal a direct double-precision computation, gradients
// pass a finite-difference check, large logits stay finite, Z is fixed at the first call.
#include <QtTest>

#include <cmath>

#include <ATen/ATen.h>

#include "common/errors.h"
#include "grad_check.h"
#include "losses/gather_dot.h"
#include "losses/info_nce.h"
#include "losses/nce_loss.h"
#include "sampling/counter_rng.h"
#include "test_device.h"

using namespace scns;
using scns::test::gradCheck;

namespace {

at::Tensor unitRandom(at::IntArrayRef shape, std::uint64_t seed)
{
    const at::Tensor x = at::randn(shape, makeGenerator(seed), at::kDouble);
    return (x / x.norm(2, -1, true)).contiguous();
}

double naiveDot(const at::Tensor& a, const at::Tensor& b)
{
    double s = 0;
    for (std::int64_t i = 0; i < a.numel(); ++i)
        s += a[i].item<double>() * b[i].item<double>();
    return s;
}

// -mean_b log(exp(z.p/tau) / (exp(z.p/tau) + sum_j exp(z.n_j/tau) + sum_q exp(z.m_q/tau))), plain loops.
double naiveInfoNce(const at::Tensor& z, const at::Tensor& p, const at::Tensor& n, double tau, const at::Tensor& m = {})
{
    double total = 0;
    for (std::int64_t b = 0; b < z.size(0); ++b) {
        const double pos = std::exp(naiveDot(z[b], p[b]) / tau);
        double den = pos;
        for (std::int64_t j = 0; j < n.size(1); ++j)
            den += std::exp(naiveDot(z[b], n[b][j]) / tau);
        if (m.defined())
            for (std::int64_t q = 0; q < m.size(1); ++q)
                den += std::exp(naiveDot(z[b], m[b][q]) / tau);
        total += -std::log(pos / den);
    }
    return total / static_cast<double>(z.size(0));
}

// CRD's ContrastMemory + ContrastLoss, written as in RepDistiller, in double.
double naiveNce(const at::Tensor& z, const at::Tensor& p, const at::Tensor& n, double tau, double N, double Z)
{
    const std::int64_t B = z.size(0), K = n.size(1);
    const double Pn = 1.0 / N, eps = 1e-7;
    double total = 0;
    for (std::int64_t b = 0; b < B; ++b) {
        const double pPos = std::exp(naiveDot(z[b], p[b]) / tau) / Z;
        total += std::log(pPos / (pPos + K * Pn + eps));
        for (std::int64_t j = 0; j < K; ++j) {
            const double pNeg = std::exp(naiveDot(z[b], n[b][j]) / tau) / Z;
            total += std::log(K * Pn / (pNeg + K * Pn + eps));
        }
    }
    return -total / static_cast<double>(B);
}

double naiveZ(const at::Tensor& z, const at::Tensor& p, const at::Tensor& n, double tau, double N)
{
    double sum = 0;
    std::int64_t count = 0;
    for (std::int64_t b = 0; b < z.size(0); ++b) {
        sum += std::exp(naiveDot(z[b], p[b]) / tau);
        ++count;
        for (std::int64_t j = 0; j < n.size(1); ++j, ++count)
            sum += std::exp(naiveDot(z[b], n[b][j]) / tau);
    }
    return sum / static_cast<double>(count) * N;
}

}  // namespace

class TestInfoNce : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void infoNceEqualsTheDirectComputation_data()
    {
        QTest::addColumn<double>("tau");
        QTest::addColumn<bool>("pseudo");
        QTest::newRow("tau 0.07") << 0.07 << false;
        QTest::newRow("tau 0.07 with pseudo-negatives") << 0.07 << true;
        QTest::newRow("tau 1") << 1.0 << true;
    }
    void infoNceEqualsTheDirectComputation()
    {
        QFETCH(double, tau);
        QFETCH(bool, pseudo);
        const at::Tensor z = unitRandom({3, 4}, 1), p = unitRandom({3, 4}, 2), n = unitRandom({3, 5, 4}, 3);
        const at::Tensor m = pseudo ? unitRandom({3, 2, 4}, 4) : at::Tensor();
        const double want = naiveInfoNce(z, p, n, tau, m);
        QVERIFY(std::abs(infoNce(z, p, n, tau, m).item<double>() - want) < 1e-12 * std::max(1.0, want));
        const double single = infoNce(z.to(at::kFloat), p.to(at::kFloat), n.to(at::kFloat), tau,
                                      pseudo ? m.to(at::kFloat) : at::Tensor())
                                  .item<double>();
        QVERIFY2(std::abs(single - want) < 1e-5 * std::max(1.0, want), qPrintable(QString::number(single - want)));
    }

    void infoNceStaysFiniteForLargeLogits()
    {
        // tau = 0.005: logits up to 200, exp() overflows float; the loss must not.
        const at::Tensor z = unitRandom({2, 3}, 5), n = unitRandom({2, 4, 3}, 6);
        const double tau = 0.005;
        const double want = naiveInfoNce(z, z, n, tau);  // positive = anchor: logit 200
        const double got = infoNce(z.to(at::kFloat), z.to(at::kFloat), n.to(at::kFloat), tau).item<double>();
        QVERIFY(std::isfinite(got));
        QVERIFY2(std::abs(got - want) < 1e-3 * std::max(1.0, want), qPrintable(QString("%1 vs %2").arg(got).arg(want)));
    }

    void infoNceGradientsMatchFiniteDifferences()
    {
        at::Tensor z = unitRandom({3, 4}, 1).requires_grad_(), p = unitRandom({3, 4}, 2).requires_grad_();
        at::Tensor n = unitRandom({3, 5, 4}, 3).requires_grad_(), m = unitRandom({3, 2, 4}, 4).requires_grad_();
        const QString problem = gradCheck([&] { return infoNce(z, p, n, 0.2, m); }, {z, p, n, m});
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void bankFormsEqualTheMaterialisedOnes_data()
    {
        QTest::addColumn<bool>("useDouble");
        QTest::addColumn<bool>("pseudo");
        QTest::addColumn<double>("tau");
        QTest::newRow("double") << true << true << 0.07;
        QTest::newRow("float") << false << true << 0.07;
        QTest::newRow("float, no pseudo-negatives") << false << false << 0.07;
        QTest::newRow("double, tau 0.005 (logits to 200)") << true << false << 0.005;
    }
    void bankFormsEqualTheMaterialisedOnes()
    {
        QFETCH(bool, useDouble);
        QFETCH(bool, pseudo);
        QFETCH(double, tau);
        const auto type = useDouble ? at::kDouble : at::kFloat;
        const double tol = useDouble ? 1e-12 : 1e-5;
        // On the test device (SCNS_TEST_DEVICE): the CPU's fused kernels, a GPU's gather + bmm;
        // indices stay on the host, as the samplers make them. The reference is computed on the host.
        const auto dev = test::device();
        const auto on = [&](const at::Tensor& t) { return t.defined() ? t.to(dev) : t; };
        // d = 11: the fused kernel's 8-wide blocks plus a tail.
        const at::Tensor hostBank = unitRandom({40, 11}, 1).to(type);
        const at::Tensor bank = on(hostBank), z = on(unitRandom({3, 11}, 2).to(type));
        const at::Tensor p = on(unitRandom({3, 11}, 3).to(type));
        const at::Tensor m = pseudo ? on(unitRandom({3, 2, 11}, 4).to(type)) : at::Tensor();
        const at::Tensor idx = at::randint(40, {3, 7}, makeGenerator(5), at::kLong);
        const at::Tensor rows = bank.index_select(0, on(idx.view({-1}))).view({3, 7, 11});
        const at::Tensor dots = gatherDot(z, bank, idx);
        QCOMPARE(dots.device(), dev);
        QVERIFY(at::allclose(dots, at::bmm(rows, z.unsqueeze(2)).squeeze(2), tol, tol));
        const auto host = [](const at::Tensor& t) { return t.defined() ? t.to(at::kCPU, at::kDouble) : t; };
        const double want = naiveInfoNce(host(z), host(p), host(hostBank).index_select(0, idx.view({-1})).view({3, 7, 11}), tau,
                                         host(m));
        const double got = bankInfoNce(z, p, bank, idx, tau, m).item<double>();
        QVERIFY2(std::isfinite(got) && std::abs(got - want) < 10 * tol * std::max(1.0, want),
                 qPrintable(QString("%1 vs %2").arg(got, 0, 'g', 12).arg(want, 0, 'g', 12)));
        NceLoss a(NceLossOptions(40)), b(NceLossOptions(40));
        QVERIFY(std::abs(a.forwardBank(z, p, bank, idx).item<double>() - b(z, p, rows).item<double>()) < 1e3 * tol);
        QVERIFY(std::abs(*a.normalizer() - *b.normalizer()) < 1e3 * tol * *b.normalizer());
        // Gradients with respect to z equal those of the materialised form.
        const at::Tensor z1 = z.clone().requires_grad_(), z2 = z.clone().requires_grad_();
        bankInfoNce(z1, p, bank, idx, tau, m).backward();
        infoNce(z2, p, rows, tau, m).backward();
        QVERIFY(at::allclose(z1.grad(), z2.grad(), 1e3 * tol, 1e3 * tol));
    }

    // The GPU's strategy (one matrix product, then a gather) against the CPU's fused kernel:
    // the same logits and the same gradient with respect to z, on the test device.
    void denseGatherEqualsTheFusedKernel()
    {
        const auto dev = test::device();
        const at::Tensor bank = unitRandom({200, 11}, 1).to(at::kFloat);
        const at::Tensor z = unitRandom({5, 11}, 2).to(at::kFloat);
        const at::Tensor idx = at::randint(200, {5, 33}, makeGenerator(3), at::kLong);
        const at::Tensor w = at::randn({5, 33}, makeGenerator(4), at::kFloat);  // a loss that weighs each logit
        const at::Tensor z1 = z.clone().requires_grad_(), z2 = z.to(dev).requires_grad_();
        const at::Tensor fused = gatherDot(z1, bank, idx);
        const at::Tensor dense = gatherDotDense(z2, bank.to(dev), idx);
        QVERIFY(at::allclose(dense.cpu(), fused, 1e-5, 1e-6));
        (fused * w).sum().backward();
        (dense * w.to(dev)).sum().backward();
        QVERIFY(at::allclose(z2.grad().cpu(), z1.grad(), 1e-5, 1e-6));
        QVERIFY(z1.grad().abs().sum().item<double>() > 0.1);  // a gradient, not two zeros
        QVERIFY_THROWS_EXCEPTION(c10::Error, gatherDotDense(z, bank, at::full({5, 3}, 200, at::kLong)));
    }

    // A bfloat16 bank (contrastive.bank_dtype) gives the logits, loss and gradient of its float32
    // copy: exactly on a CPU (widened once), to bfloat16 rounding where the product runs in bf16.
    void reducedBankEqualsItsFloatCopy()
    {
        const auto dev = test::device();
        const double tol = dev.is_cpu() ? 0.0 : 2e-2;
        const at::Tensor bank = unitRandom({600, 16}, 1).to(at::kFloat).to(dev, at::kBFloat16);
        const at::Tensor widened = bank.to(at::kFloat);
        const at::Tensor z = unitRandom({4, 16}, 2).to(dev, at::kFloat), p = unitRandom({4, 16}, 3).to(dev, at::kFloat);
        const at::Tensor idx = at::randint(600, {4, 50}, makeGenerator(4), at::kLong);
        QVERIFY(at::allclose(gatherDot(z, bank, idx), gatherDot(z, widened, idx), tol, tol));
        const at::Tensor z1 = z.clone().requires_grad_(), z2 = z.clone().requires_grad_();
        const at::Tensor a = bankInfoNce(z1, p, bank, idx, 0.1), b = bankInfoNce(z2, p, widened, idx, 0.1);
        QVERIFY(std::abs(a.item<double>() - b.item<double>()) <= tol * std::abs(b.item<double>()) + 1e-12);
        a.backward();
        b.backward();
        QVERIFY(at::allclose(z1.grad(), z2.grad(), tol + 1e-7, tol + 1e-7));
        // A double bank for float z is still a dtype error, not a silent conversion.
        QVERIFY_THROWS_EXCEPTION(c10::Error, gatherDot(z, widened.to(at::kDouble), idx));
    }

    void bankInfoNceGradientsMatchFiniteDifferences()
    {
        const at::Tensor bank = unitRandom({30, 9}, 1);
        at::Tensor z = unitRandom({3, 9}, 2).requires_grad_(), p = unitRandom({3, 9}, 3).requires_grad_();
        at::Tensor m = unitRandom({3, 2, 9}, 4).requires_grad_();
        const at::Tensor idx = at::randint(30, {3, 6}, makeGenerator(5), at::kLong);
        const QString problem = gradCheck([&] { return bankInfoNce(z, p, bank, idx, 0.2, m); }, {z, p, m});
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void gatherDotRefusesBadInput()
    {
        const at::Tensor bank = unitRandom({10, 4}, 1), z = unitRandom({2, 4}, 2);
        QVERIFY_THROWS_EXCEPTION(c10::Error, gatherDot(z, bank, at::full({2, 3}, 10, at::kLong)));
        QVERIFY_THROWS_EXCEPTION(c10::Error, gatherDot(z, bank.clone().requires_grad_(), at::zeros({2, 3}, at::kLong)));
        QVERIFY_THROWS_EXCEPTION(c10::Error, gatherDot(z, bank.to(at::kFloat), at::zeros({2, 3}, at::kLong)));
        QVERIFY_THROWS_EXCEPTION(c10::Error, gatherDot(z, bank, at::zeros({3, 3}, at::kLong)));
    }

    void nceEqualsCrdsComputation()
    {
        const double tau = 0.07, N = 1000;
        const at::Tensor z = unitRandom({3, 4}, 1), p = unitRandom({3, 4}, 2), n = unitRandom({3, 5, 4}, 3);
        NceLoss loss(NceLossOptions(1000).tau(tau));
        QVERIFY(!loss.normalizer().has_value());
        const double got = loss(z, p, n).item<double>();
        const double Z = naiveZ(z, p, n, tau, N);
        QVERIFY(loss.normalizer().has_value());
        QVERIFY(std::abs(*loss.normalizer() - Z) < 1e-9 * Z);
        QVERIFY2(std::abs(got - naiveNce(z, p, n, tau, N, Z)) < 1e-10, qPrintable(QString::number(got)));
        // Z stays: a second batch is normalised with the first batch's Z.
        const at::Tensor z2 = unitRandom({3, 4}, 7), p2 = unitRandom({3, 4}, 8), n2 = unitRandom({3, 5, 4}, 9);
        const double second = loss(z2, p2, n2).item<double>();
        QCOMPARE(*loss.normalizer(), Z);
        QVERIFY(std::abs(second - naiveNce(z2, p2, n2, tau, N, Z)) < 1e-10);
        QVERIFY(std::abs(second - naiveNce(z2, p2, n2, tau, N, naiveZ(z2, p2, n2, tau, N))) > 1e-6);
        // Float, CRD's precision.
        NceLoss single(NceLossOptions(1000).tau(tau));
        const double f = single(z.to(at::kFloat), p.to(at::kFloat), n.to(at::kFloat)).item<double>();
        QVERIFY(std::abs(f - naiveNce(z, p, n, tau, N, Z)) < 1e-4 * std::max(1.0, std::abs(f)));
    }

    void nceGradientsMatchFiniteDifferences()
    {
        at::Tensor z = unitRandom({3, 4}, 1).requires_grad_(), p = unitRandom({3, 4}, 2).requires_grad_();
        at::Tensor n = unitRandom({3, 5, 4}, 3).requires_grad_();
        NceLoss loss(NceLossOptions(50).tau(0.2));
        loss.setNormalizer(40.0);
        const QString problem = gradCheck([&] { return loss(z, p, n); }, {z, p, n});
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void badTemperaturesAreConfigErrors()
    {
        const at::Tensor z = unitRandom({2, 3}, 1), n = unitRandom({2, 4, 3}, 2);
        for (double tau : {0.0, -0.1, std::nan("")}) {
            try {
                infoNce(z, z, n, tau);
                QFAIL("no ConfigError");
            } catch (const ConfigError& e) {
                QCOMPARE(e.problems().front().field, std::string("contrastive.tau"));
            }
            QVERIFY_THROWS_EXCEPTION(ConfigError, NceLoss(NceLossOptions(10).tau(tau)));
        }
        QVERIFY_THROWS_EXCEPTION(c10::Error, infoNce(z, z, unitRandom({3, 4, 3}, 2), 0.1));
    }
};

QTEST_GUILESS_MAIN(TestInfoNce)
#include "test_info_nce.moc"
