#include "shell/close_guard.h"

#include <QCloseEvent>
#include <QMessageBox>
#include <QTimer>
#include <QWidget>

#include "common/qt_text.h"
#include "queue/run_queue.h"

namespace scns {

CloseGuard::CloseGuard(QWidget* window, RunQueue* queue, QObject* parent)
    : QObject(parent), m_window(window), m_queue(queue)
{
    m_ask = [this](int runs) {
        return QMessageBox::question(
                   m_window, tr("Runs are training"),
                   tr("%1 training or waiting. Stop them and close?\n\n"
                      "They are saved as cancelled and can be resumed from their newest checkpoint "
                      "(Runs tab, Resume).")
                       .arg(countText(runs, "run is", "runs are")),
                   QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
               == QMessageBox::Yes;
    };
    connect(queue, &RunQueue::idle, this, [this] {
        if (m_stopping)
            QTimer::singleShot(0, m_window, &QWidget::close);
    });
}

void CloseGuard::handle(QCloseEvent* event)
{
    const int busy = m_queue->activeCount() + m_queue->waitingCount();
    if (busy == 0) {
        event->accept();
        return;
    }
    event->ignore();
    if (m_stopping)
        return;  // already stopping; the window closes when the queue is idle
    if (!m_ask(busy))
        return;
    m_stopping = true;
    Q_EMIT stopping(busy);
    m_queue->cancelAll();
}

}  // namespace scns
