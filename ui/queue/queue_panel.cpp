#include "queue/queue_panel.h"

#include "queue/sweep_panel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QThread>
#include <QVBoxLayout>

#include "common/button_actions.h"
#include "queue/progress_delegate.h"
#include "queue/queue_model.h"
#include "queue/run_queue.h"

namespace scns {

QueuePanel::QueuePanel(RunQueue* queue, QWidget* parent)
    : QWidget(parent), m_queue(queue), m_model(new QueueModel(queue, this)), m_view(new QTableView(this))
{
    m_view->setModel(m_model);
    m_view->setItemDelegateForColumn(QueueModel::Progress, new ProgressDelegate(QueueModel::ProgressRole, m_view));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->verticalHeader()->hide();
    m_view->setAlternatingRowColors(true);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->resizeSection(QueueModel::Id, 50);
    m_view->horizontalHeader()->resizeSection(QueueModel::Name, 260);
    m_view->horizontalHeader()->resizeSection(QueueModel::Status, 140);
    m_view->horizontalHeader()->resizeSection(QueueModel::Progress, 160);

    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setToolTip(tr("Stop at the next batch; the run stays resumable from its newest checkpoint"));
    m_pause = new QPushButton(tr("Pause at epoch end"), this);
    m_pause->setToolTip(tr("Stop after the current epoch's checkpoint; Resume continues there"));
    m_resume = new QPushButton(tr("Resume"), this);
    m_resume->setToolTip(tr("Continue a paused, cancelled or failed run from its newest checkpoint"));
    m_clear = new QPushButton(tr("Clear stopped"), this);
    m_clear->setToolTip(tr("Remove finished and stopped runs from this list (the store keeps them)"));
    m_concurrent = new QSpinBox(this);
    m_concurrent->setRange(1, std::max(1, QThread::idealThreadCount()));
    m_concurrent->setValue(queue->maxConcurrent());
    m_concurrent->setToolTip(tr("How many runs train at the same time: 1 to %1, this machine's CPU threads")
                                 .arg(m_concurrent->maximum()));

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_pause);
    buttons->addWidget(m_resume);
    buttons->addWidget(m_clear);
    buttons->addStretch(1);
    buttons->addWidget(new QLabel(tr("Runs at once (1-%1):").arg(m_concurrent->maximum()), this));
    buttons->addWidget(m_concurrent);
    m_empty = new QLabel(tr("No runs in the queue. Launch runs from <b>New run</b>, or resume a stopped run "
                            "from <b>Runs</b>. Runs train in the background; double-click one to watch its curves."),
                         this);
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setStyleSheet(QStringLiteral("color: palette(mid); padding: 24px;"));
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_empty);
    layout->addWidget(m_view, 2);
    m_sweeps = new SweepPanel(this);
    layout->addWidget(m_sweeps, 1);
    const auto updateEmpty = [this] { m_empty->setVisible(m_queue->count() == 0); };
    connect(m_queue, &RunQueue::runAdded, this, updateEmpty);
    connect(m_queue, &RunQueue::runRemoved, this, updateEmpty);
    updateEmpty();

    const auto forSelected = [this](auto action) {
        return [this, action] {
            for (qint64 id : selectedRunIds())
                action(id);
            updateButtons();
        };
    };
    connect(m_cancel, &QPushButton::clicked, this, forSelected([this](qint64 id) { m_queue->cancel(id); }));
    connect(m_pause, &QPushButton::clicked, this, forSelected([this](qint64 id) { m_queue->pause(id); }));
    connect(m_resume, &QPushButton::clicked, this, forSelected([this](qint64 id) { m_queue->resume(id); }));
    connect(m_clear, &QPushButton::clicked, this, [this] {
        m_queue->removeStopped();
        updateButtons();
    });
    connect(m_concurrent, &QSpinBox::valueChanged, m_queue, &RunQueue::setMaxConcurrent);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &QueuePanel::updateButtons);
    connect(m_queue, &RunQueue::runChanged, this, &QueuePanel::updateButtons);
    connect(m_view, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        Q_EMIT runActivated(index.data(QueueModel::RunIdRole).toLongLong());
    });
    mirrorButtonsAsContextMenu(m_view, {m_cancel, m_pause, m_resume, nullptr, m_clear});
    updateButtons();
}

void QueuePanel::syncSettings()
{
    QSignalBlocker block(m_concurrent);
    m_concurrent->setValue(m_queue->maxConcurrent());
}

QList<qint64> QueuePanel::selectedRunIds() const
{
    QList<qint64> ids;
    for (const QModelIndex& index : m_view->selectionModel()->selectedRows())
        ids << index.data(QueueModel::RunIdRole).toLongLong();
    return ids;
}

void QueuePanel::updateButtons()
{
    bool cancel = false, pause = false, resume = false;
    for (qint64 id : selectedRunIds()) {
        const int row = m_queue->rowOf(id);
        if (row < 0)
            continue;
        const JobState s = m_queue->at(row)->state();
        cancel |= s == JobState::Running || s == JobState::Pausing || s == JobState::Waiting;
        pause |= s == JobState::Running;
        resume |= isResumable(s);
    }
    m_cancel->setEnabled(cancel);
    m_pause->setEnabled(pause);
    m_resume->setEnabled(resume);
}

}  // namespace scns
