#pragma once
// The run browser: every run of the store in a sortable table with search and filters
// (status, data set, network, sampler, tag), and per-run rename, tags, notes, delete (with
// confirmation), duplicate, resume and open. The store is read and written off the GUI thread.
#include <QFutureWatcher>
#include <QWidget>

#include <functional>

#include "browser/run_loader.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace scns {

class RunListModel;
class RunFilterProxy;

class RunBrowser : public QWidget {
    Q_OBJECT
public:
    explicit RunBrowser(QString dbPath, QWidget* parent = nullptr);

    // Reloads the whole list in the background; loaded() follows.
    void reload();
    bool isLoading() const;

    RunListModel* model() const { return m_model; }
    RunFilterProxy* proxy() const { return m_proxy; }
    QTableView* view() const { return m_view; }
    QList<qint64> selectedRunIds() const;
    void selectRun(qint64 runId);
    // Selects exactly these runs (those the filters hide stay unselected), scrolled to the first.
    void selectRuns(const QList<qint64>& runIds);

    // Edits of the selected run / given runs (stored in the background; the row updates when
    // the store has it). Errors go to editFailed().
    void renameRun(qint64 runId, const QString& name);
    void setTags(qint64 runId, const QString& tags);
    void setNotes(qint64 runId, const QString& notes);
    // What "Save name, tags and notes" does: one store update with all three.
    void saveDetails(qint64 runId, const QString& name, const QString& tags, const QString& notes);
    // The store could not be written when last loaded: edits are disabled, a banner says so.
    bool isReadOnly() const { return m_readOnly; }
    // Asks the confirm handler first (a dialog by default); false when declined.
    bool deleteRuns(const QList<qint64>& runIds);
    // For tests: replaces the confirmation dialog.
    void setConfirmHandler(std::function<bool(const QString& question)> confirm) { m_confirm = std::move(confirm); }

    // Filter widgets, for tests and the screenshot mode.
    QLineEdit* searchEdit() const { return m_search; }
    QComboBox* statusFilter() const { return m_status; }
    QComboBox* datasetFilter() const { return m_dataset; }
    QComboBox* networkFilter() const { return m_network; }
    QComboBox* samplerFilter() const { return m_sampler; }
    QComboBox* tagFilter() const { return m_tag; }
    // The details editors, for tests.
    QLineEdit* nameEdit() const { return m_nameEdit; }
    QLineEdit* tagsEdit() const { return m_tagsEdit; }
    QPlainTextEdit* notesEdit() const { return m_notesEdit; }
    QPushButton* saveDetailsButton() const { return m_saveDetails; }
    QPushButton* deleteButton() const { return m_delete; }
    QPushButton* resumeButton() const { return m_resume; }
    QLabel* readOnlyBanner() const { return m_readOnlyBanner; }
    QLabel* emptyHint() const { return m_emptyHint; }  // shown while the store holds no run
    // Configuration keys shown as columns beside status and accuracy ("contrastive.negatives",
    // "optim.lr", any dotted key); chosen with the Columns button, remembered by the main window.
    void setSettingColumns(const QStringList& keys);
    QStringList settingColumns() const;
    QPushButton* columnsButton() const { return m_columns; }
    // The Columns menu's first part: the keys whose values differ between the store's runs.
    QStringList differingSettingKeys() const;

Q_SIGNALS:
    void loaded(int runs, double seconds);
    void loadFailed(const QString& message);  // the store could not be read
    void readOnlyChanged(bool readOnly);
    void finalAccuraciesLoaded();
    void editDone();
    void editFailed(const QString& message);
    void openRequested(const QList<qint64>& runIds);
    void compareRequested(const QList<qint64>& runIds);
    void duplicateRequested(qint64 runId, const QString& configJson);
    void resumeRequested(qint64 runId, const QString& name);
    void teacherRequested(qint64 runId);

private:
    void onLoaded();
    void refillFilters();
    void showSelected();
    // Puts the run's stored name, tags and notes into the editors; when they show this run
    // already, an editor the user has changed since keeps its text (a reload or another
    // field's save must not wipe what is being typed).
    void fillEditors(const RunSummary& r);
    void watchEdit(QFuture<QString> future, std::function<void()> onSuccess);
    QWidget* buildDetails();

    QString m_dbPath;
    RunListModel* m_model;
    RunFilterProxy* m_proxy;
    QTableView* m_view;
    QLineEdit* m_search;
    QComboBox *m_status, *m_dataset, *m_network, *m_sampler, *m_tag;
    QLabel* m_count;
    QLabel* m_info;
    QLabel* m_readOnlyBanner;
    QLabel* m_emptyHint;
    bool m_readOnly = false;
    qint64 m_shownRunId = 0;
    bool m_reloading = false;
    QLineEdit* m_nameEdit;
    QLineEdit* m_tagsEdit;
    QPlainTextEdit* m_notesEdit;
    QPushButton* m_columns;
    QPushButton *m_open, *m_compare, *m_duplicate, *m_resume, *m_teacher, *m_delete, *m_saveDetails;
    QFutureWatcher<LoadedRuns> m_loadWatcher;
    QFutureWatcher<RunAccuracies> m_top1Watcher;
    std::function<bool(const QString&)> m_confirm;
    int m_pendingEdits = 0;
};

}  // namespace scns
