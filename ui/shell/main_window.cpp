#include "shell/main_window.h"

#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>

#include <algorithm>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>

#include "browser/run_browser.h"
#include "browser/run_list_model.h"
#include "editor/run_editor.h"
#include "queue/queue_panel.h"
#include "queue/run_queue.h"
#include "shell/close_guard.h"
#include "shell/inspection_views.h"
#include "queue/sweep_panel.h"
#include "shell/cluster_actions.h"
#include "shell/launch_controller.h"
#include "train/device.h"
#include "views/compare_view.h"
#include "views/curves_view.h"
#include "views/hyperparameter_view.h"

namespace scns {

MainWindow::MainWindow(QString dbPath, QWidget* parent)
    : QMainWindow(parent), m_dbPath(std::move(dbPath)), m_queue(new RunQueue(m_dbPath, this)),
      m_tabs(new QTabWidget(this))
{
    setWindowTitle(tr("SCNS Workbench — %1").arg(QFileInfo(m_dbPath).fileName()));
    m_tabs->setDocumentMode(true);
    m_browser = new RunBrowser(m_dbPath);
    m_browser->setObjectName(QStringLiteral("runs"));
    m_editor = new RunEditor;
    m_editor->setObjectName(QStringLiteral("new-run"));
    m_queuePanel = new QueuePanel(m_queue);
    m_queuePanel->setObjectName(QStringLiteral("queue"));
    m_tabs->addTab(m_browser, tr("Runs"));
    m_tabs->addTab(m_editor, tr("New run"));
    m_tabs->addTab(m_queuePanel, tr("Queue"));
    m_views = new InspectionViews(m_dbPath, m_tabs, this);
    m_views->follow(m_queue);
    // Brushing on the Hyperparameters page selects those runs in the run table.
    connect(m_views->hyperparameters(), &HyperparameterView::runsBrushed, m_browser, &RunBrowser::selectRuns);
    setCentralWidget(m_tabs);

    m_launcher = new LaunchController(m_dbPath, m_editor, m_queue, m_browser, m_views, this);
    m_cluster = new ClusterActions(m_dbPath, m_editor, this, this);
    connect(m_editor, &RunEditor::submitRequested, m_cluster, &ClusterActions::submitWithDialog);
    connect(m_cluster, &ClusterActions::imported, m_browser, &RunBrowser::reload);
    connect(m_cluster, &ClusterActions::submitted, m_queuePanel->sweeps(), &SweepPanel::addSweep);
    connect(m_queuePanel->sweeps(), &SweepPanel::importRequested, m_cluster, &ClusterActions::importShardsAndTell);
    m_closeGuard = new CloseGuard(this, m_queue, this);

    m_storeLabel = new QLabel(this);
    m_queueLabel = new QLabel(this);
    // Both permanent (right-aligned): temporary messages use the left part and never
    // cover them.
    statusBar()->addPermanentWidget(m_storeLabel);
    statusBar()->addPermanentWidget(m_queueLabel);
    m_storeLabel->setText(tr("Store %1 — loading…").arg(m_dbPath));

    connect(m_launcher, &LaunchController::showEditor, this, [this] { showPage(m_editor); });
    connect(m_launcher, &LaunchController::showQueue, this, [this] { showPage(m_queuePanel); });
    connect(m_launcher, &LaunchController::showBrowser, this, [this] { showPage(m_browser); });
    connect(m_launcher, &LaunchController::showCurves, this, [this] { showPage(m_views->curvesPage()); });
    connect(m_launcher, &LaunchController::showCompare, this,
            [this] { showPage(m_views->compare()); });
    connect(m_launcher, &LaunchController::message, this, [this](const QString& text) {
        statusBar()->showMessage(text, 8000);
    });
    connect(m_launcher, &LaunchController::error, this, [this](const QString& title, const QString& text) {
        QMessageBox::warning(this, title, text);
    });
    connect(m_queuePanel, &QueuePanel::runActivated, this, [this](qint64 id) {
        m_views->showRuns({id});
        showPage(m_views->curvesPage());
    });
    connect(m_browser, &RunBrowser::loaded, this, [this](int, double seconds) {
        m_readSeconds = seconds;
        updateStoreStatus();
    });
    // The count follows deletions (and rows added by a reload) without waiting for a reload.
    for (auto signal : {&QAbstractItemModel::rowsRemoved, &QAbstractItemModel::rowsInserted})
        connect(m_browser->model(), signal, this, &MainWindow::updateStoreStatus);
    connect(m_browser, &RunBrowser::readOnlyChanged, this, [this](bool readOnly) {
        setWindowTitle(tr("SCNS Workbench — %1%2").arg(QFileInfo(m_dbPath).fileName(), readOnly ? tr(" (read-only)") : QString()));
        if (readOnly)
            statusBar()->showMessage(tr("The run store cannot be written: it is open for viewing only."), 15000);
        m_editor->setLaunchBlocked(readOnly ? tr("Launch is off: the run store is read-only.") : QString());
    });
    connect(m_browser, &RunBrowser::loadFailed, this, [this](const QString& text) {
        m_storeLabel->setText(tr("Store %1 — cannot be read").arg(m_dbPath));
        QMessageBox::warning(this, tr("Cannot open the run store"), text);
    });
    connect(m_closeGuard, &CloseGuard::stopping, this, [this](int runs) {
        statusBar()->showMessage(tr("Stopping %n run(s); the window closes when they have saved their state.",
                                    nullptr, runs));
    });
    for (auto signal : {&RunQueue::runChanged, &RunQueue::runRemoved, &RunQueue::runAdded})
        connect(m_queue, signal, this, &MainWindow::updateQueueStatus);

    buildMenus();
    updateQueueStatus();
    resize(1500, 950);
    m_browser->reload();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open another store in a new window…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a run store"), QFileInfo(m_dbPath).absolutePath(),
                                                          tr("Run stores (*.sqlite *.db);;All files (*)"));
        if (path.isEmpty())
            return;
        auto* other = new MainWindow(path);
        other->setAttribute(Qt::WA_DeleteOnClose);
        other->show();
    });
    file->addSeparator();
    file->addAction(tr("&Load a run configuration…"), QKeySequence::Open, m_editor, [this] {
        showPage(m_editor);
        m_editor->loadWithDialog();
    });
    file->addAction(tr("&Save the run configuration…"), QKeySequence::Save, m_editor, [this] {
        showPage(m_editor);
        m_editor->saveWithDialog();
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* runs = menuBar()->addMenu(tr("&Runs"));
    runs->addAction(tr("&Launch the edited configuration"), QKeySequence(Qt::CTRL | Qt::Key_Return), m_launcher,
                    &LaunchController::launchFromEditor);
    runs->addAction(tr("&Submit the edited configuration to Slurm…"), m_cluster, &ClusterActions::submitWithDialog);
    runs->addAction(tr("&Import results (shard stores of a sweep)…"), m_cluster, &ClusterActions::importWithDialog);
    runs->addSeparator();
    runs->addAction(tr("&Refresh the run list"), QKeySequence::Refresh, m_browser, &RunBrowser::reload);
    runs->addAction(tr("Cancel &all runs"), this, [this] { m_queue->cancelAll(); });

    QMenu* go = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_tabs->count(); ++i) {
        QAction* a = go->addAction(m_tabs->tabText(i), this, [this, i] { m_tabs->setCurrentIndex(i); });
        if (i < 9)
            a->setShortcut(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + i)));
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About"), this, [this] {
        QMessageBox::about(this, tr("About SCNS Workbench"),
                           tr("<b>SCNS Workbench %1</b><p>Contrastive learning with semantically-conditioned "
                              "negative sampling: configure, launch, watch, inspect and compare runs.</p>"
                              "<p>The method: J. O'Neill and D. Bollegala, <i>Semantically-Conditioned "
                              "Negative Samples for Efficient Contrastive Learning</i>, arXiv:2102.06603.</p>"
                              "<p>Run store: %2<br>Computes with: %3<br>Qt %4</p>"
                              "<p>Licence: GPL-3.0-or-later.</p>")
                               .arg(QApplication::applicationVersion(), m_dbPath.toHtmlEscaped(),
                                    QString::fromStdString(scns::computeBackendDescription()),
                                    QString::fromLatin1(qVersion())));
    });
}

