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

enum class CurveAxis { Step, Epoch };

struct XYSeries {
    QVector<double> x, y;
};

// A metric is epoch-wise when no epoch holds more than one of its rows (test/top1, the
// sampler statistics); otherwise step-wise (train/loss, train/lr). Rows must be in step order.
bool isEpochWise(const std::vector<MetricRow>& rows);

// Rows of one metric, in store order (by step), as x/y. Step axis: x = step. Epoch axis:
// epoch-wise rows sit at x = epoch; step-wise rows spread over (epoch - 1, epoch] by their
// position among the epoch's steps, so both kinds share one epoch axis.
XYSeries toSeries(const std::vector<MetricRow>& rows, CurveAxis axis);

// Debiased exponential moving average (TensorBoard's smoothing): weight in [0, 1), 0 leaves
// the values unchanged. Non-finite values pass through without entering the average, so a
// diverged loss does not poison the rest of the curve.
QVector<double> emaSmooth(const QVector<double>& y, double weight);

}  // namespace scns
