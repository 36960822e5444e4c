#include "views/metric_series.h"

#include <cmath>

namespace scns {

bool isEpochWise(const std::vector<MetricRow>& rows)
{
    // Rows come in step order, so an epoch's rows are adjacent: one linear pass (this runs on
    // the GUI thread for every live update).
    for (std::size_t i = 1; i < rows.size(); ++i)
        if (rows[i].epoch == rows[i - 1].epoch)
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
    // Step-wise on the epoch axis: the i-th (1-based) of n rows of epoch e sits at e - 1 + i / n.
    std::size_t begin = 0;
    while (begin < rows.size()) {
        std::size_t end = begin;
        while (end < rows.size() && rows[end].epoch == rows[begin].epoch)
            ++end;
        const double n = static_cast<double>(end - begin);
        for (std::size_t i = begin; i < end; ++i) {
            s.x.push_back(static_cast<double>(rows[i].epoch - 1) + static_cast<double>(i - begin + 1) / n);
            s.y.push_back(rows[i].value);
        }
        begin = end;
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
