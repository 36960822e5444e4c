#pragma once
// The run editor: one row per setting of the settings table (train/run_settings.h), grouped
// as the table groups them, each enabled when its setting applies, with validation marked at
// the field before launch, JSON load/save in the CLI's format, and seeds/grid for
// launching several runs at once.
#include <QHash>
#include <QStringList>
#include <QWidget>

#include <functional>
#include <optional>
#include <vector>

#include "editor/field_bindings.h"

class QLabel;
class QLineEdit;
class QPushButton;
class QTimer;
class QGroupBox;

namespace scns {

class RunEditor : public QWidget {
    Q_OBJECT
public:
    explicit RunEditor(QWidget* parent = nullptr);

    void setConfig(const RunConfig& config);
    // A stored run's configuration to start a new one from ("duplicate run"); its id becomes
    // the new runs' parent. Throws ConfigError when the stored JSON is not a valid config.
    void duplicateRun(qint64 runId, const std::string& configJson);
    qint64 parentRunId() const { return m_parentRunId; }

    // The edited config and every problem with it (unparsable text, then RunConfig::validate),
    // each marked at its field. Empty = valid.
    std::vector<FieldProblem> validate();
    // The config as the fields hold it now, unvalidated (unparsable fields keep defaults).
    RunConfig currentConfig() const;
    // validate() and return the config, or nullopt when something is marked.
    std::optional<RunConfig> validConfig();
    // validConfig() expanded by the seeds and grid fields; empty when anything is invalid.
    std::vector<RunConfig> launchConfigs();
    // What launchConfigs() varies ("3 seeds (0, 1, 2) x optim.lr (0.1, 0.2)"); empty for one run.
    QString launchVariation() const;

    bool loadFile(const QString& path, QString* error);
    bool saveFile(const QString& path, QString* error);

    // For tests and the main window: an input by its dotted key ("seeds", "grid" included)
    // and the reason shown there ("" when the field is fine).
    QWidget* field(const QString& key) const;
    QString problemAt(const QString& key) const;
    // The line under the form: validity, problems, and what Launch would start.
    QString summaryText() const;
    QLineEdit* seedsEdit() const { return m_seeds; }
    QLineEdit* gridEdit() const { return m_grid; }

    // Launch stays disabled, whatever the fields hold, while reason is not empty (a read-only
    // store); the reason is shown beside the validation summary and as Launch's tooltip.
    void setLaunchBlocked(const QString& reason);
    bool isLaunchEnabled() const;

    // Teacher from a stored run (its newest checkpoint file and architecture).
    void setTeacher(qint64 runId, const QString& weightsPath, const QString& arch);

    // The dialogs the editor shows, replaceable as RunBrowser's and LaunchController's confirm
    // handlers are (tests drive the editor through them; an empty handler keeps the dialog).
    // chooseFile: a path to load (save = false) or to save to (save = true), "" when cancelled;
    // arguments: title, suggested file name, name filter. warn: title and message of a failure.
    using ChooseFileHandler = std::function<QString(bool save, const QString& title, const QString& suggested,
                                                    const QString& filter)>;
    using WarningHandler = std::function<void(const QString& title, const QString& message)>;
    void setChooseFileHandler(ChooseFileHandler choose) { m_chooseFile = std::move(choose); }
    void setWarningHandler(WarningHandler warn) { m_warn = std::move(warn); }

public Q_SLOTS:
    // File dialogs, then loadFile/saveFile; errors through the warning handler (a message box).
    void loadWithDialog();
    void saveWithDialog();

Q_SIGNALS:
    void launchRequested();
    // "Submit to Slurm…": the same plan as a cluster job array (shell/cluster_actions.h).
    void submitRequested();
    // Asks the host to let the user pick a finished run as teacher (see setTeacher).
    void pickTeacherRequested();
    // Asks the host to train the teacher network first (plain cross-entropy on this data)
    // and to set it as teacher here when it finishes.
    void trainTeacherRequested();

protected:
    // A .json run configuration dropped on the editor is loaded (as with Load…).
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    RunConfig editedConfig(std::vector<FieldProblem>& problems) const;
    void mark(const std::vector<FieldProblem>& problems);
    FieldProblem gridProblem(const ConfigError& e) const;  // a launch's problems, at the grid field
    // validate(), and when `launch` is not null and nothing is marked, the runs Launch starts.
    std::vector<FieldProblem> check(std::vector<RunConfig>* launch);
    void updateEnabledSections();
    void onEdited(const std::string& key);  // key: the setting edited; empty for Seeds and Grid
    QWidget* withReason(const QString& key, QWidget* input);
    void buildForm();
    QString chooseFile(bool save, const QString& title, const QString& suggested, const QString& filter);
    void warn(const QString& title, const QString& message);

    FieldBindings m_fields;
    QHash<QString, QLabel*> m_reasons;  // key -> the reason label under the input
    QHash<QString, QString> m_problems;
    QLineEdit* m_seeds = nullptr;
    QLineEdit* m_grid = nullptr;
    QLabel* m_summary = nullptr;
    QPushButton* m_launch = nullptr;
    QString m_launchBlockedBy;
    QTimer* m_liveValidation = nullptr;
    std::vector<QWidget*> m_teacherButtons;  // enabled with distillation
    qint64 m_parentRunId = 0;
    QString m_launchNote;  // "Launch starts 6 runs: ..." when seeds or a grid are given
    QStringList m_devices;  // availableDevices(), read once
    ChooseFileHandler m_chooseFile;
    WarningHandler m_warn;
};

}  // namespace scns
