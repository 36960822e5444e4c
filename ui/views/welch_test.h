#pragma once
// Summary statistics and Welch's two-sample t-test (unequal variances), for comparing groups
// of runs that differ only by seed. Plain C++.
#include <vector>

namespace scns {

struct SampleSummary {
    int n = 0;
    double mean = 0;
    double sd = 0;  // sample standard deviation (n - 1); 0 for n < 2
};
SampleSummary summarize(const std::vector<double>& values);

struct WelchResult {
    bool valid = false;  // false when a group has fewer than 2 values
    double t = 0;
    double df = 0;       // Welch-Satterthwaite degrees of freedom
    double p = 1;        // two-sided
};
WelchResult welchTTest(const std::vector<double>& a, const std::vector<double>& b);

// Regularised incomplete beta function I_x(a, b) (continued fraction, Lentz's method).
double regularizedIncompleteBeta(double a, double b, double x);
// Two-sided p-value of Student's t with df degrees of freedom: P(|T| >= |t|).
double studentTTwoSidedP(double t, double df);

}  // namespace scns
