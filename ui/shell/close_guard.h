#pragma once
// What closing the window does while runs train: ask first; if the user agrees, cancel every
// run cleanly (each ends `cancelled` with its checkpoints, resumable later) and close once the
// queue is idle, instead of killing training threads mid-step.
#include <QObject>

#include <functional>

class QCloseEvent;
class QWidget;

namespace scns {

class RunQueue;

class CloseGuard : public QObject {
    Q_OBJECT
public:
    CloseGuard(QWidget* window, RunQueue* queue, QObject* parent = nullptr);

    // Call from the window's closeEvent: accepts it when nothing trains (or everything has
    // stopped), otherwise ignores it and (after asking) stops the runs, closing later.
    void handle(QCloseEvent* event);
    bool isStopping() const { return m_stopping; }
    // For tests: replaces the question dialog.
    void setAskHandler(std::function<bool(int activeRuns)> ask) { m_ask = std::move(ask); }

Q_SIGNALS:
    void stopping(int runs);

private:
    QWidget* m_window;
    RunQueue* m_queue;
    bool m_stopping = false;
    std::function<bool(int)> m_ask;
};

}  // namespace scns
