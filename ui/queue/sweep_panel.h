#pragma once
// The queue page's "Cluster sweeps": each sweep submitted from here (or added), its tasks with
// the scheduler's state (squeue) beside each run's own status in its shard store, refreshed
// while the page is shown; "Import finished" merges the tasks whose runs have stopped into this
// store (docs/cluster.md).
#include <QFutureWatcher>
#include <QGroupBox>
#include <QStringList>

#include <vector>

#include "cluster/slurm_sweep.h"

class QLabel;
class QPushButton;
class QTimer;
class QTreeWidget;

namespace scns {

class SweepPanel : public QGroupBox {
    Q_OBJECT
public:
    explicit SweepPanel(QWidget* parent = nullptr);

    // Watches the sweep in `dir` (remembered across sessions) and refreshes now.
    void addSweep(const QString& dir);
    QStringList sweeps() const { return m_dirs; }
    QTreeWidget* tree() const { return m_tree; }
    // The squeue program (tests give their own).
    void setSqueueProgram(const QString& program) { m_squeue = program; }
    // The shard stores of the shown sweeps whose runs have stopped (finished, failed, cancelled,
    // diverged, interrupted): what "Import finished" merges.
    QStringList finishedShards() const;

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    void refreshed();
    // "Import finished": the shard stores to merge into this store.
    void importRequested(const QStringList& shards);

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    struct Sweep {
        QString dir;
        std::vector<SweepTaskState> tasks;
        QString error;
    };
    void show(const std::vector<Sweep>& sweeps);
    void remember();

    QStringList m_dirs;
    QString m_squeue = QStringLiteral("squeue");
    QTreeWidget* m_tree;
    QPushButton* m_import;
    QLabel* m_note;
    QTimer* m_timer;
    QFutureWatcher<std::vector<Sweep>> m_watcher;
    std::vector<Sweep> m_shown;
};

}  // namespace scns
