#include "editor/run_editor.h"

#include <QCheckBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>
#include <QUrl>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSaveFile>
#include <QSpinBox>
#include <QStyle>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

#include "common/errors.h"
#include "common/qt_text.h"
#include "data/dataset_registry.h"
#include "editor/device_list.h"
#include "editor/path_checks.h"
#include "editor/path_edit.h"
#include "models/model_names.h"
#include "train/launch_plan.h"

namespace scns {

namespace {

constexpr const char* kInvalidProperty = "scnsInvalid";

// The widget that shows the red border: the line edit inside a path field.
QWidget* markTarget(QWidget* w)
{
    if (auto* p = qobject_cast<PathEdit*>(w))
        return p->lineEdit();
    return w;
}

void setInvalid(QWidget* w, bool invalid, const QString& reason)
{
    // The tooltip shows the reason first, then the setting's help (kept in "scnsHelp").
    const QString help = w->property("scnsHelp").toString();
    w = markTarget(w);
    if (w->property(kInvalidProperty).toBool() != invalid) {
        w->setProperty(kInvalidProperty, invalid);
        w->style()->unpolish(w);
        w->style()->polish(w);
    }
    w->setToolTip(reason.isEmpty() ? help : help.isEmpty() ? reason : reason + QStringLiteral("\n\n") + help);
}

QString reasonText(const FieldProblem& p)
{
    return QStringLiteral("%1 is not allowed: expected %2").arg(toQString(p.value), toQString(p.expected));
}

QGroupBox* section(const QString& title, QWidget* parent)
{
    auto* box = new QGroupBox(title, parent);
    auto* form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return box;
}

QFormLayout* formOf(QGroupBox* box) { return static_cast<QFormLayout*>(box->layout()); }

}  // namespace

RunEditor::RunEditor(QWidget* parent) : QWidget(parent), m_fields([this](const std::string& key) { onEdited(key); })
{
    setObjectName(QStringLiteral("RunEditor"));
    setStyleSheet(QStringLiteral(
        "QLineEdit[scnsInvalid=\"true\"], QSpinBox[scnsInvalid=\"true\"], QComboBox[scnsInvalid=\"true\"]"
        " { border: 2px solid #c62828; border-radius: 3px; padding: 1px; }"
        " QCheckBox[scnsInvalid=\"true\"] { color: #c62828; }"
        " QLabel[role=\"reason\"] { color: #c62828; font-size: 8pt; }"));
    m_liveValidation = new QTimer(this);
    m_liveValidation->setSingleShot(true);
    m_liveValidation->setInterval(250);
    connect(m_liveValidation, &QTimer::timeout, this, [this] { validate(); });
    buildForm();
    setConfig(RunConfig{});
    setAcceptDrops(true);
}

namespace {

// The one local .json file a drag carries, or "" when it carries anything else.
QString droppedConfigFile(const QMimeData* mime)
{
    if (!mime || !mime->hasUrls() || mime->urls().size() != 1)
        return {};
    const QUrl url = mime->urls().front();
    return url.isLocalFile() && url.toLocalFile().endsWith(QLatin1String(".json"), Qt::CaseInsensitive)
               ? url.toLocalFile()
               : QString();
}

// A duplicated run's name: "sweep" -> "sweep-2", "sweep-2" -> "sweep-3"; empty stays empty
// (the automatic name).
std::string duplicateName(const std::string& name)
{
    if (name.empty())
        return name;
    const auto dash = name.find_last_of('-');
    if (dash != std::string::npos && dash + 1 < name.size() && name.size() - dash <= 6
        && std::all_of(name.begin() + static_cast<std::ptrdiff_t>(dash) + 1, name.end(),
                       [](char ch) { return ch >= '0' && ch <= '9'; }))
        return name.substr(0, dash + 1) + std::to_string(std::stoi(name.substr(dash + 1)) + 1);
    return name + "-2";
}

}  // namespace

void RunEditor::dragEnterEvent(QDragEnterEvent* event)
{
    if (!droppedConfigFile(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void RunEditor::dropEvent(QDropEvent* event)
{
    const QString path = droppedConfigFile(event->mimeData());
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    QString error;
    if (!loadFile(path, &error))
        warn(tr("Cannot load configuration"), error);
}

QWidget* RunEditor::withReason(const QString& key, QWidget* input)
{
    auto* box = new QWidget(this);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(1);
    layout->addWidget(input);
    auto* reason = new QLabel(box);
    reason->setProperty("role", QStringLiteral("reason"));
    reason->setWordWrap(true);
    reason->hide();
    layout->addWidget(reason);
    m_reasons.insert(key, reason);
    return box;
}

void RunEditor::buildForm()
{
    auto* content = new QWidget(this);
    auto* grid = new QGridLayout(content);
    m_devices = availableDevices();

    // One row per setting of the settings table, in its groups; the form adds only what is
    // about presentation: which column a group sits in, the devices this machine has, the data
    // folder's placeholder and the teacher's buttons.
    QHash<QString, QGroupBox*> boxes;
    std::vector<QGroupBox*> order;
    for (const Setting& s : runSettings()) {
        const QString group = QString::fromStdString(s.group);
        QGroupBox*& box = boxes[group];
        if (!box) {
            box = section(group, content);
            order.push_back(box);
        }
        QWidget* input = m_fields.bind(s, box, s.key == "device" ? m_devices : QStringList());
        QString tip = QString::fromStdString(s.help);
        if (!s.appliesWhen.empty())
            tip += QLatin1Char(' ') + tr("Only when %1.").arg(QString::fromStdString(s.appliesWhen));
        input->setProperty("scnsHelp", tip);
        input->setToolTip(tip);
        input->setWhatsThis(tip);
        const QString key = QString::fromStdString(s.key);
        const bool checkBox = s.type == SettingType::Bool;
        formOf(box)->addRow(checkBox ? QString() : QString::fromStdString(s.label), withReason(key, input));
    }

    // The data folder's placeholder follows the data set.
    auto* dataset = static_cast<QComboBox*>(m_fields.widget(QStringLiteral("data.dataset")));
    auto* folder = static_cast<PathEdit*>(m_fields.widget(QStringLiteral("data.folder")));
    const auto updateFolderHint = [folder, dataset] {
        QString hint = tr("required for this data set");
        try {
            const auto def = defaultDatasetFolder(dataset->currentText().toStdString());
            if (!def.empty())
                hint = tr("default: %1").arg(QString::fromStdString(def.string()));
        } catch (const Error&) {
        }
        folder->lineEdit()->setPlaceholderText(hint);
    };
    connect(dataset, &QComboBox::currentTextChanged, this, updateFolderHint);
    updateFolderHint();
    static_cast<QLineEdit*>(m_fields.widget(QStringLiteral("name")))
        ->setPlaceholderText(tr("automatic (data set-network-seed)"));

    // The teacher: pick a stored run's weights or train the network first.
    QGroupBox* kd = boxes.value(QStringLiteral("Distillation"));
    auto* pick = new QPushButton(tr("Pick a finished run…"), kd);
    pick->setToolTip(tr("Use a run of this store as teacher (its newest checkpoint)"));
    connect(pick, &QPushButton::clicked, this, &RunEditor::pickTeacherRequested);
    auto* train = new QPushButton(tr("Train this network first"), kd);
    train->setToolTip(tr("Queue a cross-entropy run of the teacher network on this data; when it finishes "
                         "its weights become the teacher here"));
    connect(train, &QPushButton::clicked, this, &RunEditor::trainTeacherRequested);
    m_teacherButtons = {pick, train};
    auto* teacherButtons = new QHBoxLayout;
    teacherButtons->addWidget(pick);
    teacherButtons->addWidget(train);
    formOf(kd)->insertRow(4, QString(), teacherButtons);

    // Three columns, each stacked tightly: what every run needs, the network and its teacher,
    // the contrastive term.
    const QStringList columns[] = {
        {QStringLiteral("Run"), QStringLiteral("Data"), QStringLiteral("Learning-rate schedule")},
        {QStringLiteral("Network and optimiser"), QStringLiteral("Distillation"),
         QStringLiteral("Latent Mixup pseudo-negatives")},
        {QStringLiteral("Contrastive term"), QStringLiteral("Class sampler"), QStringLiteral("Instance sampler")}};
    for (int c = 0; c < 3; ++c) {
        auto* col = new QVBoxLayout;
        for (const QString& group : columns[c])
            if (QGroupBox* box = boxes.take(group))
                col->addWidget(box);
        if (c == 2)  // a group this layout does not place yet still shows
            for (QGroupBox* box : order)
                if (boxes.values().contains(box))
                    col->addWidget(box);
        col->addStretch(1);
        grid->addLayout(col, 0, c);
        grid->setColumnStretch(c, 1);
    }

    auto* scroll = new QScrollArea(this);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    // Launch bar: seeds and grid expand the one config into several runs.
    m_seeds = new QLineEdit(this);
    m_seeds->setPlaceholderText(tr("the seed above"));
    m_seeds->setToolTip(tr("Seeds to launch, e.g. 0-4 or 1, 2, 7"));
    m_grid = new QLineEdit(this);
    m_grid->setPlaceholderText(tr("e.g. optim.lr=0.1,0.2; contrastive.class.k=2,3"));
    m_grid->setToolTip(tr("A small grid over any fields, by their JSON keys: key=v1,v2; key2=v3,v4"));
    connect(m_seeds, &QLineEdit::textEdited, this, [this] { onEdited({}); });
    connect(m_grid, &QLineEdit::textEdited, this, [this] { onEdited({}); });
    auto* load = new QPushButton(tr("Load…"), this);
    auto* save = new QPushButton(tr("Save…"), this);
    auto* reset = new QPushButton(tr("Defaults"), this);
    reset->setObjectName(QStringLiteral("defaults"));
    reset->setToolTip(tr("Every setting back to its default; Seeds and Grid emptied"));
    m_launch = new QPushButton(tr("Launch"), this);
    m_launch->setDefault(true);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    connect(load, &QPushButton::clicked, this, &RunEditor::loadWithDialog);
    connect(save, &QPushButton::clicked, this, &RunEditor::saveWithDialog);
    connect(reset, &QPushButton::clicked, this, [this] {  // everything back: the fields, seeds and grid
        m_parentRunId = 0;
        m_seeds->clear();
        m_grid->clear();
        setConfig(RunConfig{});
    });
    connect(m_launch, &QPushButton::clicked, this, &RunEditor::launchRequested);
    auto* submit = new QPushButton(tr("Submit to Slurm…"), this);
    submit->setObjectName(QStringLiteral("submitToSlurm"));
    submit->setToolTip(tr("The same runs as a Slurm job array on a cluster, one task per run (docs/cluster.md)"));
    connect(submit, &QPushButton::clicked, this, &RunEditor::submitRequested);

    auto* bar = new QGridLayout;
    bar->addWidget(new QLabel(tr("Seeds"), this), 0, 0);
    bar->addWidget(withReason(QStringLiteral("seeds"), m_seeds), 0, 1);
    bar->addWidget(new QLabel(tr("Grid"), this), 0, 2);
    bar->addWidget(withReason(QStringLiteral("grid"), m_grid), 0, 3);
    bar->setColumnStretch(1, 1);
    bar->setColumnStretch(3, 3);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_summary, 1);
    buttons->addWidget(load);
    buttons->addWidget(save);
    buttons->addWidget(reset);
    buttons->addWidget(submit);
    buttons->addWidget(m_launch);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(scroll, 1);
    layout->addLayout(bar);
    layout->addLayout(buttons);
}

void RunEditor::setConfig(const RunConfig& config)
{
    m_fields.load(config);
    updateEnabledSections();
    validate();
}

void RunEditor::duplicateRun(qint64 runId, const std::string& configJson)
{
    RunConfig c = runConfigFromJsonText(configJson, "run " + std::to_string(runId) + " configuration");
    m_parentRunId = runId;
    c.name = duplicateName(c.name);  // a new run: a new name (empty stays automatic)
    setConfig(c);
    m_summary->setText(tr("Started from run %1's configuration.").arg(runId));
}

void RunEditor::setTeacher(qint64 runId, const QString& weightsPath, const QString& arch)
{
    std::vector<FieldProblem> ignored;  // whatever is invalid stays marked after setConfig
    RunConfig c = editedConfig(ignored);
    c.distill.teacherRunId = runId;
    c.distill.teacherWeights = weightsPath.toStdString();
    c.distill.teacherArch = arch.toStdString();
    if (c.distill.method == DistillMethod::None)
        c.distill.method = DistillMethod::Kd;
    setConfig(c);
}

RunConfig RunEditor::currentConfig() const
{
    std::vector<FieldProblem> ignored;
    return editedConfig(ignored);
}

RunConfig RunEditor::editedConfig(std::vector<FieldProblem>& problems) const
{
    RunConfig c;
    m_fields.store(c, problems);
    return c;
}

std::vector<FieldProblem> RunEditor::validate() { return check(nullptr); }

std::vector<FieldProblem> RunEditor::check(std::vector<RunConfig>* launch)
{
    std::vector<FieldProblem> problems;
    const RunConfig c = editedConfig(problems);
    try {
        c.validate();
    } catch (const ConfigError& e) {
        for (const auto& p : e.problems()) {
            // Text that did not parse was reported already, with a better reason.
            const bool dup = std::any_of(problems.begin(), problems.end(),
                                         [&](const FieldProblem& q) { return q.field == p.field; });
            if (!dup)
                problems.push_back(p);
        }
    }
    // A device this machine does not have fails the run at its start; say so here.
    const bool anyCuda = m_devices.size() > 1;
    if (!m_devices.contains(QString::fromStdString(c.device)) && !(c.device == "cuda" && anyCuda)
        && !std::any_of(problems.begin(), problems.end(), [](const FieldProblem& q) { return q.field == "device"; }))
        problems.push_back({"device", c.device,
                            anyCuda ? "a device of this machine: " + m_devices.join(QStringLiteral(", ")).toStdString()
                                    : std::string("cpu (no CUDA device found)")});
    for (const auto& p : checkPaths(c)) {
        const bool dup = std::any_of(problems.begin(), problems.end(),
                                     [&](const FieldProblem& q) { return q.field == p.field; });
        if (!dup)
            problems.push_back(p);
    }
    std::vector<std::uint64_t> seeds;
    std::vector<GridAxis> grid;
    try {
        seeds = parseSeedList(m_seeds->text().toStdString());
    } catch (const ConfigError& e) {
        problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
    try {
        grid = parseGrid(m_grid->text().toStdString());
    } catch (const ConfigError& e) {
        problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
    // What Launch would start, said before it starts: the count and what varies; a grid that
    // cannot vary anything (a key of a switched-off section) is marked at the grid now.
    m_launchNote.clear();
    std::vector<RunConfig> runs;
    if (problems.empty() && (!seeds.empty() || !grid.empty())) {
        try {
            runs = expandLaunch(c, seeds, grid);
            const std::string varies = describeVariation(seeds, grid);
            m_launchNote = runs.size() == 1 ? tr("Launch starts 1 run.")
                                            : tr("Launch starts %1 runs: %2.").arg(runs.size()).arg(toQString(varies));
        } catch (const ConfigError& e) {
            problems.push_back(gridProblem(e));
        }
    } else if (problems.empty()) {
        runs.push_back(c);
    }
    mark(problems);
    if (launch)
        *launch = std::move(runs);
    return problems;
}

FieldProblem RunEditor::gridProblem(const ConfigError& e) const
{
    QStringList lines;
    for (const auto& p : e.problems())
        lines << (p.field == "grid" ? QStringLiteral("%1: expected %2").arg(toQString(p.value), toQString(p.expected))
                                    : QStringLiteral("%1 = %2: expected %3")
                                          .arg(toQString(p.field), toQString(p.value), toQString(p.expected)));
    return {"grid", m_grid->text().toStdString(), lines.join(QStringLiteral("; ")).toStdString()};
}

std::optional<RunConfig> RunEditor::validConfig()
{
    if (!validate().empty())
        return std::nullopt;
    std::vector<FieldProblem> ignored;
    return editedConfig(ignored);
}

std::vector<RunConfig> RunEditor::launchConfigs()
{
    std::vector<RunConfig> runs;  // the validation expands the seeds and grid once
    return check(&runs).empty() ? runs : std::vector<RunConfig>{};
}

QString RunEditor::summaryText() const
{
    return m_summary->text();
}

QString RunEditor::launchVariation() const
{
    try {
        return toQString(describeVariation(parseSeedList(m_seeds->text().toStdString()), parseGrid(m_grid->text().toStdString())));
    } catch (const ConfigError&) {
        return {};
    }
}

void RunEditor::mark(const std::vector<FieldProblem>& problems)
{
    m_problems.clear();
    QStringList unplaced;
    for (const auto& p : problems) {
        QString key = toQString(p.field);
        if (const FieldBinding* b = m_fields.find(p.field))
            key = b->key;
        else if (key != QLatin1String("seeds") && key != QLatin1String("grid")) {
            unplaced << QStringLiteral("%1: %2").arg(key, reasonText(p));
            continue;
        }
        QString& text = m_problems[key];
        text += (text.isEmpty() ? QString() : QStringLiteral("\n")) + reasonText(p);
    }
    const auto apply = [this](const QString& key, QWidget* w) {
        const QString reason = m_problems.value(key);
        setInvalid(w, !reason.isEmpty(), reason);
        if (QLabel* label = m_reasons.value(key)) {
            label->setText(reason);
            label->setVisible(!reason.isEmpty());
        }
    };
    for (const auto& b : m_fields.all())
        apply(b.key, b.widget);
    apply(QStringLiteral("seeds"), m_seeds);
    apply(QStringLiteral("grid"), m_grid);

    const int n = static_cast<int>(problems.size());
    QString summary;
    if (n == 0)
        summary = tr("Configuration is valid.") + (m_launchNote.isEmpty() ? QString() : QLatin1Char(' ') + m_launchNote);
    else
        summary = tr("%1 marked in red; launch is blocked until they are fixed.").arg(countText(n, "problem", "problems"));
    if (!unplaced.isEmpty())
        summary += QLatin1Char(' ') + unplaced.join(QStringLiteral("; "));
    if (!m_launchBlockedBy.isEmpty())
        summary += QLatin1Char(' ') + m_launchBlockedBy;
    m_summary->setText(summary);
    m_summary->setStyleSheet(n == 0 ? QString() : QStringLiteral("color: #c62828;"));
    m_launch->setEnabled(n == 0 && m_launchBlockedBy.isEmpty());
    m_launch->setToolTip(m_launchBlockedBy);
}

bool RunEditor::isLaunchEnabled() const
{
    return m_launch->isEnabled();
}

void RunEditor::setLaunchBlocked(const QString& reason)
{
    m_launchBlockedBy = reason;
    validate();
}

QWidget* RunEditor::field(const QString& key) const
{
    if (key == QLatin1String("seeds"))
        return m_seeds;
    if (key == QLatin1String("grid"))
        return m_grid;
    return m_fields.widget(key);
}

QString RunEditor::problemAt(const QString& key) const { return m_problems.value(key); }

void RunEditor::onEdited(const std::string& key)
{
    // A setting that switches a section (choosing CRD switches the contrastive term on) ticks
    // its switch, as a configuration file or `scns train` would.
    if (const Setting* s = findSetting(key); s && s->switches) {
        std::vector<FieldProblem> ignored;
        RunConfig c = editedConfig(ignored);
        applySectionSwitches(c, {key});
        m_fields.load(s->switches->key, c);
    }
    updateEnabledSections();
    m_liveValidation->start();
}

void RunEditor::updateEnabledSections()
{
    // Each input is enabled when its setting applies to the configuration as edited.
    std::vector<FieldProblem> ignored;
    const RunConfig c = editedConfig(ignored);
    for (const auto& b : m_fields.all())
        b.widget->setEnabled(b.setting->appliesTo(c));
    for (QWidget* w : m_teacherButtons)
        w->setEnabled(c.distill.enabled());
}

bool RunEditor::loadFile(const QString& path, QString* error)
{
    try {
        const RunConfig c = loadRunConfig(path.toStdString());
        m_parentRunId = 0;
        setConfig(c);
        m_summary->setText(tr("Loaded %1.").arg(path));
        return true;
    } catch (const Error& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
}

bool RunEditor::saveFile(const QString& path, QString* error)
{
    const auto c = validConfig();
    if (!c) {
        if (error)
            *error = tr("The configuration has invalid fields (marked in red); the CLI could not read it.");
        return false;
    }
    QSaveFile file(path);
    const QByteArray text = QByteArray::fromStdString(toJsonText(*c) + "\n");
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

QString RunEditor::chooseFile(bool save, const QString& title, const QString& suggested, const QString& filter)
{
    if (m_chooseFile)
        return m_chooseFile(save, title, suggested, filter);
    return save ? QFileDialog::getSaveFileName(this, title, suggested, filter)
                : QFileDialog::getOpenFileName(this, title, suggested, filter);
}

void RunEditor::warn(const QString& title, const QString& message)
{
    if (m_warn)
        m_warn(title, message);
    else
        QMessageBox::warning(this, title, message);
}

void RunEditor::loadWithDialog()
{
    const QString path = chooseFile(false, tr("Load a run configuration"), {},
                                    tr("Run configuration (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!loadFile(path, &error))
        warn(tr("Cannot load configuration"), error);
}

void RunEditor::saveWithDialog()
{
    const QString path = chooseFile(true, tr("Save the run configuration"), QStringLiteral("run.json"),
                                    tr("Run configuration (*.json)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!saveFile(path, &error))
        warn(tr("Cannot save configuration"), error);
}

}  // namespace scns
