#include "views/welch_test.h"

#include <cmath>
#include <limits>

namespace scns {

SampleSummary summarize(const std::vector<double>& values)
{
    SampleSummary s;
    s.n = static_cast<int>(values.size());
    if (s.n == 0)
        return s;
    double sum = 0;
    for (double v : values)
        sum += v;
    s.mean = sum / s.n;
    if (s.n > 1) {
        double ss = 0;
        for (double v : values)
            ss += (v - s.mean) * (v - s.mean);
        s.sd = std::sqrt(ss / (s.n - 1));
    }
    return s;
}

namespace {

// Continued fraction of the incomplete beta function (Numerical Recipes' betacf form).
double betaContinuedFraction(double a, double b, double x)
{
    constexpr int kMaxIterations = 300;
    constexpr double kEps = 1e-15, kTiny = 1e-300;
    const double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (std::abs(d) < kTiny)
        d = kTiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= kMaxIterations; ++m) {
        const int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (std::abs(d) < kTiny)
            d = kTiny;
        c = 1 + aa / c;
        if (std::abs(c) < kTiny)
            c = kTiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (std::abs(d) < kTiny)
            d = kTiny;
        c = 1 + aa / c;
        if (std::abs(c) < kTiny)
            c = kTiny;
        d = 1 / d;
        const double del = d * c;
        h *= del;
        if (std::abs(del - 1) < kEps)
            break;
    }
    return h;
}

}  // namespace

double regularizedIncompleteBeta(double a, double b, double x)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    const double lnFront = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
    // The fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
    if (x < (a + 1) / (a + b + 2))
        return std::exp(lnFront) * betaContinuedFraction(a, b, x) / a;
    return 1 - std::exp(lnFront) * betaContinuedFraction(b, a, 1 - x) / b;
}

double studentTTwoSidedP(double t, double df)
{
    if (std::isnan(t) || !(df > 0))
        return std::numeric_limits<double>::quiet_NaN();
    if (std::isinf(t))
        return 0;
    return regularizedIncompleteBeta(df / 2, 0.5, df / (df + t * t));
}

WelchResult welchTTest(const std::vector<double>& a, const std::vector<double>& b)
{
    WelchResult r;
    const SampleSummary sa = summarize(a), sb = summarize(b);
    if (sa.n < 2 || sb.n < 2)
        return r;
    r.valid = true;
    const double va = sa.sd * sa.sd / sa.n, vb = sb.sd * sb.sd / sb.n;
    const double se2 = va + vb;
    if (se2 == 0) {
        // No spread in either group: the means are equal (p = 1) or certainly differ (p = 0).
        r.t = sa.mean == sb.mean ? 0 : std::copysign(std::numeric_limits<double>::infinity(), sa.mean - sb.mean);
        r.df = sa.n + sb.n - 2;
        r.p = sa.mean == sb.mean ? 1 : 0;
        return r;
    }
    r.t = (sa.mean - sb.mean) / std::sqrt(se2);
    r.df = se2 * se2 / (va * va / (sa.n - 1) + vb * vb / (sb.n - 1));
    r.p = studentTTwoSidedP(r.t, r.df);
    return r;
}

}  // namespace scns
