#pragma once
// Pearson's chi-square goodness-of-fit test for the samplers' empirical distributions.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace scns::test {

// Critical value of the chi-square distribution at p = 0.001: exact table up to 10 degrees of
// freedom, Wilson-Hilferty above (within 0.5% there).
inline double chiSquareCritical001(std::int64_t df)
{
    static const double table[] = {0, 10.828, 13.816, 16.266, 18.467, 20.515, 22.458, 24.322, 26.124, 27.877, 29.588};
    if (df <= 10)
        return table[df];
    const double k = static_cast<double>(df), z = 3.090232;  // upper 0.1% normal quantile
    const double t = 1.0 - 2.0 / (9.0 * k) + z * std::sqrt(2.0 / (9.0 * k));
    return k * t * t * t;
}

struct ChiSquare {
    double statistic = 0;
    std::int64_t df = 0;
    double critical = 0;
    bool passes() const { return statistic < critical; }
};

// observed: counts per cell; probabilities: the hypothesis (summing to 1). A cell with zero
// probability but a positive count makes the statistic infinite; zero-probability cells do not
// count as degrees of freedom.
inline ChiSquare chiSquare(const std::vector<double>& observed, const std::vector<double>& probabilities)
{
    double n = 0;
    for (double o : observed)
        n += o;
    ChiSquare r;
    std::int64_t cells = 0;
    for (std::size_t i = 0; i < observed.size(); ++i) {
        const double e = n * probabilities[i];
        if (e <= 0) {
            if (observed[i] > 0)
                r.statistic = std::numeric_limits<double>::infinity();
            continue;
        }
        ++cells;
        r.statistic += (observed[i] - e) * (observed[i] - e) / e;
    }
    r.df = cells - 1;
    r.critical = chiSquareCritical001(r.df);
    return r;
}

}  // namespace scns::test
