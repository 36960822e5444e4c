// Distillation losses: Hinton KD equals its closed form on fixed logits and is zero when the
// student equals the teacher; CRD's two-way loss equals a direct computation of the formula
// (both directions, shared negatives, own-row positives) on fixed embeddings and memory, in
// the InfoNCE and the NCE form; gradients reach both heads' embeddings and pass a
// finite-difference check.
#include <QtTest>

#include <cmath>
#include <vector>

#include <ATen/ATen.h>

#include "common/errors.h"
#include "grad_check.h"
#include "losses/crd_loss.h"
#include "losses/kd_loss.h"
#include "losses/nce_loss.h"
#include "sampling/counter_rng.h"

using namespace scns;

namespace {

using Matrix = std::vector<std::vector<double>>;

at::Tensor unitRandom(at::IntArrayRef shape, std::uint64_t seed)
{
    const at::Tensor x = at::randn(shape, makeGenerator(seed), at::kDouble);
    return (x / x.norm(2, -1, true)).contiguous();
}

Matrix toMatrix(const at::Tensor& t)
{
    Matrix m(static_cast<std::size_t>(t.size(0)), std::vector<double>(static_cast<std::size_t>(t.size(1))));
    for (std::int64_t i = 0; i < t.size(0); ++i)
        for (std::int64_t j = 0; j < t.size(1); ++j)
            m[i][j] = t[i][j].item<double>();
    return m;
}

double dot(const std::vector<double>& a, const std::vector<double>& b)
{
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        s += a[i] * b[i];
    return s;
}

// sum_c q_c log(q_c / p_c) * T^2 averaged over rows, q = softmax(t/T), p = softmax(s/T).
double closedFormKd(const Matrix& s, const Matrix& t, double T)
{
    double total = 0;
    for (std::size_t b = 0; b < s.size(); ++b) {
        double zs = 0, zt = 0;
        for (std::size_t c = 0; c < s[b].size(); ++c) {
            zs += std::exp(s[b][c] / T);
            zt += std::exp(t[b][c] / T);
        }
        for (std::size_t c = 0; c < s[b].size(); ++c) {
            const double q = std::exp(t[b][c] / T) / zt, p = std::exp(s[b][c] / T) / zs;
            total += q * std::log(q / p);
        }
    }
    return T * T * total / static_cast<double>(s.size());
}

// One InfoNCE direction written out: anchors A vs bank M, positive M[idx[b]], negatives M[neg[b][j]].
double directInfoNce(const Matrix& A, const Matrix& M, const std::vector<std::int64_t>& idx,
                     const std::vector<std::vector<std::int64_t>>& neg, double tau)
{
    double total = 0;
    for (std::size_t b = 0; b < A.size(); ++b) {
        const double pos = std::exp(dot(A[b], M[idx[b]]) / tau);
        double den = pos;
        for (const auto j : neg[b])
            den += std::exp(dot(A[b], M[j]) / tau);
        total -= std::log(pos / den);
    }
    return total / static_cast<double>(A.size());
}

// One NCE direction as RepDistiller computes it: Z = mean of exp(logits) * N on this batch.
double directNce(const Matrix& A, const Matrix& M, const std::vector<std::int64_t>& idx,
                 const std::vector<std::vector<std::int64_t>>& neg, double tau, double N)
{
    double zSum = 0;
    std::size_t count = 0;
    for (std::size_t b = 0; b < A.size(); ++b) {
        zSum += std::exp(dot(A[b], M[idx[b]]) / tau), ++count;
        for (const auto j : neg[b])
            zSum += std::exp(dot(A[b], M[j]) / tau), ++count;
    }
    const double Z = zSum / static_cast<double>(count) * N;
    const double K = static_cast<double>(neg[0].size()), Pn = 1.0 / N, eps = 1e-7;
    double total = 0;
    for (std::size_t b = 0; b < A.size(); ++b) {
        const double p0 = std::exp(dot(A[b], M[idx[b]]) / tau) / Z;
        total += std::log(p0 / (p0 + K * Pn + eps));
        for (const auto j : neg[b]) {
            const double pj = std::exp(dot(A[b], M[j]) / tau) / Z;
            total += std::log(K * Pn / (pj + K * Pn + eps));
        }
    }
    return -total / static_cast<double>(A.size());
}

struct Fixture {
    at::Tensor zS, zT, bankS, bankT, idx, neg;
    std::vector<std::int64_t> idxV;
    std::vector<std::vector<std::int64_t>> negV;
};

Fixture fixture()
{
    const std::int64_t B = 5, N = 40, K = 7, d = 6;
    Fixture f;
    f.zS = unitRandom({B, d}, 1);
    f.zT = unitRandom({B, d}, 2);
    f.bankS = unitRandom({N, d}, 3);
    f.bankT = unitRandom({N, d}, 4);
    f.idx = at::tensor(std::vector<std::int64_t>{3, 17, 0, 25, 39});
    f.neg = at::randint(0, N, {B, K}, makeGenerator(5), at::kLong);
    f.idxV.assign(f.idx.data_ptr<std::int64_t>(), f.idx.data_ptr<std::int64_t>() + B);
    for (std::int64_t b = 0; b < B; ++b)
        f.negV.emplace_back(f.neg[b].data_ptr<std::int64_t>(), f.neg[b].data_ptr<std::int64_t>() + K);
    return f;
}

CrdBatch batchOf(const Fixture& f)
{
    CrdBatch b;
    b.studentZ = f.zS;
    b.teacherZ = f.zT;
    b.studentBank = f.bankS;
    b.teacherBank = f.bankT;
    b.indices = f.idx;
    b.negativeIndices = f.neg;
    return b;
}

}  // namespace

