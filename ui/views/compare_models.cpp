#include "views/compare_models.h"

#include <cmath>

#include "views/run_accuracy.h"

namespace scns {

QString formatPercent(std::optional<double> v)
{
    return v ? QString::number(*v, 'f', 2) : QStringLiteral("–");
}

QString formatP(double p)
{
    if (std::isnan(p))
        return QStringLiteral("–");
    if (p < 1e-10)
        return QStringLiteral("< 1e-10");
    return QString::number(p, 'g', 3);
}

// ---- RunSummaryModel ------------------------------------------------------------------

void RunSummaryModel::setRuns(std::vector<CompareRun> runs)
{
    beginResetModel();
    m_runs = std::move(runs);
    m_accuracy.clear();
    for (const auto& r : m_runs)
        m_accuracy.push_back(accuracyOf(r.top1));
    computeEpochsTo();
    endResetModel();
}

void RunSummaryModel::computeEpochsTo()
{
    m_epochsTo.clear();
    for (const auto& r : m_runs)
        m_epochsTo.push_back(epochsToAccuracy(r.top1, m_threshold));
}

void RunSummaryModel::setThreshold(double percent)
{
    m_threshold = percent;
    computeEpochsTo();
    if (!m_runs.empty())
        Q_EMIT dataChanged(index(0, EpochsToThreshold), index(rowCount() - 1, EpochsToThreshold));
    Q_EMIT headerDataChanged(Qt::Horizontal, EpochsToThreshold, EpochsToThreshold);
}

int RunSummaryModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_runs.size());
}

int RunSummaryModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RunSummaryModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role != Qt::DisplayRole && role != Qt::UserRole && role != Qt::TextAlignmentRole)
        return {};
    const auto& run = m_runs[static_cast<std::size_t>(index.row())];
    if (role == Qt::TextAlignmentRole)
        return index.column() >= Seed ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    const RunAccuracy& acc = m_accuracy[static_cast<std::size_t>(index.row())];
    const bool raw = role == Qt::UserRole;
    switch (index.column()) {
    case Run:
        return raw ? QVariant(run.id) : QVariant(QStringLiteral("%1 (#%2)").arg(run.name).arg(run.id));
    case Status:
        return run.status;
    case Seed:
        return run.seed;
    case Epochs:
        return acc.epochs;
    case FinalTop1:
        return raw ? (acc.final ? QVariant(*acc.final) : QVariant()) : QVariant(formatPercent(acc.final));
    case BestTop1:
        return raw ? (acc.best ? QVariant(*acc.best) : QVariant()) : QVariant(formatPercent(acc.best));
    case BestEpoch:
        return acc.best ? QVariant(static_cast<qint64>(acc.bestEpoch)) : (raw ? QVariant() : QVariant(QStringLiteral("–")));
    case EpochsToThreshold: {
        const auto& e = m_epochsTo[static_cast<std::size_t>(index.row())];
        if (e)
            return static_cast<qint64>(*e);
        return raw ? QVariant() : QVariant(tr("not reached"));
    }
    default:
        return {};
    }
}

QVariant RunSummaryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Run: return tr("Run");
    case Status: return tr("Status");
    case Seed: return tr("Seed");
    case Epochs: return tr("Epochs");
    case FinalTop1: return tr("Final test top-1 (%)");
    case BestTop1: return tr("Best test top-1 (%)");
    case BestEpoch: return tr("Best at epoch");
    case EpochsToThreshold: return tr("Epochs to %1 %").arg(m_threshold);
    default: return {};
    }
}

// ---- ConfigDiffModel ------------------------------------------------------------------

void ConfigDiffModel::setRuns(const std::vector<CompareRun>& runs)
{
    beginResetModel();
    m_runNames.clear();
    std::vector<std::map<std::string, std::string>> configs;
    for (const auto& r : runs) {
        m_runNames << QStringLiteral("%1 (#%2)").arg(r.name).arg(r.id);
        configs.push_back(r.config);
    }
    m_rows = diffConfigs(configs);
    endResetModel();
}

int ConfigDiffModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ConfigDiffModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_runNames.size()) + 1;
}

QVariant ConfigDiffModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != Qt::UserRole)
        return {};
    const auto& row = m_rows[static_cast<std::size_t>(index.row())];
    if (index.column() == 0)
        return QString::fromStdString(row.key);
    const auto& v = row.values[static_cast<std::size_t>(index.column() - 1)];
    return v.empty() ? tr("(unset)") : QString::fromStdString(v);
}

QVariant ConfigDiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (section == 0)
        return tr("Setting");
    return section - 1 < m_runNames.size() ? QVariant(m_runNames[section - 1]) : QVariant();
}

// ---- SeedGroupModel -------------------------------------------------------------------

