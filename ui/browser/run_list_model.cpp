#include "browser/run_list_model.h"

#include <QBrush>
#include <QColor>

#include <set>

namespace scns {

namespace {

// A setting's cell: the JSON text without a string's quotes; sorted as a number when it is one.
QVariant settingData(const RunSummary& r, const QString& key, int role)
{
    const auto it = r.settings.find(key.toStdString());
    if (it == r.settings.end())
        return {};
    QString text = QString::fromStdString(it->second);
    if (text.size() >= 2 && text.startsWith(QLatin1Char('"')) && text.endsWith(QLatin1Char('"')))
        text = text.mid(1, text.size() - 2);
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole: return text;
    case RunListModel::SortRole: {
        bool number = false;
        const double v = text.toDouble(&number);
        return number ? QVariant(v) : QVariant(text);
    }
    case Qt::TextAlignmentRole: {
        bool number = false;
        text.toDouble(&number);
        return number ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    }
    default: return {};
    }
}

}  // namespace

void RunListModel::setRuns(std::vector<RunSummary> runs)
{
    beginResetModel();
    m_runs = std::move(runs);
    reindex();
    endResetModel();
}

void RunListModel::reindex()
{
    m_rowOf.clear();
    m_rowOf.reserve(static_cast<qsizetype>(m_runs.size()));
    for (std::size_t i = 0; i < m_runs.size(); ++i)
        m_rowOf.insert(m_runs[i].id, static_cast<int>(i));
}

void RunListModel::setFinalTop1(const QHash<qint64, double>& values) { setAccuracy(values, TestTop1); }

void RunListModel::setBestTop1(const QHash<qint64, double>& values) { setAccuracy(values, BestTop1); }

void RunListModel::setAccuracy(const QHash<qint64, double>& values, int column)
{
    if (values.isEmpty() || m_runs.empty())
        return;
    for (auto it = values.begin(); it != values.end(); ++it) {
        if (const auto row = m_rowOf.find(it.key()); row != m_rowOf.end()) {
            RunSummary& run = m_runs[std::size_t(*row)];
            (column == BestTop1 ? run.bestTestTop1 : run.finalTestTop1) = it.value();
        }
    }
    Q_EMIT dataChanged(index(0, column), index(rowCount() - 1, column));
}

void RunListModel::setSettingColumns(const QStringList& keys)
{
    if (keys == m_settingColumns)
        return;
    beginResetModel();
    m_settingColumns = keys;
    endResetModel();
}

QStringList RunListModel::settingKeys() const
{
    std::set<std::string> keys;
    for (const auto& r : m_runs)
        for (const auto& kv : r.settings)
            keys.insert(kv.first);
    QStringList out;
    for (const auto& k : keys)
        out << QString::fromStdString(k);
    return out;
}

void RunListModel::updateRun(const RunSummary& run)
{
    const auto it = m_rowOf.find(run.id);
    if (it == m_rowOf.end())
        return;
    const double top1 = m_runs[std::size_t(*it)].finalTestTop1, best = m_runs[std::size_t(*it)].bestTestTop1;
    m_runs[std::size_t(*it)] = run;
    if (std::isnan(run.finalTestTop1))
        m_runs[std::size_t(*it)].finalTestTop1 = top1;
    if (std::isnan(run.bestTestTop1))
        m_runs[std::size_t(*it)].bestTestTop1 = best;
    Q_EMIT dataChanged(index(*it, 0), index(*it, columnCount() - 1));
}

void RunListModel::removeRuns(const QList<qint64>& ids)
{
    for (qint64 id : ids) {
        const auto it = m_rowOf.find(id);
        if (it == m_rowOf.end())
            continue;
        const int row = *it;
        beginRemoveRows({}, row, row);
        m_runs.erase(m_runs.begin() + row);
        reindex();
        endRemoveRows();
    }
}

const RunSummary* RunListModel::run(qint64 id) const
{
    const auto it = m_rowOf.find(id);
    return it == m_rowOf.end() ? nullptr : &m_runs[std::size_t(*it)];
}

int RunListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_runs.size());
}

int RunListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount + static_cast<int>(m_settingColumns.size());
}

QVariant RunListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount())
        return {};
    const RunSummary& r = m_runs[std::size_t(index.row())];
    if (index.column() >= ColumnCount)
        return settingData(r, m_settingColumns.at(index.column() - ColumnCount), role);
    switch (role) {
    case RunIdRole: return r.id;
    case TagsRole: return r.tags;
    case SearchTextRole:
        return QStringList{QString::number(r.id), r.name, joinTags(r.tags), r.notes, r.message}.join(QLatin1Char('\n'));
    case Qt::ToolTipRole:
        if (index.column() == Status && !r.message.isEmpty())
            return r.message;
        if (index.column() == Name && !r.notes.isEmpty())
            return r.notes;
        return {};
    case Qt::ForegroundRole:
        if (index.column() == Status && (r.status == RunStatus::Failed || r.status == RunStatus::Diverged))
            return QBrush(QColor(0xb0, 0x20, 0x20));
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Id || index.column() == TestTop1 || index.column() == BestTop1)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case SortRole:
        switch (index.column()) {
        case Id: return r.id;
        case Parent: return r.parentRunId;
        case TestTop1: return std::isnan(r.finalTestTop1) ? -1.0 : r.finalTestTop1;
        case BestTop1: return std::isnan(r.bestTestTop1) ? -1.0 : r.bestTestTop1;
        default: return data(index, Qt::DisplayRole);
        }
    case Qt::EditRole:
        if (index.column() == Name)
            return r.name;
        if (index.column() == Tags)
            return joinTags(r.tags);
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case Id: return r.id;
        case Name: return r.name;
        case Status: return r.statusText;
        case Dataset: return r.dataset;
        case Network: return r.network;
        case Sampler: return r.sampler;
        case Method: return r.method;
        case Tags: return joinTags(r.tags);
        case Created: return QString(r.createdAt).replace(QLatin1Char('T'), QLatin1Char(' ')).remove(QLatin1Char('Z'));
        case Parent: {  // the teacher of a distilled student, the source of a duplicate
            if (r.parentRunId <= 0)
                return QString();
            const RunSummary* parent = run(r.parentRunId);
            return parent ? QStringLiteral("%1 (#%2)").arg(parent->name).arg(r.parentRunId)
                          : QStringLiteral("#%1").arg(r.parentRunId);
        }
        case TestTop1: return std::isnan(r.finalTestTop1) ? QString() : QString::number(r.finalTestTop1, 'f', 2);
        case BestTop1: return std::isnan(r.bestTestTop1) ? QString() : QString::number(r.bestTestTop1, 'f', 2);
        }
        return {};
    default: return {};
    }
}

Qt::ItemFlags RunListModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && (index.column() == Name || index.column() == Tags))
        f |= Qt::ItemIsEditable;
    return f;
}

bool RunListModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != Qt::EditRole || !index.isValid() || index.row() >= rowCount()
        || (index.column() != Name && index.column() != Tags))
        return false;
    const RunSummary& r = m_runs[std::size_t(index.row())];
    const QString text = value.toString().trimmed();
    if (index.column() == Name && (text.isEmpty() || text == r.name))
        return false;  // the store requires a name
    if (index.column() == Tags && splitTags(text) == r.tags)
        return false;
    Q_EMIT editRequested(r.id, index.column(), text);
    return false;
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && section >= ColumnCount && section < columnCount()
        && (role == Qt::DisplayRole || role == Qt::ToolTipRole))
        return m_settingColumns.at(section - ColumnCount);
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Id: return tr("Id");
    case Name: return tr("Name");
    case Status: return tr("Status");
    case Dataset: return tr("Data set");
    case Network: return tr("Network");
    case Sampler: return tr("Sampler");
    case Method: return tr("Objective");
    case Tags: return tr("Tags");
    case Created: return tr("Created (UTC)");
    case Parent: return tr("Parent");
    case TestTop1: return tr("Final top-1 %");
    case BestTop1: return tr("Best top-1 %");
    }
    return {};
}

}  // namespace scns