class TestDistillLosses : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void kdEqualsClosedForm_data()
    {
        QTest::addColumn<double>("T");
        QTest::newRow("T = 1") << 1.0;
        QTest::newRow("T = 4 (CRD's default)") << 4.0;
        QTest::newRow("T = 0.5") << 0.5;
    }
    void kdEqualsClosedForm()
    {
        QFETCH(double, T);
        const auto s = at::randn({6, 10}, makeGenerator(7), at::kDouble) * 3;
        const auto t = at::randn({6, 10}, makeGenerator(8), at::kDouble) * 3;
        const double got = kdLoss(s, t, T).item<double>();
        const double want = closedFormKd(toMatrix(s), toMatrix(t), T);
        QVERIFY2(std::abs(got - want) <= 1e-10 * std::max(1.0, want), qPrintable(QString("%1 vs %2").arg(got).arg(want)));
        QVERIFY(want > 0.01);  // the fixture is not a degenerate case
    }

    void kdIsZeroWhenStudentEqualsTeacherAndHasGradient()
    {
        const auto t = at::randn({4, 10}, makeGenerator(9), at::kDouble);
        QVERIFY(std::abs(kdLoss(t.clone(), t, 4.0).item<double>()) < 1e-12);
        // Away from the teacher the gradient with respect to the student is T * (p - q) / B.
        const auto s = at::randn({4, 10}, makeGenerator(10), at::kDouble).requires_grad_(true);
        kdLoss(s, t, 4.0).backward();
        const auto want = 4.0 * (at::softmax(s.detach() / 4.0, 1) - at::softmax(t / 4.0, 1)) / 4.0;
        QVERIFY2(at::allclose(s.grad(), want, 1e-9, 1e-12), "KD gradient differs from T (p - q) / B");
    }

    // The temperature is a validated setting (distill.temperature, checked once where the
    // configuration enters: test_run_config); the loss checks only what the tensors say.
    void kdRejectsBadShapes()
    {
        const auto t = at::randn({2, 3});
        QVERIFY_THROWS_EXCEPTION(c10::Error, kdLoss(t, at::randn({2, 4}), 4.0));
    }

    void crdInfoNceEqualsTheFormula()
    {
        const Fixture f = fixture();
        const double tau = 0.3;
        const double got = crdInfoNce(batchOf(f), tau).item<double>();
        const double want = directInfoNce(toMatrix(f.zS), toMatrix(f.bankT), f.idxV, f.negV, tau)
                            + directInfoNce(toMatrix(f.zT), toMatrix(f.bankS), f.idxV, f.negV, tau);
        QVERIFY2(std::abs(got - want) <= 1e-9 * want, qPrintable(QString("%1 vs %2").arg(got, 0, 'g', 12).arg(want, 0, 'g', 12)));
        // Swapping the banks (a wrong pairing of directions) gives another value.
        CrdBatch swapped = batchOf(f);
        std::swap(swapped.studentBank, swapped.teacherBank);
        QVERIFY(std::abs(crdInfoNce(swapped, tau).item<double>() - want) > 1e-3);
    }

    void crdNceEqualsTheFormula()
    {
        const Fixture f = fixture();
        const double tau = 0.5, N = 40;
        NceLoss toTeacher(NceLossOptions(40).tau(tau)), toStudent(NceLossOptions(40).tau(tau));
        const double got = crdNce(batchOf(f), toTeacher, toStudent).item<double>();
        const double want = directNce(toMatrix(f.zS), toMatrix(f.bankT), f.idxV, f.negV, tau, N)
                            + directNce(toMatrix(f.zT), toMatrix(f.bankS), f.idxV, f.negV, tau, N);
        QVERIFY2(std::abs(got - want) <= 1e-7 * std::abs(want), qPrintable(QString("%1 vs %2").arg(got, 0, 'g', 12).arg(want, 0, 'g', 12)));
        // Each direction keeps its own Z.
        QVERIFY(toTeacher.normalizer() && toStudent.normalizer());
        QVERIFY(*toTeacher.normalizer() != *toStudent.normalizer());
    }

    void crdGradientsReachBothHeadsAndPassFiniteDifferences()
    {
        const Fixture f = fixture();
        CrdBatch b = batchOf(f);
        b.studentZ = f.zS.clone().requires_grad_(true);
        b.teacherZ = f.zT.clone().requires_grad_(true);
        crdInfoNce(b, 0.3).backward();
        QVERIFY(b.studentZ.grad().abs().sum().item<double>() > 0);
        QVERIFY(b.teacherZ.grad().abs().sum().item<double>() > 0);
        at::Tensor zs = f.zS.clone().requires_grad_(true), zt = f.zT.clone().requires_grad_(true);
        const QString mismatch = test::gradCheck(
            [&] {
                CrdBatch c = batchOf(f);
                c.studentZ = zs;
                c.teacherZ = zt;
                return crdInfoNce(c, 0.3);
            },
            {zs, zt});
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
    }
};

QTEST_GUILESS_MAIN(TestDistillLosses)
#include "test_distill_losses.moc"
