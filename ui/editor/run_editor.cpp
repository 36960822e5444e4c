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

#include "common/errors.h"
#include "common/qt_text.h"
#include "data/dataset_registry.h"
#include "editor/device_list.h"
#include "editor/path_checks.h"
#include "editor/path_edit.h"
#include "models/model_names.h"
#include "queue/launch_plan.h"

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
    w = markTarget(w);
    if (w->property(kInvalidProperty).toBool() != invalid) {
        w->setProperty(kInvalidProperty, invalid);
        w->style()->unpolish(w);
        w->style()->polish(w);
    }
    w->setToolTip(reason);
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

RunEditor::RunEditor(QWidget* parent) : QWidget(parent), m_fields([this] { onEdited(); })
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
    FieldBindings& f = m_fields;
    const auto row = [this](QGroupBox* box, const QString& label, const QString& key, QWidget* input,
                            const QString& tip) {
        input->setToolTip(tip);
        input->setWhatsThis(tip);
        formOf(box)->addRow(label, withReason(key, input));
    };
    const QStringList archs = toQStringList(knownArchitectures());
    QStringList archsOrDefault = archs;
    archsOrDefault.prepend(QString());

    // Run
    auto* run = section(tr("Run"), content);
    row(run, tr("Name"), QStringLiteral("name"), f.text(QStringLiteral("name"), [](RunConfig& c) -> auto& { return c.name; }, run),
        tr("Empty: data set, network and seed"));
    static_cast<QLineEdit*>(f.widget(QStringLiteral("name")))->setPlaceholderText(tr("automatic (data set-network-seed)"));
    row(run, tr("Epochs"), QStringLiteral("epochs"), f.integer(QStringLiteral("epochs"), [](RunConfig& c) -> auto& { return c.epochs; }, run), {});
    row(run, tr("Batch size"), QStringLiteral("batch_size"),
        f.integer(QStringLiteral("batch_size"), [](RunConfig& c) -> auto& { return c.batchSize; }, run), {});
    row(run, tr("Eval batch size"), QStringLiteral("eval_batch_size"),
        f.integer(QStringLiteral("eval_batch_size"), [](RunConfig& c) -> auto& { return c.evalBatchSize; }, run),
        tr("Batch size for evaluating the test split"));
    row(run, tr("Seed"), QStringLiteral("seed"), f.seed(QStringLiteral("seed"), [](RunConfig& c) -> auto& { return c.seed; }, run),
        tr("Seeds the subset, initialisation, shuffling and sampling"));
    m_devices = availableDevices();
    row(run, tr("Device"), QStringLiteral("device"),
        f.choice(QStringLiteral("device"), [](RunConfig& c) -> auto& { return c.device; }, m_devices, true, run),
        tr("cpu, cuda or cuda:N (the devices this machine has are listed)"));
    row(run, tr("Threads"), QStringLiteral("threads"), f.integer(QStringLiteral("threads"), [](RunConfig& c) -> auto& { return c.threads; }, run),
        tr("CPU threads for LibTorch; 0 = all cores"));
    row(run, tr("Checkpoints kept"), QStringLiteral("checkpoint.keep"),
        f.integer(QStringLiteral("checkpoint.keep"), [](RunConfig& c) -> auto& { return c.checkpoint.keep; }, run),
        tr("Newest checkpoint files kept on disk (resume needs one)"));

    // Data
    auto* data = section(tr("Data"), content);
    auto* dataset = f.choice(QStringLiteral("data.dataset"), [](RunConfig& c) -> auto& { return c.data.dataset; },
                             toQStringList(knownDatasets()), false, data);
    row(data, tr("Data set"), QStringLiteral("data.dataset"), dataset, {});
    auto* folder = f.path(QStringLiteral("data.folder"), [](RunConfig& c) -> auto& { return c.data.folder; }, true, {}, data);
    row(data, tr("Folder"), QStringLiteral("data.folder"), folder, tr("Empty: the data set's default folder, if it has one"));
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
    row(data, tr("Train images / class"), QStringLiteral("data.train_per_class"),
        f.integer(QStringLiteral("data.train_per_class"), [](RunConfig& c) -> auto& { return c.data.trainPerClass; }, data),
        tr("0 = all training images"));
    row(data, tr("Test images / class"), QStringLiteral("data.test_per_class"),
        f.integer(QStringLiteral("data.test_per_class"), [](RunConfig& c) -> auto& { return c.data.testPerClass; }, data),
        tr("0 = the whole test split"));
    row(data, tr("Crop padding"), QStringLiteral("data.crop_padding"),
        f.optionalInteger(QStringLiteral("data.crop_padding"), [](RunConfig& c) -> auto& { return c.data.cropPadding; },
                          tr("default (4; 0 for Fashion-MNIST)"), data),
        tr("Random-crop padding in pixels"));
    row(data, tr("Horizontal flip"), QStringLiteral("data.flip"),
        f.optionalBool(QStringLiteral("data.flip"), [](RunConfig& c) -> auto& { return c.data.flip; },
                       tr("default (yes; no for Fashion-MNIST)"), data),
        {});
    row(data, {}, QStringLiteral("data.prefetch"),
        f.boolean(QStringLiteral("data.prefetch"), [](RunConfig& c) -> auto& { return c.data.prefetch; }, tr("Prefetch batches"), data),
        tr("Prepare the next batch on a background thread"));

    // Network and optimiser
    auto* net = section(tr("Network and optimiser"), content);
    row(net, tr("Network"), QStringLiteral("model.arch"),
        f.choice(QStringLiteral("model.arch"), [](RunConfig& c) -> auto& { return c.arch; }, archs, false, net), {});
    row(net, tr("Optimiser"), QStringLiteral("optim.optimizer"),
        f.choice(QStringLiteral("optim.optimizer"), [](RunConfig& c) -> auto& { return c.optim.optimizer; }, {QStringLiteral("sgd")}, false, net), {});
    row(net, tr("Learning rate"), QStringLiteral("optim.lr"), f.real(QStringLiteral("optim.lr"), [](RunConfig& c) -> auto& { return c.optim.lr; }, net),
        tr("Peak learning rate"));
    row(net, tr("Momentum"), QStringLiteral("optim.momentum"),
        f.real(QStringLiteral("optim.momentum"), [](RunConfig& c) -> auto& { return c.optim.momentum; }, net), {});
    row(net, tr("Weight decay"), QStringLiteral("optim.weight_decay"),
        f.real(QStringLiteral("optim.weight_decay"), [](RunConfig& c) -> auto& { return c.optim.weightDecay; }, net), {});
    row(net, {}, QStringLiteral("optim.nesterov"),
        f.boolean(QStringLiteral("optim.nesterov"), [](RunConfig& c) -> auto& { return c.optim.nesterov; }, tr("Nesterov momentum"), net),
        {});

    // Schedule
    auto* sched = section(tr("Learning-rate schedule"), content);
    row(sched, tr("Kind"), QStringLiteral("schedule.kind"),
        f.choice(QStringLiteral("schedule.kind"), [](RunConfig& c) -> auto& { return c.schedule.kind; },
                 {QStringLiteral("constant"), QStringLiteral("multistep"), QStringLiteral("cosine"), QStringLiteral("onecycle")}, false, sched),
        {});
    row(sched, tr("Warm-up epochs"), QStringLiteral("schedule.warmup_epochs"),
        f.real(QStringLiteral("schedule.warmup_epochs"), [](RunConfig& c) -> auto& { return c.schedule.warmupEpochs; }, sched),
        tr("Linear warm-up from 0; fractions of an epoch allowed"));
    row(sched, tr("Milestones"), QStringLiteral("schedule.milestones"),
        f.integerList(QStringLiteral("schedule.milestones"), [](RunConfig& c) -> auto& { return c.schedule.milestones; }, sched),
        tr("multistep: epochs at which the learning rate is multiplied by gamma"));
    row(sched, tr("Gamma"), QStringLiteral("schedule.gamma"),
        f.real(QStringLiteral("schedule.gamma"), [](RunConfig& c) -> auto& { return c.schedule.gamma; }, sched), {});
    row(sched, tr("Minimum lr"), QStringLiteral("schedule.min_lr"),
        f.real(QStringLiteral("schedule.min_lr"), [](RunConfig& c) -> auto& { return c.schedule.minLr; }, sched),
        tr("cosine / onecycle floor"));

    // Contrastive term
    auto* con = section(tr("Contrastive term (negatives)"), content);
    m_contrastiveBox = con;
    row(con, {}, QStringLiteral("contrastive.enabled"),
        f.boolean(QStringLiteral("contrastive.enabled"), [](RunConfig& c) -> auto& { return c.contrastive.enabled; },
                  tr("Enabled: loss = CE + beta L_con"), con),
        {});
    row(con, tr("Objective"), QStringLiteral("contrastive.objective"),
        f.choice(QStringLiteral("contrastive.objective"), [](RunConfig& c) -> auto& { return c.contrastive.objective; },
                 {QStringLiteral("infonce"), QStringLiteral("nce"), QStringLiteral("supcon")}, false, con),
        tr("infonce, nce (CRD's form) or supcon (in-batch)"));
    row(con, tr("Sampler"), QStringLiteral("contrastive.sampler"),
        f.choice(QStringLiteral("contrastive.sampler"), [](RunConfig& c) -> auto& { return c.contrastive.sampler; },
                 {QStringLiteral("uniform"), QStringLiteral("class"), QStringLiteral("instance")}, false, con),
        tr("How negatives are drawn: uniformly, by class similarity or by instance top-k"));
    row(con, tr("Negatives (K)"), QStringLiteral("contrastive.negatives"),
        f.integer(QStringLiteral("contrastive.negatives"), [](RunConfig& c) -> auto& { return c.contrastive.negatives; }, con), {});
    row(con, tr("Temperature tau"), QStringLiteral("contrastive.tau"),
        f.real(QStringLiteral("contrastive.tau"), [](RunConfig& c) -> auto& { return c.contrastive.tau; }, con), {});
    row(con, tr("Weight beta"), QStringLiteral("contrastive.beta"),
        f.real(QStringLiteral("contrastive.beta"), [](RunConfig& c) -> auto& { return c.contrastive.beta; }, con),
        tr("Weight of the contrastive loss"));
    row(con, tr("Bank momentum"), QStringLiteral("contrastive.momentum"),
        f.real(QStringLiteral("contrastive.momentum"), [](RunConfig& c) -> auto& { return c.contrastive.momentum; }, con), {});
    row(con, tr("Feature dim"), QStringLiteral("contrastive.feature_dim"),
        f.integer(QStringLiteral("contrastive.feature_dim"), [](RunConfig& c) -> auto& { return c.contrastive.featureDim; }, con),
        tr("Projection head output size"));
    row(con, tr("Positive"), QStringLiteral("contrastive.positive"),
        f.choice(QStringLiteral("contrastive.positive"), [](RunConfig& c) -> auto& { return c.contrastive.positive; },
                 {QStringLiteral("same-class"), QStringLiteral("self")}, false, con),
        {});
    row(con, tr("Uniform share epsilon"), QStringLiteral("contrastive.epsilon"),
        f.real(QStringLiteral("contrastive.epsilon"), [](RunConfig& c) -> auto& { return c.contrastive.epsilon; }, con),
        tr("Share of negatives drawn uniformly instead"));
    row(con, tr("Refresh every (epochs)"), QStringLiteral("contrastive.refresh_epochs"),
        f.integer(QStringLiteral("contrastive.refresh_epochs"), [](RunConfig& c) -> auto& { return c.contrastive.refreshEpochs; }, con),
        tr("Model-based similarity / top-k refresh period R"));
    row(con, tr("Probe anchors"), QStringLiteral("contrastive.probe_anchors"),
        f.integer(QStringLiteral("contrastive.probe_anchors"), [](RunConfig& c) -> auto& { return c.contrastive.probeAnchors; }, con),
        tr("Anchors whose negatives are recorded each epoch (negatives inspector)"));
    row(con, tr("Probe negatives"), QStringLiteral("contrastive.probe_negatives"),
        f.integer(QStringLiteral("contrastive.probe_negatives"), [](RunConfig& c) -> auto& { return c.contrastive.probeNegatives; },
                  con),
        tr("Negatives recorded per probe anchor and epoch"));
    row(con, tr("SupCon samples / class"), QStringLiteral("contrastive.supcon.samples_per_class"),
        f.integer(QStringLiteral("contrastive.supcon.samples_per_class"),
                  [](RunConfig& c) -> auto& { return c.contrastive.supconSamplesPerClass; }, con),
        {});
    row(con, tr("Reference weights"), QStringLiteral("contrastive.reference.weights"),
        f.path(QStringLiteral("contrastive.reference.weights"), [](RunConfig& c) -> auto& { return c.contrastive.referenceWeights; },
               false, tr("Weights (*.pt *.pth *.ckpt);;All files (*)"), con),
        tr("A fixed reference network instead of the model itself (empty: none)"));
    row(con, tr("Reference network"), QStringLiteral("contrastive.reference.arch"),
        f.choice(QStringLiteral("contrastive.reference.arch"), [](RunConfig& c) -> auto& { return c.contrastive.referenceArch; },
                 archsOrDefault, false, con),
        tr("Empty: the run's network"));

    auto* cls = section(tr("Class sampler"), content);
    m_classBox = cls;
    row(cls, tr("Similarity source"), QStringLiteral("contrastive.class.similarity"),
        f.choice(QStringLiteral("contrastive.class.similarity"), [](RunConfig& c) -> auto& { return c.contrastive.similarity; },
                 {QStringLiteral("wordnet"), QStringLiteral("visual"), QStringLiteral("confusion"), QStringLiteral("file")}, false, cls),
        {});
    row(cls, tr("Similarity file"), QStringLiteral("contrastive.class.similarity_file"),
        f.path(QStringLiteral("contrastive.class.similarity_file"), [](RunConfig& c) -> auto& { return c.contrastive.similarityFile; },
               false, tr("Similarity (*.csv *.txt *.vec);;All files (*)"), cls),
        tr("C x C CSV or word vectors, for source = file"));
    row(cls, tr("Top-k classes"), QStringLiteral("contrastive.class.k"),
        f.integer(QStringLiteral("contrastive.class.k"), [](RunConfig& c) -> auto& { return c.contrastive.classK; }, cls), {});
    row(cls, tr("Class tau"), QStringLiteral("contrastive.class.tau"),
        f.real(QStringLiteral("contrastive.class.tau"), [](RunConfig& c) -> auto& { return c.contrastive.classTau; }, cls), {});
    row(cls, {}, QStringLiteral("contrastive.class.uniform"),
        f.boolean(QStringLiteral("contrastive.class.uniform"), [](RunConfig& c) -> auto& { return c.contrastive.classUniform; },
                  tr("Uniform over the top-k classes"), cls),
        {});

    auto* inst = section(tr("Instance sampler"), content);
    m_instanceBox = inst;
    row(inst, tr("Top-k instances"), QStringLiteral("contrastive.instance.k"),
        f.integer(QStringLiteral("contrastive.instance.k"), [](RunConfig& c) -> auto& { return c.contrastive.instanceK; }, inst), {});
    row(inst, tr("Weighting"), QStringLiteral("contrastive.instance.weighting"),
        f.choice(QStringLiteral("contrastive.instance.weighting"), [](RunConfig& c) -> auto& { return c.contrastive.instanceWeighting; },
                 {QStringLiteral("uniform"), QStringLiteral("softmax")}, false, inst),
        {});
    row(inst, tr("Instance tau"), QStringLiteral("contrastive.instance.tau"),
        f.real(QStringLiteral("contrastive.instance.tau"), [](RunConfig& c) -> auto& { return c.contrastive.instanceTau; }, inst), {});
    row(inst, {}, QStringLiteral("contrastive.instance.other_classes_only"),
        f.boolean(QStringLiteral("contrastive.instance.other_classes_only"),
                  [](RunConfig& c) -> auto& { return c.contrastive.instanceOtherClassesOnly; },
                  tr("Other classes only"), inst),
        {});

    auto* mix = section(tr("Latent Mixup pseudo-negatives"), content);
    m_mixupBox = mix;
    row(mix, tr("Count"), QStringLiteral("contrastive.mixup.count"),
        f.integer(QStringLiteral("contrastive.mixup.count"), [](RunConfig& c) -> auto& { return c.contrastive.mixupCount; }, mix),
        tr("Pseudo-negatives per anchor; 0 = off"));
    row(mix, tr("Alpha"), QStringLiteral("contrastive.mixup.alpha"),
        f.real(QStringLiteral("contrastive.mixup.alpha"), [](RunConfig& c) -> auto& { return c.contrastive.mixupAlpha; }, mix),
        tr("Beta(alpha, alpha) mixing weights"));
    row(mix, tr("Mode"), QStringLiteral("contrastive.mixup.mode"),
        f.choice(QStringLiteral("contrastive.mixup.mode"), [](RunConfig& c) -> auto& { return c.contrastive.mixupMode; },
                 {QStringLiteral("pairs"), QStringLiteral("anchor")}, false, mix),
        {});

    auto* kd = section(tr("Distillation (teacher)"), content);
    row(kd, tr("Method"), QStringLiteral("distill.method"),
        f.choice(QStringLiteral("distill.method"), [](RunConfig& c) -> auto& { return c.distill.method; },
                 {QStringLiteral("none"), QStringLiteral("kd"), QStringLiteral("crd"), QStringLiteral("crd+kd")}, false, kd),
        tr("crd uses the contrastive section for its negatives"));
    m_teacherBox = new QGroupBox(tr("Teacher"), kd);
    auto* teacherForm = new QFormLayout(m_teacherBox);
    const auto teacherRow = [&](const QString& label, const QString& key, QWidget* input, const QString& tip) {
        input->setToolTip(tip);
        teacherForm->addRow(label, withReason(key, input));
    };
    teacherRow(tr("Weights"), QStringLiteral("distill.teacher.weights"),
               f.path(QStringLiteral("distill.teacher.weights"), [](RunConfig& c) -> auto& { return c.distill.teacherWeights; }, false,
                      tr("Weights (*.pt *.pth *.ckpt);;All files (*)"), m_teacherBox),
               tr("An SCNS checkpoint or a PyTorch state dict (import)"));
    teacherRow(tr("Network"), QStringLiteral("distill.teacher.arch"),
               f.choice(QStringLiteral("distill.teacher.arch"), [](RunConfig& c) -> auto& { return c.distill.teacherArch; },
                        archsOrDefault, false, m_teacherBox),
               tr("Empty: the network an SCNS checkpoint names"));
    teacherRow(tr("From run"), QStringLiteral("distill.teacher.run_id"),
               f.integer(QStringLiteral("distill.teacher.run_id"), [](RunConfig& c) -> auto& { return c.distill.teacherRunId; },
                         m_teacherBox),
               tr("The stored run the weights come from (0: imported)"));
    auto* pick = new QPushButton(tr("Pick a finished run…"), m_teacherBox);
    pick->setToolTip(tr("Use a run of this store as teacher (its newest checkpoint)"));
    connect(pick, &QPushButton::clicked, this, &RunEditor::pickTeacherRequested);
    auto* train = new QPushButton(tr("Train this network first"), m_teacherBox);
    train->setToolTip(tr("Queue a cross-entropy run of the teacher network on this data; when it finishes "
                         "its weights become the teacher here"));
    connect(train, &QPushButton::clicked, this, &RunEditor::trainTeacherRequested);
    auto* teacherButtons = new QHBoxLayout;
    teacherButtons->addWidget(pick);
    teacherButtons->addWidget(train);
    teacherForm->addRow(QString(), teacherButtons);
    formOf(kd)->addRow(m_teacherBox);
    row(kd, tr("Temperature T"), QStringLiteral("distill.temperature"),
        f.real(QStringLiteral("distill.temperature"), [](RunConfig& c) -> auto& { return c.distill.temperature; }, kd), {});
    row(kd, tr("CE weight (gamma)"), QStringLiteral("distill.ce_weight"),
        f.optionalReal(QStringLiteral("distill.ce_weight"), [](RunConfig& c) -> auto& { return c.distill.ceWeight; },
                       tr("default (0.1 kd, else 1)"), kd),
        {});
    row(kd, tr("KD weight (alpha)"), QStringLiteral("distill.kd_weight"),
        f.optionalReal(QStringLiteral("distill.kd_weight"), [](RunConfig& c) -> auto& { return c.distill.kdWeight; },
                       tr("default (0.9 kd, 1 crd+kd, 0 crd)"), kd),
        {});
    row(kd, tr("CRD weight (beta)"), QStringLiteral("distill.crd_weight"),
        f.optionalReal(QStringLiteral("distill.crd_weight"), [](RunConfig& c) -> auto& { return c.distill.crdWeight; },
                       tr("default (0.8 crd, 0 kd)"), kd),
        {});

    // Three columns, each stacked tightly: what every run needs, the network and its teacher,
    // the contrastive term.
    const auto column = [grid](int c, std::initializer_list<QWidget*> boxes) {
        auto* col = new QVBoxLayout;
        for (QWidget* box : boxes)
            col->addWidget(box);
        col->addStretch(1);
        grid->addLayout(col, 0, c);
        grid->setColumnStretch(c, 1);
    };
    column(0, {run, data, sched});
    column(1, {net, kd, mix});
    column(2, {con, cls, inst});

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
    connect(m_seeds, &QLineEdit::textEdited, this, &RunEditor::onEdited);
    connect(m_grid, &QLineEdit::textEdited, this, &RunEditor::onEdited);
    auto* load = new QPushButton(tr("Load…"), this);
    auto* save = new QPushButton(tr("Save…"), this);
    auto* reset = new QPushButton(tr("Defaults"), this);
    m_launch = new QPushButton(tr("Launch"), this);
    m_launch->setDefault(true);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    connect(load, &QPushButton::clicked, this, &RunEditor::loadWithDialog);
    connect(save, &QPushButton::clicked, this, &RunEditor::saveWithDialog);
    connect(reset, &QPushButton::clicked, this, [this] {
        m_parentRunId = 0;
        setConfig(RunConfig{});
    });
    connect(m_launch, &QPushButton::clicked, this, &RunEditor::launchRequested);

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
    if (c.distill.method == "none")
        c.distill.method = "kd";
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

