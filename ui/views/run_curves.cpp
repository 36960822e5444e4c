#include "views/run_curves.h"

#include "views/config_diff.h"

#include <algorithm>
#include <cmath>

#include "store/run_store.h"

namespace scns {

QStringList RunCurves::append(const QList<MetricRow>& rows)
{
    QStringList changed;
    for (const auto& r : rows) {
        names.insert(r.name);
        if (std::isnan(firstWallTime) || r.wallTime < firstWallTime)
            firstWallTime = std::isnan(r.wallTime) ? firstWallTime : r.wallTime;
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

RunCurvesLoad loadRunCurves(const std::filesystem::path& dbPath, const QList<qint64>& runIds,
                            const MetricChooser& choose)
{
    RunCurvesLoad out;
    RunStore store(dbPath);
    std::set<std::string> all;
    for (const qint64 id : runIds) {
        try {
            RunCurves rc;
            rc.runId = id;
            const RunRecord record = store.run(id);
            rc.name = QString::fromStdString(record.name);
            rc.config = flattenConfigText(record.configJson);
            for (auto& n : store.metricNames(id))
                rc.names.insert(std::move(n));
            if (const auto first = store.firstMetricWallTime(id))
                rc.firstWallTime = *first;
            all.insert(rc.names.begin(), rc.names.end());
            out.runs.push_back(std::move(rc));
        } catch (const std::exception& e) {
            out.errors << QString::fromStdString(e.what());
        }
    }
    const std::set<std::string> wanted = choose ? choose(all) : all;
    for (auto& rc : out.runs)
        for (const auto& name : wanted)
            if (rc.names.count(name))
                rc.series[name] = store.metrics(rc.runId, name);
    return out;
}

std::map<qint64, std::map<std::string, std::vector<MetricRow>>>
loadSeries(const std::filesystem::path& dbPath, const QList<qint64>& runIds, const std::set<std::string>& names)
{
    RunStore store(dbPath);
    std::map<qint64, std::map<std::string, std::vector<MetricRow>>> out;
    for (const qint64 id : runIds)
        for (const auto& name : names)
            out[id][name] = store.metrics(id, name);
    return out;
}

QStringList metricNamesOf(const std::vector<RunCurves>& runs)
{
    std::set<std::string> names;
    for (const auto& r : runs)
        names.insert(r.names.begin(), r.names.end());
    QStringList out;
    for (const auto& n : names)
        out << QString::fromStdString(n);
    return out;
}

}  // namespace scns
