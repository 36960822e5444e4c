#include "views/run_curves.h"

#include <algorithm>
#include <set>

#include "store/run_store.h"

namespace scns {

QStringList RunCurves::append(const QList<MetricRow>& rows)
{
    QStringList changed;
    for (const auto& r : rows) {
        auto& s = series[r.name];
        if (!s.empty() && r.step < s.back().step) {
            auto from = std::lower_bound(s.begin(), s.end(), r.step,
                                         [](const MetricRow& a, std::int64_t step) { return a.step < step; });
            s.erase(from, s.end());
        }
        s.push_back(r);
        const QString n = QString::fromStdString(r.name);
        if (!changed.contains(n))
            changed << n;
    }
    return changed;
}

RunCurvesLoad loadRunCurves(const std::filesystem::path& dbPath, const QList<qint64>& runIds)
{
    RunCurvesLoad out;
    RunStore store(dbPath);
    for (const qint64 id : runIds) {
        try {
            RunCurves rc;
            rc.runId = id;
            const RunRecord rec = store.run(id);
            rc.name = QString::fromStdString(rec.name);
            for (auto& row : store.metrics(id)) {
                auto& s = rc.series[row.name];
                s.push_back(std::move(row));
            }
            // metrics() orders by step then name: each series is already in step order.
            out.runs.push_back(std::move(rc));
        } catch (const std::exception& e) {
            out.errors << QString::fromStdString(e.what());
        }
    }
    return out;
}

QStringList metricNamesOf(const std::vector<RunCurves>& runs)
{
    std::set<std::string> names;
    for (const auto& r : runs)
        for (const auto& [name, rows] : r.series)
            names.insert(name);
    QStringList out;
    for (const auto& n : names)
        out << QString::fromStdString(n);
    return out;
}

}  // namespace scns
