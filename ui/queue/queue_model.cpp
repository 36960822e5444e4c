#include "queue/queue_model.h"

#include <QBrush>
#include <QColor>
#include <cmath>

#include "queue/run_queue.h"

namespace scns {

QueueModel::QueueModel(RunQueue* queue, QObject* parent) : QAbstractTableModel(parent), m_queue(queue)
{
    connect(queue, &RunQueue::aboutToAddRun, this, [this](int row) { beginInsertRows({}, row, row); });
    connect(queue, &RunQueue::runAdded, this, [this](int) { endInsertRows(); });
    connect(queue, &RunQueue::aboutToRemoveRun, this, [this](int row) { beginRemoveRows({}, row, row); });
    connect(queue, &RunQueue::runRemoved, this, [this](int) { endRemoveRows(); });
    connect(queue, &RunQueue::runChanged, this,
            [this](int row) { Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1)); });
}

int QueueModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : m_queue->count(); }

int QueueModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString QueueModel::formatDuration(double seconds)
{
    if (!(seconds >= 0) || !std::isfinite(seconds))
        return {};
    const auto s = static_cast<qint64>(std::llround(seconds));
    const qint64 h = s / 3600, m = (s / 60) % 60, sec = s % 60;
    if (h > 0)
        return QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(sec, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(m).arg(sec, 2, 10, QLatin1Char('0'));
}

QVariant QueueModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_queue->count() || index.column() >= ColumnCount)
        return {};
    const QueuedRun* run = m_queue->at(index.row());
    if (role == RunIdRole)
        return run->runId();
    if (role == ProgressRole && index.column() == Progress)
        return static_cast<int>(std::lround(run->progress() * 100.0));
    if (role == Qt::ForegroundRole && index.column() == Status) {
        switch (run->state()) {
        case JobState::Failed:
        case JobState::Diverged: return QBrush(QColor(0xb0, 0x20, 0x20));
        case JobState::Finished: return QBrush(QColor(0x20, 0x80, 0x30));
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole && (index.column() == Message || index.column() == Status))
        return run->message().isEmpty() ? QVariant() : QVariant(run->message());
    if (role == Qt::TextAlignmentRole && index.column() != Name && index.column() != Message
        && index.column() != Status)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Id: return run->runId();
    case Name:  // a data-parallel run is one row, with its world size
        return run->processes() > 1 ? tr("%1 · %2 processes").arg(run->name()).arg(run->processes()) : run->name();
    case Status: return toDisplayString(run->state());
    case Progress: return QStringLiteral("%1%").arg(std::lround(run->progress() * 100.0));
    case Epoch:
        return run->epochs() > 0 ? QStringLiteral("%1 / %2").arg(run->epoch()).arg(run->epochs()) : QString();
    case Speed:
        return run->imagesPerSecond() > 0 ? QStringLiteral("%1 img/s").arg(run->imagesPerSecond(), 0, 'f', 0)
                                          : QString();
    case Eta: return isActive(run->state()) ? formatDuration(run->etaSeconds()) : QString();
    case TestTop1:
        return run->lastTestTop1() >= 0 ? QStringLiteral("%1%").arg(run->lastTestTop1(), 0, 'f', 2) : QString();
    case Message: return run->message();
    }
    return {};
}

QVariant QueueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Id: return tr("Id");
    case Name: return tr("Run");
    case Status: return tr("Status");
    case Progress: return tr("Progress");
    case Epoch: return tr("Epoch");
    case Speed: return tr("Speed");
    case Eta: return tr("ETA");
    case TestTop1: return tr("Test top-1");
    case Message: return tr("Message");
    }
    return {};
}

}  // namespace scns
