#pragma once
// The queue as a panel: a table of queued runs (status, progress bar, epoch, speed, ETA,
// error) with cancel, pause-at-epoch-end, resume and clean-up buttons and the setting for how
// many runs train at once.
#include <QWidget>

class QLabel;
class QTableView;
class QPushButton;
class QSpinBox;

namespace scns {

class SweepPanel;

class RunQueue;
class QueueModel;

class QueuePanel : public QWidget {
    Q_OBJECT
public:
    explicit QueuePanel(RunQueue* queue, QWidget* parent = nullptr);

    QTableView* view() const { return m_view; }
    QueueModel* model() const { return m_model; }
    QList<qint64> selectedRunIds() const;
    // The submitted cluster sweeps, under the queue (hidden while there is none).
    SweepPanel* sweeps() const { return m_sweeps; }
    // Shows the queue's settings again after they were changed elsewhere.
    void syncSettings();

Q_SIGNALS:
    // Double-click: the user wants to look at this run's curves and inspection views.
    void runActivated(qint64 runId);

private:
    void updateButtons();

    RunQueue* m_queue;
    QueueModel* m_model;
    QTableView* m_view;
    QPushButton* m_cancel;
    QPushButton* m_pause;
    QPushButton* m_resume;
    QPushButton* m_clear;
    QSpinBox* m_concurrent;
    SweepPanel* m_sweeps;
    QLabel* m_empty;
};

}  // namespace scns
