#include "shell/launch_controller.h"

#include <QFutureWatcher>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>
#include <QtConcurrent/QtConcurrent>

#include <nlohmann/json.hpp>

#include "browser/run_browser.h"
#include "common/errors.h"
#include "common/qt_text.h"
#include "editor/run_editor.h"
#include "queue/run_queue.h"
#include "shell/inspection_views.h"
#include "store/run_store.h"

namespace scns {

namespace {

struct TeacherSource {
    QString weights, arch, error;
};

// The newest checkpoint of a finished run and its network (worker thread: own store).
TeacherSource findTeacher(const std::string& dbPath, qint64 runId)
{
    TeacherSource t;
    try {
        RunStore store(dbPath);
        const RunRecord r = store.run(runId);
        const auto ckpt = store.latestCheckpoint(runId);
        if (!ckpt) {
            t.error = QObject::tr("Run %1 has no checkpoint to take weights from.").arg(runId);
            return t;
        }
        t.weights = QString::fromStdString(ckpt->path);
        const auto j = nlohmann::json::parse(r.configJson, nullptr, false);
        if (j.is_object() && j.contains("model") && j["model"].is_object())
            t.arch = QString::fromStdString(j["model"].value("arch", std::string()));
    } catch (const std::exception& e) {
        t.error = QString::fromStdString(e.what());
    } catch (...) {
        t.error = QObject::tr("unknown error while reading the store");
    }
    return t;
}

}  // namespace

LaunchController::LaunchController(QString dbPath, RunEditor* editor, RunQueue* queue, RunBrowser* browser,
                                   InspectionViews* views, QObject* parent)
    : QObject(parent), m_dbPath(std::move(dbPath)), m_editor(editor), m_queue(queue), m_browser(browser),
      m_views(views), m_reloadBrowser(new QTimer(this))
{
    m_confirm = [editor](int runs, const QString& varies) {
        return QMessageBox::question(editor, tr("Launch %1 runs?").arg(runs),
                                     tr("The seeds and grid make %1 runs, varying %2. Queue them all?").arg(runs).arg(varies),
                                     QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes)
               == QMessageBox::Yes;
    };
    m_askStartOver = [editor](qint64 runId, const QString& why) {
        QMessageBox box(QMessageBox::Warning, tr("Run %1 has no usable checkpoint").arg(runId), why,
                        QMessageBox::Cancel, editor);
        box.setInformativeText(tr("Start it over from epoch 0? Its recorded epochs are replaced."));
        QPushButton* over = box.addButton(tr("Start over"), QMessageBox::DestructiveRole);
        box.setDefaultButton(QMessageBox::Cancel);
        box.exec();
        return box.clickedButton() == over;
    };
    // A resume never starts a run over on its own: the user says so.
    connect(queue, &RunQueue::runNeedsFromScratch, this, [this](qint64 id, const QString&, const QString& why) {
        if (m_askStartOver(id, why))
            m_queue->startOver(id);
        else
            Q_EMIT message(tr("Run %1 was left as it was.").arg(id));
    });
    // Several runs changing state at once cause one reload, not one each.
    m_reloadBrowser->setSingleShot(true);
    m_reloadBrowser->setInterval(300);
    connect(m_reloadBrowser, &QTimer::timeout, m_browser, &RunBrowser::reload);

    connect(editor, &RunEditor::launchRequested, this, &LaunchController::launchFromEditor);
    connect(editor, &RunEditor::pickTeacherRequested, this, [this] {
        Q_EMIT showBrowser();
        Q_EMIT message(tr("Select a finished run and press \"Use as teacher\"."));
    });
    connect(editor, &RunEditor::trainTeacherRequested, this, &LaunchController::trainTeacher);
    connect(queue, &RunQueue::launched, this, &LaunchController::onLaunched);
    connect(queue, &RunQueue::launchFailed, this, [this](const QString& text, quint64 ticket) {
        if (ticket == m_teacherTicket)
            m_teacherTicket = 0;
        Q_EMIT error(tr("Cannot store the runs"), text);
    });
    connect(queue, &RunQueue::runEnded, this, [this](qint64 id, JobState state, const QString& why) {
        m_reloadBrowser->start();
        if (id != m_pendingTeacher)
            return;
        m_pendingTeacher = 0;
        if (state == JobState::Finished)
            useAsTeacher(id);
        else
            Q_EMIT error(tr("The teacher run %1 did not finish").arg(id),
                         why.isEmpty() ? toDisplayString(state) : why);
    });
    connect(queue, &RunQueue::runChanged, this, [this](int row) {
        // Started runs change status in the store; refresh the browser once they have.
        if (m_queue->at(row)->state() == JobState::Running && m_queue->at(row)->epochs() == 0)
            m_reloadBrowser->start();
    });
    connect(browser, &RunBrowser::openRequested, this, [this](const QList<qint64>& ids) {
        if (ids.isEmpty())
            return;
        m_views->showRuns(limited(ids));
        Q_EMIT showCurves();
    });
    connect(browser, &RunBrowser::compareRequested, this, [this](const QList<qint64>& ids) {
        m_views->showRuns(limited(ids));
        Q_EMIT showCompare();
    });
    connect(browser, &RunBrowser::duplicateRequested, this, [this](qint64 id, const QString& json) {
        try {
            m_editor->duplicateRun(id, json.toStdString());
            Q_EMIT showEditor();
        } catch (const Error& e) {
            Q_EMIT error(tr("Cannot duplicate run %1").arg(id), QString::fromStdString(e.what()));
        }
    });
    connect(browser, &RunBrowser::resumeRequested, this, [this](qint64 id, const QString& name) {
        m_queue->enqueueStoredRun(id, name, true);
        Q_EMIT showQueue();
    });
    connect(browser, &RunBrowser::teacherRequested, this, &LaunchController::useAsTeacher);
    connect(browser, &RunBrowser::editFailed, this,
            [this](const QString& text) { Q_EMIT error(tr("The run store refused a change"), text); });
}

QList<qint64> LaunchController::limited(const QList<qint64>& ids)
{
    if (ids.size() <= kMaxShownRuns)
        return ids;
    Q_EMIT message(tr("Showing the first %1 of the %2 selected runs.").arg(kMaxShownRuns).arg(ids.size()));
    return ids.mid(0, kMaxShownRuns);
}

int LaunchController::launchFromEditor()
{
    const auto configs = m_editor->launchConfigs();
    if (configs.empty()) {
        Q_EMIT message(tr("Fix the fields marked in red first."));
        return 0;
    }
    if (static_cast<int>(configs.size()) > kConfirmAbove
        && !m_confirm(static_cast<int>(configs.size()), m_editor->launchVariation()))
        return 0;
    try {
        m_queue->launchAsync(configs, m_editor->parentRunId());  // launched() follows
        Q_EMIT message(tr("Storing %1…").arg(countText(static_cast<qint64>(configs.size()), "run", "runs")));
        return static_cast<int>(configs.size());
    } catch (const Error& e) {
        Q_EMIT error(tr("Cannot launch"), QString::fromStdString(e.what()));
        return 0;
    }
}

void LaunchController::onLaunched(const QList<qint64>& ids, quint64 ticket)
{
    if (ids.isEmpty())
        return;
    if (ticket == m_teacherTicket) {
        m_teacherTicket = 0;
        m_pendingTeacher = ids.front();
        m_reloadBrowser->start();
        Q_EMIT message(tr("Teacher run %1 queued; it becomes the teacher when it finishes.").arg(ids.front()));
        Q_EMIT showQueue();
        return;
    }
    m_views->showRuns(limited(ids));
    m_reloadBrowser->start();
    Q_EMIT message(tr("Queued %1.").arg(countText(ids.size(), "run", "runs")));
    Q_EMIT showQueue();
}

bool LaunchController::trainTeacher()
{
    const RunConfig student = m_editor->currentConfig();
    if (student.distill.teacherArch.empty()) {
        Q_EMIT error(tr("Which teacher?"), tr("Choose the teacher's network first."));
        return false;
    }
    RunConfig teacher = student;
    teacher.arch = student.distill.teacherArch;
    teacher.distill = DistillConfig{};
    teacher.contrastive = ContrastiveConfig{};
    teacher.name = "teacher-" + teacher.arch + "-" + toString(teacher.data.dataset) + "-seed" + std::to_string(teacher.seed);
    try {
        m_teacherTicket = m_queue->launchAsync({teacher});
        return true;
    } catch (const Error& e) {
        Q_EMIT error(tr("Cannot train the teacher"), QString::fromStdString(e.what()));
        return false;
    }
}

void LaunchController::useAsTeacher(qint64 runId)
{
    auto* watcher = new QFutureWatcher<TeacherSource>(this);
    connect(watcher, &QFutureWatcher<TeacherSource>::finished, this, [this, watcher, runId] {
        watcher->deleteLater();
        const TeacherSource t = watcher->result();
        if (!t.error.isEmpty()) {
            Q_EMIT error(tr("Cannot use run %1 as teacher").arg(runId), t.error);
            return;
        }
        m_editor->setTeacher(runId, t.weights, t.arch);
        Q_EMIT teacherSet(runId);
        Q_EMIT message(tr("Teacher: run %1 (%2).").arg(runId).arg(t.arch));
        Q_EMIT showEditor();
    });
    watcher->setFuture(QtConcurrent::run(findTeacher, m_dbPath.toStdString(), runId));
}

}  // namespace scns