std::vector<FieldProblem> RunEditor::validate()
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
    try {
        parseSeedList(m_seeds->text());
    } catch (const ConfigError& e) {
        problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
    try {
        parseGrid(m_grid->text());
    } catch (const ConfigError& e) {
        problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
    mark(problems);
    return problems;
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
    const auto base = validConfig();
    if (!base)
        return {};
    try {
        return expandLaunch(*base, parseSeedList(m_seeds->text()), parseGrid(m_grid->text()));
    } catch (const ConfigError& e) {
        // A grid point that is invalid: the grid field carries the reasons.
        std::vector<FieldProblem> problems;
        QStringList lines;
        for (const auto& p : e.problems())
            lines << QStringLiteral("%1 = %2: expected %3").arg(toQString(p.field), toQString(p.value), toQString(p.expected));
        problems.push_back({"grid", m_grid->text().toStdString(), lines.join(QStringLiteral("; ")).toStdString()});
        mark(problems);
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
        summary = tr("Configuration is valid.");
    else
        summary = tr("%n problem(s) marked in red; launch is blocked until they are fixed.", nullptr, n);
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

void RunEditor::onEdited()
{
    updateEnabledSections();
    m_liveValidation->start();
}

void RunEditor::updateEnabledSections()
{
    std::vector<FieldProblem> ignored;
    const RunConfig c = editedConfig(ignored);
    const bool contrastive = c.contrastive.enabled;
    for (QWidget* w : m_contrastiveBox->findChildren<QWidget*>())
        if (w != field(QStringLiteral("contrastive.enabled")) && !w->isAncestorOf(field(QStringLiteral("contrastive.enabled"))))
            w->setEnabled(contrastive);
    m_classBox->setEnabled(contrastive && c.contrastive.sampler == "class");
    m_instanceBox->setEnabled(contrastive && c.contrastive.sampler == "instance");
    m_mixupBox->setEnabled(contrastive && c.contrastive.objective != "supcon");
    const bool distill = c.distill.method != "none";
    m_teacherBox->setEnabled(distill);
    for (const char* key : {"distill.temperature", "distill.ce_weight", "distill.kd_weight", "distill.crd_weight"})
        field(QLatin1String(key))->setEnabled(distill);
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
