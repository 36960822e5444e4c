#pragma once
// The workbench's side of cluster sweeps (docs/cluster.md): "Submit to Slurm…" writes the
// editor's plan (seeds x grid) as a job array and submits it with sbatch; "Import results…"
// merges finished shard stores into this store.
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>

#include "cluster/slurm_sweep.h"

class QWidget;

namespace scns {

class RunEditor;

class ClusterActions : public QObject {
    Q_OBJECT
public:
    ClusterActions(QString dbPath, RunEditor* editor, QWidget* window, QObject* parent = nullptr);

    // What the submit dialog asks.
    struct Submission {
        QString dir;  // the sweep's folder (on the cluster's shared file system)
        SlurmOptions options;
        QString sbatch = QStringLiteral("sbatch");
        bool dryRun = false;  // write the files only
    };
    // Writes the editor's plan into submission.dir and submits it: returns the job id, or ""
    // for a dry run. Throws ConfigError: the editor's problems, a folder holding a sweep, or
    // sbatch missing or refusing (with the scheduler's own message).
    QString submit(const Submission& submission);
    // Merges the shard stores into this store; returns what happened, one line per shard.
    // Throws StoreError naming a shard that is not a store.
    QString importShards(const QStringList& shards);

    // For tests: replaces the dialogs. ask: fills a Submission, false when cancelled; choose:
    // the shard files, empty when cancelled; tell: a title and a message to show.
    void setSubmissionDialog(std::function<bool(Submission&)> ask) { m_ask = std::move(ask); }
    void setShardChooser(std::function<QStringList()> choose) { m_choose = std::move(choose); }
    void setMessageHandler(std::function<void(const QString&, const QString&)> tell) { m_tell = std::move(tell); }

public Q_SLOTS:
    void submitWithDialog();
    void importWithDialog();
    // importShards, its report (or error) shown.
    void importShardsAndTell(const QStringList& shards);

Q_SIGNALS:
    void imported(int runs);  // the browser reloads
    void submitted(const QString& dir);  // a sweep was written (and submitted) there

private:
    bool askSubmission(Submission& s);
    void tell(const QString& title, const QString& text);

    QString m_dbPath;
    RunEditor* m_editor;
    QWidget* m_window;
    std::function<bool(Submission&)> m_ask;
    std::function<QStringList()> m_choose;
    std::function<void(const QString&, const QString&)> m_tell;
    QString m_lastDir;
};

}  // namespace scns
