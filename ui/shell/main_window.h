#pragma once
// The workbench window: composes the run browser, run editor, queue panel and the inspection
// pages (tabs), the menus and the status bar. The wiring lives in LaunchController, the close
// policy in CloseGuard; this class only builds and lays out.
#include <QMainWindow>

class QLabel;
class QTabWidget;

namespace scns {

class CloseGuard;
class InspectionViews;
class ClusterActions;
class LaunchController;
class QueuePanel;
class RunBrowser;
class RunEditor;
class RunQueue;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QString dbPath, QWidget* parent = nullptr);
    ~MainWindow() override;

    const QString& dbPath() const { return m_dbPath; }
    QTabWidget* tabs() const { return m_tabs; }
    RunEditor* editor() const { return m_editor; }
    RunQueue* queue() const { return m_queue; }
    QueuePanel* queuePanel() const { return m_queuePanel; }
    RunBrowser* browser() const { return m_browser; }
    InspectionViews* views() const { return m_views; }
    LaunchController* launcher() const { return m_launcher; }
    ClusterActions* cluster() const { return m_cluster; }
    CloseGuard* closeGuard() const { return m_closeGuard; }

    void showPage(QWidget* page);
    // Window geometry, the open page, the queue's concurrency, the browser's setting columns and
    // sort and the ticked curves from the user's settings (the program does this; tests leave
    // the user's settings alone).
    void restoreSettings();
    void saveSettings() const;
    // The status bar's store line: path, run count (following deletions), read time.
    QString storeStatus() const;

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void updateQueueStatus();
    void updateStoreStatus();

    QString m_dbPath;
    RunQueue* m_queue;
    QTabWidget* m_tabs;
    RunBrowser* m_browser;
    RunEditor* m_editor;
    QueuePanel* m_queuePanel;
    InspectionViews* m_views;
    LaunchController* m_launcher;
    ClusterActions* m_cluster;
    CloseGuard* m_closeGuard;
    QLabel* m_storeLabel;
    double m_readSeconds = 0;  // how long the last load of the store took
    QLabel* m_queueLabel;
    bool m_persistent = false;
};

}  // namespace scns