void SeedGroupModel::setRuns(const std::vector<CompareRun>& runs, GroupStatistic statistic)
{
    beginResetModel();
    m_statistic = statistic;
    m_groups.clear();
    std::vector<std::map<std::string, std::string>> configs;
    for (const auto& r : runs)
        configs.push_back(r.config);
    for (auto& g : groupBySeed(configs)) {
        GroupStats s;
        for (int i : g.members) {
            const auto& run = runs[static_cast<std::size_t>(i)];
            s.runIds << run.id;
            s.seeds << run.seed;
            const RunAccuracy acc = accuracyOf(run.top1);
            const auto v = statistic == GroupStatistic::FinalTop1 ? acc.final : acc.best;
            if (v)
                s.values.push_back(*v);
        }
        s.summary = summarize(s.values);
        s.group = std::move(g);
        m_groups.push_back(std::move(s));
    }
    endResetModel();
}

int SeedGroupModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_groups.size());
}

int SeedGroupModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant SeedGroupModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role != Qt::DisplayRole && role != Qt::UserRole)
        return {};
    const auto& g = m_groups[static_cast<std::size_t>(index.row())];
    const bool raw = role == Qt::UserRole;
    QStringList seeds;
    for (auto s : g.seeds)
        seeds << QString::number(s);
    const bool any = g.summary.n > 0;
    switch (index.column()) {
    case Group: return QString::fromStdString(g.group.label);
    case Runs: return static_cast<int>(g.runIds.size());
    case Seeds: return seeds.join(QStringLiteral(", "));
    case Mean:
        return !any ? QVariant() : raw ? QVariant(g.summary.mean) : QVariant(QString::number(g.summary.mean, 'f', 2));
    case Sd:
        return g.summary.n < 2 ? QVariant() : raw ? QVariant(g.summary.sd) : QVariant(QString::number(g.summary.sd, 'f', 2));
    case MeanSd:
        if (!any)
            return raw ? QVariant() : QVariant(QStringLiteral("–"));
        return QStringLiteral("%1 ± %2 (n = %3)")
            .arg(QString::number(g.summary.mean, 'f', 2), QString::number(g.summary.sd, 'f', 2))
            .arg(g.summary.n);
    default: return {};
    }
}

QVariant SeedGroupModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    const QString stat = m_statistic == GroupStatistic::FinalTop1 ? tr("final top-1") : tr("best top-1");
    switch (section) {
    case Group: return tr("Group (settings that differ)");
    case Runs: return tr("Runs");
    case Seeds: return tr("Seeds");
    case Mean: return tr("Mean %1 (%)").arg(stat);
    case Sd: return tr("SD");
    case MeanSd: return tr("%1: mean ± SD").arg(stat);
    default: return {};
    }
}

// ---- GroupTestModel -------------------------------------------------------------------

void GroupTestModel::setGroups(const std::vector<GroupStats>& groups)
{
    beginResetModel();
    m_pairs.clear();
    for (int a = 0; a < static_cast<int>(groups.size()); ++a)
        for (int b = a + 1; b < static_cast<int>(groups.size()); ++b) {
            const auto& ga = groups[static_cast<std::size_t>(a)];
            const auto& gb = groups[static_cast<std::size_t>(b)];
            Pair p;
            p.a = a;
            p.b = b;
            p.labelA = QStringLiteral("%1: %2").arg(a + 1).arg(QString::fromStdString(ga.group.label));
            p.labelB = QStringLiteral("%1: %2").arg(b + 1).arg(QString::fromStdString(gb.group.label));
            p.difference = ga.summary.mean - gb.summary.mean;
            p.result = welchTTest(ga.values, gb.values);
            m_pairs.push_back(p);
        }
    endResetModel();
}

int GroupTestModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_pairs.size());
}

int GroupTestModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant GroupTestModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role != Qt::DisplayRole && role != Qt::UserRole)
        return {};
    const auto& p = m_pairs[static_cast<std::size_t>(index.row())];
    const bool raw = role == Qt::UserRole;
    const bool valid = p.result.valid;
    switch (index.column()) {
    case GroupA: return p.labelA;
    case GroupB: return p.labelB;
    case Difference: return raw ? QVariant(p.difference) : QVariant(QString::number(p.difference, 'f', 2));
    case T:
        if (!valid)
            return raw ? QVariant() : QVariant(tr("needs ≥ 2 runs per group"));
        return raw ? QVariant(p.result.t) : QVariant(QString::number(p.result.t, 'f', 3));
    case Df:
        if (!valid)
            return {};
        return raw ? QVariant(p.result.df) : QVariant(QString::number(p.result.df, 'f', 2));
    case P:
        if (!valid)
            return {};
        return raw ? QVariant(p.result.p) : QVariant(formatP(p.result.p));
    default: return {};
    }
}

QVariant GroupTestModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case GroupA: return tr("Group A");
    case GroupB: return tr("Group B");
    case Difference: return tr("Mean A − B");
    case T: return tr("Welch t");
    case Df: return tr("df");
    case P: return tr("p (two-sided)");
    default: return {};
    }
}

}  // namespace scns
