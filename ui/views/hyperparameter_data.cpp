#include "views/hyperparameter_data.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "browser/run_summary.h"
#include "store/run_store.h"
#include "views/config_diff.h"

namespace scns {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const QString kNone = QStringLiteral("(none)");

// A setting's JSON text as a number, or nothing ("class", true, [1, 2] are not numbers).
std::optional<double> numberOf(const std::string& text)
{
    if (text.empty())
        return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(v))
        return std::nullopt;
    return v;
}

// JSON text for display: strings without their quotes.
QString shown(const std::string& text)
{
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
        return QString::fromStdString(text.substr(1, text.size() - 2));
    return text.empty() ? kNone : QString::fromStdString(text);
}

std::string settingOf(const HyperparameterRun& run, const std::string& key)
{
    const auto it = run.settings.find(key);
    return it == run.settings.end() ? std::string() : it->second;
}

double metricOf(const HyperparameterRun& run, const QString& metric)
{
    const auto it = run.values.find(metric.toStdString());
    return it == run.values.end() ? kNaN : it->second;
}

}  // namespace

HyperparameterLoad loadHyperparameterRuns(const std::filesystem::path& dbPath, const QList<qint64>& runIds)
{
    HyperparameterLoad out;
    RunStore store(dbPath);
    std::set<std::string> names;
    for (const qint64 id : runIds) {
        try {
            const RunSummary summary = summarizeRun(store.run(id));
            HyperparameterRun run;
            run.id = id;
            run.name = summary.name;
            run.settings = summary.settings;
            for (auto& n : store.metricNames(id))
                names.insert(std::move(n));
            out.runs.push_back(std::move(run));
        } catch (const std::exception& e) {
            out.errors << QString::fromStdString(e.what());
        }
    }
    const auto fill = [&out](const std::string& choice, const std::map<std::int64_t, double>& values) {
        for (auto& run : out.runs)
            if (const auto v = values.find(run.id); v != values.end())
                run.values[choice] = v->second;
    };
    if (names.count("test/top1")) {
        out.metrics << kBestTop1;
        fill(kBestTop1.toStdString(), store.maxValues("test/top1"));
    }
    for (const std::string& name : names) {
        out.metrics << QString::fromStdString(name);
        fill(name, store.lastValues(name));
    }
    // The usual question first: the final test accuracy.
    if (const auto i = out.metrics.indexOf(QStringLiteral("test/top1")); i > 0)
        out.metrics.move(i, 0);
    return out;
}

double ParallelAxis::position(double value) const
{
    if (!std::isfinite(value))
        return kNaN;
    return max > min ? (value - min) / (max - min) : 0.5;
}

double ParallelAxis::position(const std::string& value) const
{
    if (numeric) {
        const auto v = numberOf(value);
        return v ? position(*v) : kNaN;
    }
    const auto i = categories.indexOf(shown(value));
    if (i < 0)
        return kNaN;
    return categories.size() > 1 ? static_cast<double>(i) / static_cast<double>(categories.size() - 1) : 0.5;
}

QString ParallelAxis::label(double p) const
{
    if (numeric)
        return QString::number(min + p * (max - min), 'g', 4);
    if (categories.isEmpty())
        return {};
    const auto i = static_cast<qsizetype>(std::lround(p * static_cast<double>(categories.size() - 1)));
    return categories.value(std::clamp<qsizetype>(i, 0, categories.size() - 1));
}

std::vector<ParallelAxis> parallelAxes(const std::vector<HyperparameterRun>& runs, const QString& metric)
{
    std::vector<std::map<std::string, std::string>> configs;
    for (const auto& r : runs)
        configs.push_back(r.settings);
    std::vector<ParallelAxis> axes;
    for (const ConfigDiffRow& row : diffConfigs(configs)) {
        if (isSeedKey(row.key))
            continue;
        ParallelAxis axis;
        axis.key = QString::fromStdString(row.key);
        std::vector<double> numbers;
        for (const std::string& v : row.values) {
            const auto n = numberOf(v);
            axis.numeric = axis.numeric && n.has_value();
            if (n)
                numbers.push_back(*n);
        }
        if (axis.numeric) {
            axis.min = *std::min_element(numbers.begin(), numbers.end());
            axis.max = *std::max_element(numbers.begin(), numbers.end());
        } else {
            std::set<QString> distinct;
            for (const std::string& v : row.values)
                distinct.insert(shown(v));
            axis.categories = QStringList(distinct.begin(), distinct.end());
        }
        axes.push_back(axis);
    }
    ParallelAxis m;
    m.key = metric;
    bool any = false;
    for (const auto& r : runs) {
        const double v = metricOf(r, metric);
        if (!std::isfinite(v))
            continue;
        m.min = any ? std::min(m.min, v) : v;
        m.max = any ? std::max(m.max, v) : v;
        any = true;
    }
    axes.push_back(m);
    return axes;
}

double axisPosition(const ParallelAxis& axis, const HyperparameterRun& run, const QString& metric, bool isMetric)
{
    return isMetric ? axis.position(metricOf(run, metric)) : axis.position(settingOf(run, axis.key.toStdString()));
}

QList<qint64> brushedRuns(const std::vector<HyperparameterRun>& runs, const std::vector<ParallelAxis>& axes,
                          const std::map<int, Brush>& brushes, const QString& metric)
{
    QList<qint64> out;
    for (const auto& run : runs) {
        bool inside = true;
        for (const auto& [i, brush] : brushes) {
            if (i < 0 || i >= static_cast<int>(axes.size()))
                continue;
            const double p =
                axisPosition(axes[static_cast<std::size_t>(i)], run, metric, i == static_cast<int>(axes.size()) - 1);
            inside = inside && std::isfinite(p) && p >= brush.low - 1e-9 && p <= brush.high + 1e-9;
        }
        if (inside)
            out << run.id;
    }
    return out;
}

}  // namespace scns
