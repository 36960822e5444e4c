#include "views/metric_series.h"

#include <map>

#include "views/welch_test.h"

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

XYSeries toSeries(const std::vector<MetricRow>& rows, CurveAxis axis, double timeOrigin)
{
    XYSeries s;
    s.x.reserve(static_cast<qsizetype>(rows.size()));
    s.y.reserve(static_cast<qsizetype>(rows.size()));
    if (isTimeAxis(axis)) {
        const double origin = axis == CurveAxis::RelativeTime ? timeOrigin : 0.0;
        for (const auto& r : rows)
            if (std::isfinite(r.wallTime)) {
                s.x.push_back(r.wallTime - origin);
                s.y.push_back(r.value);
            }
        return s;
    }
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

double studentT975(double df)
{
    // Bisection on the two-sided p-value: P(|T| >= t) = 0.05.
    double lo = 0, hi = 1000;
    for (int i = 0; i < 200 && hi - lo > 1e-12; ++i) {
        const double mid = 0.5 * (lo + hi);
        (studentTTwoSidedP(mid, df) > 0.05 ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

BandSeries seedBand(const std::vector<XYSeries>& members, BandKind kind)
{
    BandSeries out;
    out.members = static_cast<int>(members.size());
    if (members.empty())
        return out;
    // The x values every member has (each series is in x order).
    std::vector<std::map<double, double>> byX(members.size());
    for (std::size_t m = 0; m < members.size(); ++m)
        for (qsizetype i = 0; i < members[m].x.size(); ++i)
            byX[m][members[m].x[i]] = members[m].y[i];
    const double n = static_cast<double>(members.size());
    const double scale = kind == BandKind::Sd || members.size() < 2 ? 1.0 : studentT975(n - 1) / std::sqrt(n);
    for (const auto& [x, first] : byX.front()) {
        std::vector<double> values{first};
        for (std::size_t m = 1; m < byX.size(); ++m) {
            const auto it = byX[m].find(x);
            if (it == byX[m].end())
                break;
            values.push_back(it->second);
        }
        if (values.size() != members.size())
            continue;
        const SampleSummary s = summarize(values);
        out.x << x;
        out.mean << s.mean;
        out.lower << s.mean - scale * s.sd;
        out.upper << s.mean + scale * s.sd;
    }
    return out;
}

}  // namespace scns
