#include "views/metric_series.h"

#include <cmath>
#include <map>

namespace scns {

bool isEpochWise(const std::vector<MetricRow>& rows)
{
    std::map<std::int64_t, int> perEpoch;
    for (const auto& r : rows)
        if (++perEpoch[r.epoch] > 1)
            return false;
    return true;
}

XYSeries toSeries(const std::vector<MetricRow>& rows, CurveAxis axis)
{
    XYSeries s;
    s.x.reserve(static_cast<qsizetype>(rows.size()));
    s.y.reserve(static_cast<qsizetype>(rows.size()));
    if (axis == CurveAxis::Step || isEpochWise(rows)) {
        for (const auto& r : rows) {
            s.x.push_back(axis == CurveAxis::Step ? static_cast<double>(r.step) : static_cast<double>(r.epoch));
            s.y.push_back(r.value);
        }
        return s;
    }
    // Step-wise on the epoch axis: the i-th of n rows of epoch e sits at e - 1 + (i + 1) / n.
    std::map<std::int64_t, int> count;
    for (const auto& r : rows)
        ++count[r.epoch];
    std::map<std::int64_t, int> seen;
    for (const auto& r : rows) {
        const int i = ++seen[r.epoch];
        s.x.push_back(static_cast<double>(r.epoch - 1) + static_cast<double>(i) / count[r.epoch]);
        s.y.push_back(r.value);
    }
    return s;
}

QVector<double> emaSmooth(const QVector<double>& y, double weight)
{
    if (weight <= 0)
        return y;
    QVector<double> out(y.size());
    double avg = 0, norm = 0;
    for (qsizetype i = 0; i < y.size(); ++i) {
        if (!std::isfinite(y[i])) {
            out[i] = y[i];
            continue;
        }
        avg = weight * avg + (1 - weight) * y[i];
        norm = weight * norm + (1 - weight);
        out[i] = avg / norm;
    }
    return out;
}

}  // namespace scns
