#include "shell/cluster_actions.h"

#include <QApplication>
#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>

#include "common/errors.h"
#include "common/qt_text.h"
#include "common/scns_program.h"
#include "editor/run_editor.h"
#include "store/run_store.h"

namespace scns {

ClusterActions::ClusterActions(QString dbPath, RunEditor* editor, QWidget* window, QObject* parent)
    : QObject(parent)
    , m_dbPath(std::move(dbPath))
    , m_editor(editor)
    , m_window(window)
{}

QString ClusterActions::submit(const Submission& submission)
{
    const std::vector<RunConfig> runs = m_editor->launchConfigs();
    if (runs.empty())
        throw ConfigError({{"configuration", "(the editor)", "a valid configuration (see the marked fields)"}});
    if (submission.dir.trimmed().isEmpty())
        throw ConfigError({{"sweep folder", "\"\"", "a folder on the cluster's shared file system"}});
    SlurmSweep sweep;
    sweep.dir = QDir(submission.dir.trimmed()).absolutePath().toStdString();
    sweep.runs = runs;
    sweep.options = submission.options;
    const QString program = scnsProgramPath();
    sweep.options.scnsProgram = program.isEmpty() ? std::string("scns") : program.toStdString();
    writeSweep(sweep);
    m_lastDir = submission.dir;
    if (submission.dryRun) {
        Q_EMIT submitted(QString::fromStdString(sweep.dir.string()));
        return {};
    }
    const QString job = QString::fromStdString(submitSweep(sweep, submission.sbatch.toStdString()));
    Q_EMIT submitted(QString::fromStdString(sweep.dir.string()));
    return job;
}

QString ClusterActions::importShards(const QStringList& shards)
{
    RunStore store(m_dbPath.toStdString(), StoreAccess::Write);
    QStringList lines;
    int total = 0;
    for (const QString& shard : shards) {
        const RunStore::MergeReport r = store.mergeFrom(shard.toStdString());
        total += static_cast<int>(r.imported.size());
        QString line =
            tr("%1: %2 imported")
                .arg(QFileInfo(shard).fileName(), countText(static_cast<qint64>(r.imported.size()), "run", "runs"));
        if (!r.alreadyHere.empty())
            line += tr(", %n imported before", nullptr, static_cast<int>(r.alreadyHere.size()));
        for (const std::string& why : r.notImported)
            line += tr("; not yet: %1").arg(QString::fromStdString(why));
        lines << line;
    }
    if (total > 0)
        Q_EMIT imported(total);
    return lines.join(QLatin1Char('\n'));
}

void ClusterActions::tell(const QString& title, const QString& text)
{
    if (m_tell)
        m_tell(title, text);
    else
        QMessageBox::information(m_window, title, text);
}

bool ClusterActions::askSubmission(Submission& s)
{
    if (m_ask)
        return m_ask(s);
    QDialog dialog(m_window);
    dialog.setWindowTitle(tr("Submit to Slurm"));
    auto* form = new QFormLayout(&dialog);
    auto* dir = new QLineEdit(m_lastDir, &dialog);
    dir->setPlaceholderText(tr("a new folder on the cluster's shared file system"));
    auto* browse = new QPushButton(tr("…"), &dialog);
    connect(browse, &QPushButton::clicked, &dialog, [&] {
        const QString chosen = QFileDialog::getExistingDirectory(&dialog, tr("Sweep folder"), dir->text());
        if (!chosen.isEmpty())
            dir->setText(chosen);
    });
    auto* dirRow = new QHBoxLayout;
    dirRow->addWidget(dir, 1);
    dirRow->addWidget(browse);
    auto* job = new QLineEdit(QStringLiteral("scns"), &dialog);
    auto* partition = new QLineEdit(&dialog);
    partition->setPlaceholderText(tr("the cluster's default"));
    auto* time = new QLineEdit(&dialog);
    time->setPlaceholderText(tr("e.g. 04:00:00 (the partition's default)"));
    auto* memory = new QLineEdit(&dialog);
    memory->setPlaceholderText(tr("e.g. 16G"));
    auto* cpus = new QSpinBox(&dialog);
    cpus->setRange(0, 1024);
    cpus->setSpecialValueText(tr("not set"));
    auto* gpus = new QSpinBox(&dialog);
    gpus->setRange(0, 64);
    gpus->setSpecialValueText(tr("not set"));
    auto* extra = new QPlainTextEdit(&dialog);
    extra->setPlaceholderText(tr("more #SBATCH lines, one a line, e.g. --account=mylab"));
    extra->setFixedHeight(70);
    auto* dry = new QCheckBox(tr("Only write the files (submit with sbatch yourself)"), &dialog);
    form->addRow(tr("Runs"),
                 new QLabel(tr("%1: the editor's plan (seeds x grid)")
                                .arg(countText(static_cast<qint64>(m_editor->launchConfigs().size()), "task", "tasks")),
                            &dialog));
    form->addRow(tr("Sweep folder"), dirRow);
    form->addRow(tr("Job name"), job);
    form->addRow(tr("Partition"), partition);
    form->addRow(tr("Time per task"), time);
    form->addRow(tr("Memory per task"), memory);
    form->addRow(tr("CPUs per task"), cpus);
    form->addRow(tr("GPUs per task"), gpus);
    form->addRow(tr("Extra lines"), extra);
    form->addRow(dry);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Submit"));
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return false;
    s.dir = dir->text();
    s.options.jobName = job->text().trimmed().isEmpty() ? std::string("scns") : job->text().trimmed().toStdString();
    s.options.partition = partition->text().trimmed().toStdString();
    s.options.time = time->text().trimmed().toStdString();
    s.options.memory = memory->text().trimmed().toStdString();
    s.options.cpusPerTask = cpus->value();
    s.options.gpusPerTask = gpus->value();
    for (const QString& line : extra->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        if (!line.trimmed().isEmpty())
            s.options.extraLines.push_back(line.trimmed().toStdString());
    s.dryRun = dry->isChecked();
    return true;
}

void ClusterActions::submitWithDialog()
{
    if (m_editor->launchConfigs().empty()) {
        tell(tr("Submit to Slurm"), tr("The configuration has problems; they are marked in the editor."));
        return;
    }
    Submission s;
    if (!askSubmission(s))
        return;
    try {
        const QString job = submit(s);
        const QString dir = QDir(s.dir.trimmed()).absolutePath();
        tell(tr("Submit to Slurm"),
             job.isEmpty() ? tr("The sweep is written to %1; submit it with:\nsbatch %1/sweep.sbatch").arg(dir)
                           : tr("Submitted job %1 (%2).\n\nWatch it with: scns slurm status %2\nWhen tasks have "
                                "finished: Runs > Import results… and pick %2/task-*.sqlite")
                                 .arg(job, dir));
    } catch (const std::exception& e) {
        tell(tr("Submit to Slurm"), QString::fromStdString(e.what()));
    }
}

void ClusterActions::importWithDialog()
{
    const QStringList shards = m_choose
        ? m_choose()
        : QFileDialog::getOpenFileNames(m_window, tr("Import results: the shard stores of a sweep"), m_lastDir,
                                        tr("Run stores (*.sqlite *.db);;All files (*)"));
    if (!shards.isEmpty())
        importShardsAndTell(shards);
}

void ClusterActions::importShardsAndTell(const QStringList& shards)
{
    try {
        QApplication::setOverrideCursor(Qt::WaitCursor);
        const QString report = importShards(shards);
        QApplication::restoreOverrideCursor();
        tell(tr("Import results"), report);
    } catch (const std::exception& e) {
        QApplication::restoreOverrideCursor();
        tell(tr("Import results"), QString::fromStdString(e.what()));
    }
}

}  // namespace scns
