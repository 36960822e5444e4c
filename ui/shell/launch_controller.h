#pragma once
// Wiring between the editor, the queue, the browser and the inspection pages: launching what
// the editor holds, duplicating and resuming stored runs, taking a stored run as teacher, and
// refreshing the browser when queued runs change state. Holds no state of its own beyond the
// widgets it connects.
#include <QObject>
#include <QString>

#include <functional>

class QTimer;

namespace scns {

class InspectionViews;
class RunBrowser;
class RunEditor;
class RunQueue;

class LaunchController : public QObject {
    Q_OBJECT
public:
    LaunchController(QString dbPath, RunEditor* editor, RunQueue* queue, RunBrowser* browser,
                     InspectionViews* views, QObject* parent = nullptr);

    // Launches what the editor holds (several runs with seeds/grid): they are stored in the
    // background and queued when stored (RunQueue::launched). Returns how many are being
    // stored; 0 when the editor marked problems.
    int launchFromEditor();
    // Queues a cross-entropy run of the editor's teacher network on the editor's data; when
    // it finishes, its newest checkpoint becomes the editor's teacher. It is stored in the
    // background; returns false when nothing was launched (error() says why).
    bool trainTeacher();

    // At most this many runs are opened in the views at once (an overlay of hundreds of runs
    // says nothing and costs seconds).
    static constexpr int kMaxShownRuns = 40;
    // Launching more than this many runs at once asks first (seeds x grid multiply quickly).
    static constexpr int kConfirmAbove = 1;  // every launch of several runs is confirmed
    // For tests: replaces the confirmation dialog (argument: how many runs).
    // (number of runs, what varies) -> whether to queue them
    void setConfirmHandler(std::function<bool(int, const QString&)> confirm) { m_confirm = std::move(confirm); }
    // For tests: replaces the question asked when a resume finds no usable checkpoint
    // (arguments: the run's id and the reason); true starts the run over from epoch 0.
    void setStartOverHandler(std::function<bool(qint64, const QString&)> ask) { m_askStartOver = std::move(ask); }

Q_SIGNALS:
    // The user should look at a page now (main window switches tabs).
    void showEditor();
    void showQueue();
    void showBrowser();
    void showCurves();
    void showCompare();
    void message(const QString& text);
    // The editor's teacher was set from this stored run.
    void teacherSet(qint64 runId);
    void error(const QString& title, const QString& text);

private:
    void useAsTeacher(qint64 runId);
    void onLaunched(const QList<qint64>& ids, quint64 ticket);
    QList<qint64> limited(const QList<qint64>& ids);

    QString m_dbPath;
    RunEditor* m_editor;
    RunQueue* m_queue;
    RunBrowser* m_browser;
    InspectionViews* m_views;
    QTimer* m_reloadBrowser;
    qint64 m_pendingTeacher = 0;       // the teacher run being trained
    quint64 m_teacherTicket = 0;       // its launch, while it is being stored
    std::function<bool(int, const QString&)> m_confirm;
    std::function<bool(qint64, const QString&)> m_askStartOver;
};

}  // namespace scns
