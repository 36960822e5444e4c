#pragma once
// Table model over the store's runs (RunSummary rows, newest first). Filled from a
// background load (setRuns) and updated row by row after edits.
#include <QAbstractTableModel>
#include <QHash>

#include <vector>

#include "browser/run_summary.h"

namespace scns {

class RunListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    // The fixed columns; the chosen setting columns (setSettingColumns) follow them. The
    // accuracies come early so they stay in view beside many setting columns.
    enum Column {
        Id,
        Name,
        Status,
        TestTop1,
        BestTop1,
        Dataset,
        Network,
        Sampler,
        Method,
        Tags,
        Created,
        Parent,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;  // raw values for sorting
    static constexpr int RunIdRole = Qt::UserRole + 2;
    static constexpr int TagsRole = Qt::UserRole + 3;  // QStringList
    static constexpr int SearchTextRole = Qt::UserRole + 4;  // name, id, tags, notes, message

    using QAbstractTableModel::QAbstractTableModel;

    void setRuns(std::vector<RunSummary> runs);
    void setFinalTop1(const QHash<qint64, double>& values);
    void setBestTop1(const QHash<qint64, double>& values);
    // Configuration keys shown as extra columns after the fixed ones (any dotted key:
    // "contrastive.negatives", "optim.lr"); a run without the key shows an empty cell.
    void setSettingColumns(const QStringList& keys);
    QStringList settingColumns() const { return m_settingColumns; }
    // Every configuration key of the runs, sorted.
    QStringList settingKeys() const;
    // Replaces the row of run.id (no-op when absent).
    void updateRun(const RunSummary& run);
    void removeRuns(const QList<qint64>& ids);

    const RunSummary* run(qint64 id) const;
    const RunSummary& runAt(int row) const { return m_runs.at(std::size_t(row)); }
    const std::vector<RunSummary>& runs() const { return m_runs; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    // Name and Tags are editable in place (F2). setData does not change the row: it asks for
    // the store edit (editRequested) and the row follows once the store has it.
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

Q_SIGNALS:
    void editRequested(qint64 runId, int column, const QString& text);

private:
    void reindex();
    // Fills one accuracy field (final or best test top-1) of the runs given, then its column.
    void setAccuracy(const QHash<qint64, double>& values, int column);  // column: TestTop1 or BestTop1

    std::vector<RunSummary> m_runs;
    QStringList m_settingColumns;
    QHash<qint64, int> m_rowOf;
};

}  // namespace scns
