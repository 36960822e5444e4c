#pragma once
// Table model over a RunQueue: one row per queued run with its status, progress, epoch,
// speed, ETA, last test accuracy and message (the error of a failed run).
#include <QAbstractTableModel>

namespace scns {

class RunQueue;

class QueueModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Id, Name, Status, Progress, Epoch, Speed, Eta, TestTop1, Message, ColumnCount };
    // Progress column: the fraction 0..100 for a progress-bar delegate.
    static constexpr int ProgressRole = Qt::UserRole + 1;
    static constexpr int RunIdRole = Qt::UserRole + 2;

    explicit QueueModel(RunQueue* queue, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString formatDuration(double seconds);  // "1:05:09", "4:07"; "" when < 0

private:
    RunQueue* m_queue;
};

}  // namespace scns