void MainWindow::showPage(QWidget* page)
{
    const int i = m_tabs->indexOf(page);
    if (i >= 0)
        m_tabs->setCurrentIndex(i);
}

void MainWindow::updateQueueStatus()
{
    const int active = m_queue->activeCount(), waiting = m_queue->waitingCount();
    m_queueLabel->setText(active + waiting == 0 ? tr("no runs training")
                                                : tr("%1 training, %2 waiting").arg(active).arg(waiting));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    m_closeGuard->handle(event);
    if (event->isAccepted() && m_persistent)
        saveSettings();
}

QString MainWindow::storeStatus() const { return m_storeLabel->text(); }

void MainWindow::updateStoreStatus()
{
    const int runs = m_browser->model()->rowCount();
    m_storeLabel->setText(tr("Store %1%4 — %2 (read in %3 s)")
                              .arg(m_dbPath)
                              .arg(runs == 1 ? tr("1 run") : tr("%L1 runs").arg(runs))
                              .arg(m_readSeconds, 0, 'f', 2)
                              .arg(m_browser->isReadOnly() ? tr(" (read-only)") : QString()));
}

void MainWindow::restoreSettings()
{
    m_persistent = true;
    QSettings s;
    if (const QByteArray g = s.value(QStringLiteral("window/geometry")).toByteArray(); !g.isEmpty())
        restoreGeometry(g);
    // The first start opens on New run (the README's demo); later starts where the user left.
    const int page = s.value(QStringLiteral("window/page"), m_tabs->indexOf(m_editor)).toInt();
    m_tabs->setCurrentIndex(std::clamp(page, 0, m_tabs->count() - 1));
    m_queue->setMaxConcurrent(s.value(QStringLiteral("queue/maxConcurrent"), 1).toInt());
    m_queuePanel->syncSettings();
    // The browser's setting columns and sort, and the metrics ticked on Curves, as left.
    m_browser->setSettingColumns(s.value(QStringLiteral("browser/settingColumns")).toStringList());
    if (s.contains(QStringLiteral("browser/sortColumn")))
        m_browser->view()->sortByColumn(s.value(QStringLiteral("browser/sortColumn")).toInt(),
                                        static_cast<Qt::SortOrder>(s.value(QStringLiteral("browser/sortOrder")).toInt()));
    if (const QStringList metrics = s.value(QStringLiteral("curves/metrics")).toStringList(); !metrics.isEmpty())
        m_views->curves()->setSelectedMetrics(metrics);
}

void MainWindow::saveSettings() const
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/page"), m_tabs->currentIndex());
    s.setValue(QStringLiteral("queue/maxConcurrent"), m_queue->maxConcurrent());
    s.setValue(QStringLiteral("browser/settingColumns"), m_browser->settingColumns());
    const QHeaderView* header = m_browser->view()->horizontalHeader();
    s.setValue(QStringLiteral("browser/sortColumn"), header->sortIndicatorSection());
    s.setValue(QStringLiteral("browser/sortOrder"), static_cast<int>(header->sortIndicatorOrder()));
    s.setValue(QStringLiteral("curves/metrics"), m_views->curves()->wantedMetrics());
}

}  // namespace scns
