#pragma once
// Metric rows turned into plottable series: the x coordinate (optimiser step or epoch),
// whether a metric is recorded per step or per epoch, and exponential smoothing.
// Plain functions over scns::MetricRow so the curves, sampler and compare views agree.
#include <QVector>
#include <cstdint>
#include <string>
#include <vector>

#include "store/run_record.h"

namespace scns {

// The x axis of a curve: optimiser step, epoch, the time a row was recorded (seconds since
// 1970-01-01 UTC, shown as local date and time), or the time since the run's first row.
enum class CurveAxis { Step, Epoch, WallTime, RelativeTime };

inline bool isTimeAxis(CurveAxis axis) { return axis == CurveAxis::WallTime || axis == CurveAxis::RelativeTime; }

struct XYSeries {
    QVector<double> x, y;
};

// A metric is epoch-wise when no epoch holds more than one of its rows (test/top1, the
// sampler statistics); otherwise step-wise (train/loss, train/lr). Rows must be in step order.
bool isEpochWise(const std::vector<MetricRow>& rows);

// Rows of one metric, in store order (by step), as x/y. Step axis: x = step. Epoch axis:
// epoch-wise rows sit at x = epoch; step-wise rows spread over (epoch - 1, epoch] by their
// position among the epoch's steps, so both kinds share one epoch axis. Wall time: x = the
// row's wall time; relative time: x = wall time - timeOrigin (seconds); rows without a wall
// time are left out on both.
XYSeries toSeries(const std::vector<MetricRow>& rows, CurveAxis axis, double timeOrigin = 0);

// Debiased exponential moving average (TensorBoard's smoothing): weight in [0, 1), 0 leaves
// the values unchanged. Non-finite values pass through without entering the average, so a
// diverged loss does not poison the rest of the curve.
QVector<double> emaSmooth(const QVector<double>& y, double weight);

// How a seed group's spread is drawn around its mean: one sample standard deviation, or the
// 95% confidence interval of the mean (Student's t with n - 1 degrees of freedom).
enum class BandKind { Sd, Ci95 };

// A seed group's curve: at each x that every member has, the members' mean and the band
// [mean - h, mean + h] (h = sd, or t_{0.975, n-1} sd / sqrt(n)); n members, h = 0 when n < 2.
struct BandSeries {
    QVector<double> x, mean, lower, upper;
    int members = 0;
};
BandSeries seedBand(const std::vector<XYSeries>& members, BandKind kind);

// The two-sided 95% quantile of Student's t with df degrees of freedom (12.706 at df = 1,
// 1.96 as df grows).
double studentT975(double df);

}  // namespace scns
