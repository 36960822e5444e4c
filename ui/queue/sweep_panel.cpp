#include "queue/sweep_panel.h"

#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrent>

#include "common/qt_text.h"

namespace scns {

namespace {

bool stopped(const std::string& runStatus)
{
    return runStatus == "finished" || runStatus == "failed" || runStatus == "cancelled" || runStatus == "diverged"
        || runStatus == "interrupted";
}

}  // namespace

SweepPanel::SweepPanel(QWidget* parent) : QGroupBox(tr("Cluster sweeps"), parent)
{
    m_tree = new QTreeWidget(this);
    m_tree->setColumnCount(6);
    m_tree->setHeaderLabels(
        {tr("Sweep / task"), tr("Scheduler"), tr("Reason"), tr("Run"), tr("Epochs"), tr("Run name")});
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tree->setRootIsDecorated(true);
    auto* refresh = new QPushButton(tr("Refresh"), this);
    m_import = new QPushButton(tr("Import finished"), this);
    m_import->setToolTip(tr("Merge the stores of the tasks whose runs have stopped into this store"));
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    connect(refresh, &QPushButton::clicked, this, &SweepPanel::refresh);
    connect(m_import, &QPushButton::clicked, this, [this] {
        const QStringList shards = finishedShards();
        if (!shards.isEmpty())
            Q_EMIT importRequested(shards);
    });
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_note, 1);
    buttons->addWidget(refresh);
    buttons->addWidget(m_import);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tree, 1);
    layout->addLayout(buttons);

    m_timer = new QTimer(this);
    m_timer->setInterval(15000);
    connect(m_timer, &QTimer::timeout, this, &SweepPanel::refresh);
    connect(&m_watcher, &QFutureWatcher<std::vector<Sweep>>::finished, this, [this] {
        show(m_watcher.result());
        Q_EMIT refreshed();
    });
    m_dirs = QSettings().value(QStringLiteral("cluster/sweeps")).toStringList();
    setVisible(!m_dirs.isEmpty());
    show({});
}

void SweepPanel::addSweep(const QString& dir)
{
    const QString clean = QDir(dir).absolutePath();
    if (!m_dirs.contains(clean))
        m_dirs << clean;
    remember();
    setVisible(true);
    refresh();
}

void SweepPanel::remember() { QSettings().setValue(QStringLiteral("cluster/sweeps"), m_dirs); }

void SweepPanel::refresh()
{
    if (m_watcher.isRunning() || m_dirs.isEmpty())
        return;
    // squeue may take a moment on a busy cluster: off the GUI thread.
    m_watcher.setFuture(QtConcurrent::run([dirs = m_dirs, squeue = m_squeue.toStdString()] {
        std::vector<Sweep> out;
        for (const QString& dir : dirs) {
            Sweep s;
            s.dir = dir;
            try {
                s.tasks = sweepStatus(dir.toStdString(), squeue);
            } catch (const std::exception& e) {
                s.error = QString::fromStdString(e.what());
            }
            out.push_back(std::move(s));
        }
        return out;
    }));
}

void SweepPanel::show(const std::vector<Sweep>& sweeps)
{
    m_shown = sweeps;
    m_tree->clear();
    int running = 0, done = 0, total = 0;
    for (const Sweep& s : sweeps) {
        auto* top = new QTreeWidgetItem(m_tree, {s.dir});
        if (!s.error.isEmpty())
            top->setText(1, s.error);
        for (const SweepTaskState& t : s.tasks) {
            const auto* sched = t.schedulerState.c_str();
            new QTreeWidgetItem(top,
                                {tr("task %1").arg(t.task), QString::fromUtf8(sched),
                                 t.reason == "None" ? QString() : QString::fromStdString(t.reason),
                                 QString::fromStdString(t.runStatus), tr("%1 / %2").arg(t.epochsDone).arg(t.epochs),
                                 QString::fromStdString(t.name)});
            ++total;
            running += t.schedulerState == "RUNNING" ? 1 : 0;
            done += stopped(t.runStatus) ? 1 : 0;
        }
        top->setExpanded(true);
    }
    const int ready = static_cast<int>(finishedShards().size());
    m_import->setEnabled(ready > 0);
    m_note->setText(sweeps.empty() ? tr("Sweeps submitted with Submit to Slurm… appear here.")
                                   : tr("%1: %2 running, %3 stopped; %4 ready to import.")
                                         .arg(countText(total, "task", "tasks"))
                                         .arg(running)
                                         .arg(done)
                                         .arg(countText(ready, "store", "stores")));
}

QStringList SweepPanel::finishedShards() const
{
    QStringList out;
    for (const Sweep& s : m_shown)
        for (const SweepTaskState& t : s.tasks)
            if (stopped(t.runStatus))
                out << QDir(s.dir).filePath(QStringLiteral("task-%1.sqlite").arg(t.task));
    return out;
}

void SweepPanel::showEvent(QShowEvent* event)
{
    QGroupBox::showEvent(event);
    m_timer->start();
    refresh();
}

void SweepPanel::hideEvent(QHideEvent* event)
{
    QGroupBox::hideEvent(event);
    m_timer->stop();
}

}  // namespace scns
