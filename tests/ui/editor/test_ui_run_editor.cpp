// The run editor: defaults are valid, invalid values are marked at their field with the
// reason, configs survive a JSON round trip through the CLI's reader, seeds/grid expand.
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStyle>
#include <QStyleOptionFrame>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QMimeData>
#include <QUrl>
#include <QtTest>

#include <set>

#include "editor/path_edit.h"
#include "editor/run_editor.h"
#include "train/run_config.h"
#include "train/run_settings.h"

using namespace scns;

class TestUiRunEditor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultsAreValidAndUnchanged();
    void marksInvalidFieldsWithReason();
    void unparsableTextIsMarked();
    void jsonRoundTripThroughCliReader();
    void missingFilesAreMarked();
    void unavailableDeviceIsMarked();
    void loadRejectsBadFile();
    void seedsAndGridExpand();
    void invalidGridPointIsMarked();
    void duplicateRunStartsFromStoredConfig();
    void droppedJsonFileIsLoaded();
    void everySettingHasARowEnabledWhenItApplies();
    void choosingCrdSwitchesTheContrastiveTermOn();
    void placeholdersAreReadWhole();

private:
    static RunConfig richConfig(const QTemporaryDir& files);
    static void setSpin(RunEditor& e, const char* key, int v)
    {
        auto* spin = qobject_cast<QSpinBox*>(e.field(key));
        QVERIFY2(spin, key);
        spin->setValue(v);
    }
    static void setLine(RunEditor& e, const char* key, const QString& text)
    {
        QWidget* w = e.field(key);
        if (auto* p = qobject_cast<PathEdit*>(w))
            w = p->lineEdit();
        auto* line = qobject_cast<QLineEdit*>(w);
        QVERIFY2(line, key);
        line->setText(text);
        Q_EMIT line->textEdited(text);
    }
    static void maybeGrab(QWidget& w, const char* name)
    {
        const QByteArray dir = qgetenv("SCNS_UI_SHOTS");
        if (!dir.isEmpty())
            w.grab().save(QString::fromLocal8Bit(dir) + QLatin1Char('/') + QLatin1String(name) + ".png");
    }
};

// Every field away from its default; the files and folder it names exist in `files`.
RunConfig TestUiRunEditor::richConfig(const QTemporaryDir& files)
{
    QDir(files.path()).mkpath("cifar10");
    for (const char* name : {"sim.csv", "teacher.pt"}) {
        QFile f(files.filePath(name));
        f.open(QIODevice::WriteOnly);
    }
    RunConfig c;
    c.name = "rich";
    c.data.dataset = DatasetId::Cifar10;
    c.data.folder = files.filePath("cifar10").toStdString();
    c.data.trainPerClass = 100;
    c.data.testPerClass = 20;
    c.data.cropPadding = 2;
    c.data.flip = false;
    c.data.prefetch = false;
    c.arch = "resnet8x4";
    c.optim.lr = 0.05;
    c.optim.momentum = 0.8;
    c.optim.weightDecay = 1e-4;
    c.optim.nesterov = false;
    c.schedule.kind = ScheduleKind::Multistep;
    c.schedule.milestones = {3, 6};
    c.schedule.gamma = 0.2;
    c.schedule.warmupEpochs = 0.5;
    c.schedule.minLr = 0.001;
    c.epochs = 8;
    c.batchSize = 64;
    c.evalBatchSize = 256;
    c.seed = 42;
    c.threads = 2;
    c.device = "cpu";
    c.contrastive.enabled = true;
    c.contrastive.objective = Objective::InfoNce;  // mixup below needs InfoNCE
    c.contrastive.sampler = SamplerKind::Class;
    c.contrastive.negatives = 512;
    c.contrastive.tau = 0.1;
    c.contrastive.beta = 0.5;
    c.contrastive.momentum = 0.6;
    c.contrastive.featureDim = 64;
    c.contrastive.positive = Positive::Self;
    c.contrastive.epsilon = 0.25;
    c.contrastive.refreshEpochs = 2;
    c.contrastive.probeAnchors = 4;
    c.contrastive.probeNegatives = 8;
    c.contrastive.similarity = ClassSimilaritySource::File;
    c.contrastive.similarityFile = files.filePath("sim.csv").toStdString();
    c.contrastive.classK = 2;
    c.contrastive.classTau = 0.3;
    c.contrastive.classUniform = true;
    c.contrastive.instanceK = 16;
    c.contrastive.instanceWeighting = InstanceWeighting::Softmax;
    c.contrastive.instanceTau = 0.2;
    c.contrastive.instanceOtherClassesOnly = false;
    c.contrastive.supconSamplesPerClass = 2;
    c.contrastive.mixupCount = 4;
    c.contrastive.mixupAlpha = 0.5;
    c.contrastive.mixupMode = MixupMode::Anchor;
    c.distill.method = DistillMethod::CrdKd;
    c.distill.teacherWeights = files.filePath("teacher.pt").toStdString();
    c.distill.teacherArch = "resnet32x4";
    c.distill.teacherRunId = 7;
    c.distill.temperature = 3;
    c.distill.kdWeight = 0.7;
    c.checkpoint.keep = 3;
    return c;
}

void TestUiRunEditor::defaultsAreValidAndUnchanged()
{
    RunEditor editor;
    QVERIFY(editor.validate().empty());
    const auto c = editor.validConfig();
    QVERIFY(c);
    QCOMPARE(QString::fromStdString(toJsonText(*c)), QString::fromStdString(toJsonText(RunConfig{})));
    QCOMPARE(qobject_cast<QComboBox*>(editor.field("data.dataset"))->currentText(), QStringLiteral("fashion-mnist"));
    QVERIFY(!editor.findChild<QPushButton*>() || editor.problemAt("epochs").isEmpty());
}

void TestUiRunEditor::marksInvalidFieldsWithReason()
{
    RunEditor editor;
    editor.resize(1500, 900);
    setSpin(editor, "epochs", 0);
    setSpin(editor, "batch_size", -3);
    qobject_cast<QCheckBox*>(editor.field("contrastive.enabled"))->setChecked(true);
    // class.k applies (and is checked) with the class sampler only.
    qobject_cast<QComboBox*>(editor.field("contrastive.sampler"))->setCurrentText(QStringLiteral("class"));
    setSpin(editor, "contrastive.class.k", 0);
    const auto problems = editor.validate();
    QCOMPARE(problems.size(), std::size_t{3});
    QVERIFY2(editor.problemAt("epochs").contains("[1, 100000]"), qPrintable(editor.problemAt("epochs")));
    QVERIFY(editor.problemAt("batch_size").contains("-3"));
    QVERIFY(editor.problemAt("contrastive.class.k").contains("at least 1"));
    QVERIFY(editor.problemAt("optim.lr").isEmpty());
    QVERIFY(editor.field("epochs")->property("scnsInvalid").toBool());
    QVERIFY(!editor.field("optim.lr")->property("scnsInvalid").toBool());
    QVERIFY(editor.field("epochs")->toolTip().contains("[1, 100000]"));
    // The reason is shown at the field, not only in a tooltip.
    bool reasonShown = false;
    for (QLabel* l : editor.findChildren<QLabel*>())
        reasonShown |= l->property("role").toString() == "reason" && l->text().contains("[1, 100000]")
                       && !l->isHidden();
    QVERIFY(reasonShown);
    QVERIFY(!editor.validConfig());
    QVERIFY(editor.launchConfigs().empty());
    maybeGrab(editor, "editor-invalid");

    setSpin(editor, "epochs", 2);
    setSpin(editor, "batch_size", 32);
    setSpin(editor, "contrastive.class.k", 2);
    QVERIFY(editor.validate().empty());
    QVERIFY(!editor.field("epochs")->property("scnsInvalid").toBool());
    QVERIFY(editor.problemAt("epochs").isEmpty());
}

void TestUiRunEditor::unparsableTextIsMarked()
{
    RunEditor editor;
    setLine(editor, "optim.lr", "fast");
    setLine(editor, "seed", "-1");
    setLine(editor, "seeds", "1, x");
    const auto problems = editor.validate();
    QCOMPARE(problems.size(), std::size_t{3});
    QVERIFY(editor.problemAt("optim.lr").contains("a number"));
    QVERIFY(editor.problemAt("seed").contains("non-negative"));
    QVERIFY(editor.problemAt("seeds").contains("x"));
}

void TestUiRunEditor::jsonRoundTripThroughCliReader()
{
    QTemporaryDir files;
    const RunConfig rich = richConfig(files);
    rich.validate();  // the fixture itself must be a valid config
    RunEditor editor;
    editor.setConfig(rich);
    const auto edited = editor.validConfig();
    QVERIFY(edited);
    QCOMPARE(QString::fromStdString(toJsonText(*edited)), QString::fromStdString(toJsonText(rich)));

    QTemporaryDir dir;
    const QString path = dir.filePath("run.json");
    QString error;
    QVERIFY2(editor.saveFile(path, &error), qPrintable(error));
    const RunConfig fromCli = loadRunConfig(path.toStdString());  // the CLI's reader
    QCOMPARE(QString::fromStdString(toJsonText(fromCli)), QString::fromStdString(toJsonText(rich)));

    RunEditor second;
    QVERIFY2(second.loadFile(path, &error), qPrintable(error));
    QCOMPARE(QString::fromStdString(toJsonText(*second.validConfig())), QString::fromStdString(toJsonText(rich)));
}

void TestUiRunEditor::missingFilesAreMarked()
{
    RunEditor editor;
    QTemporaryDir dir;
    RunConfig c;
    c.data.dataset = DatasetId::Cifar10;  // no default folder
    c.contrastive.enabled = true;
    c.contrastive.sampler = SamplerKind::Class;
    c.contrastive.similarity = ClassSimilaritySource::File;
    c.contrastive.similarityFile = dir.filePath("missing.csv").toStdString();
    c.validate();  // core accepts it: whether files exist is the editor's extra check
    editor.setConfig(c);
    const auto problems = editor.validate();
    QCOMPARE(problems.size(), std::size_t{2});
    QVERIFY2(editor.problemAt("data.folder").contains("no default"), qPrintable(editor.problemAt("data.folder")));
    QVERIFY(editor.problemAt("contrastive.class.similarity_file").contains("existing file"));
    setLine(editor, "data.folder", dir.filePath("nope"));
    editor.validate();
    QVERIFY(editor.problemAt("data.folder").contains("existing folder"));
    setLine(editor, "data.folder", dir.path());
    QFile f(dir.filePath("missing.csv"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    QVERIFY(editor.validate().empty());
}

void TestUiRunEditor::unavailableDeviceIsMarked()
{
    RunEditor editor;
    auto* device = qobject_cast<QComboBox*>(editor.field("device"));
    QVERIFY(device);
    QCOMPARE(device->itemText(0), QStringLiteral("cpu"));
    const int cudaDevices = device->count() - 1;  // listed: what this machine has
    device->setEditText(QStringLiteral("cuda:%1").arg(cudaDevices));  // one past the last
    editor.validate();
    QVERIFY2(!editor.problemAt("device").isEmpty(), "a missing CUDA device must be marked");
    device->setEditText(QStringLiteral("gpu"));  // not even the right form: core's reason
    editor.validate();
    QVERIFY(editor.problemAt("device").contains("cpu, cuda or cuda:N"));
    device->setCurrentIndex(0);
    device->setEditText(QStringLiteral("cpu"));
    QVERIFY(editor.validate().empty());
}

void TestUiRunEditor::loadRejectsBadFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("bad.json");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"epochs": 0, "model": {"arch": "nope"}})");
    f.close();
    RunEditor editor;
    QString error;
    QVERIFY(!editor.loadFile(path, &error));
    QVERIFY2(error.contains("epochs") && error.contains("model.arch"), qPrintable(error));
}

void TestUiRunEditor::seedsAndGridExpand()
{
    RunEditor editor;
    RunConfig base;
    base.name = "sweep";
    editor.setConfig(base);
    setLine(editor, "seeds", "0-2");
    setLine(editor, "grid", "optim.lr=0.1,0.2");
    const auto configs = editor.launchConfigs();
    QCOMPARE(configs.size(), std::size_t{6});
    std::set<std::pair<std::uint64_t, double>> points;
    std::set<std::string> names;
    for (const auto& c : configs) {
        points.insert({c.seed, c.optim.lr});
        names.insert(c.name);
    }
    QCOMPARE(points.size(), std::size_t{6});
    QCOMPARE(names.size(), std::size_t{6});
    QVERIFY(points.count({2, 0.2}));
    // The line under the form says what Launch starts before it starts.
    QVERIFY(editor.validate().empty());
    QVERIFY2(editor.summaryText().contains(QLatin1String("Launch starts 6 runs: 3 seeds (0, 1, 2) x optim.lr (0.1, 0.2)")),
             qPrintable(editor.summaryText()));

    // A grid over a switched-off section is marked at the grid field, live.
    setLine(editor, "grid", "contrastive.sampler=class,instance");
    QVERIFY(!editor.validate().empty());
    QVERIFY2(editor.problemAt("grid").contains(QLatin1String("only when contrastive.enabled")),
             qPrintable(editor.problemAt("grid")));

    // Defaults resets the seeds and the grid with the fields.
    auto* defaults = editor.findChild<QPushButton*>(QStringLiteral("defaults"));
    QVERIFY(defaults);
    defaults->click();
    QVERIFY(qobject_cast<QLineEdit*>(editor.field(QStringLiteral("seeds")))->text().isEmpty());
    QVERIFY(qobject_cast<QLineEdit*>(editor.field(QStringLiteral("grid")))->text().isEmpty());
    QCOMPARE(editor.launchConfigs().size(), std::size_t{1});
}

void TestUiRunEditor::invalidGridPointIsMarked()
{
    RunEditor editor;
    setLine(editor, "grid", "optim.lr=0.1,20");
    QVERIFY(editor.launchConfigs().empty());
    QVERIFY2(editor.problemAt("grid").contains("optim.lr"), qPrintable(editor.problemAt("grid")));
    setLine(editor, "grid", "optim.lr");
    QVERIFY(!editor.validate().empty());
    QVERIFY(!editor.problemAt("grid").isEmpty());
}

void TestUiRunEditor::duplicateRunStartsFromStoredConfig()
{
    RunEditor editor;
    QTemporaryDir files;
    const RunConfig rich = richConfig(files);
    editor.duplicateRun(12, toJsonText(rich));
    QCOMPARE(editor.parentRunId(), qint64{12});
    // Everything as stored, but a new name: the copy is a new run.
    RunConfig expected = rich;
    expected.name = rich.name.empty() ? std::string() : rich.name + "-2";
    QCOMPARE(QString::fromStdString(toJsonText(*editor.validConfig())), QString::fromStdString(toJsonText(expected)));

    RunConfig named;
    named.name = "sweep-lr-3";
    editor.duplicateRun(13, toJsonText(named));
    QCOMPARE(editor.currentConfig().name, std::string("sweep-lr-4"));
    named.name = "";  // automatic names stay automatic
    editor.duplicateRun(14, toJsonText(named));
    QCOMPARE(editor.currentConfig().name, std::string());
}

void TestUiRunEditor::droppedJsonFileIsLoaded()
{
    QTemporaryDir dir;
    RunConfig c;
    c.epochs = 7;
    c.arch = "resnet8x4";
    const QString path = dir.filePath("dropped.json");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray::fromStdString(toJsonText(c)));
    f.close();

    RunEditor editor;
    editor.show();
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    const QPoint at(editor.width() / 2, editor.height() / 2);
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    enter.setAccepted(false);
    QApplication::sendEvent(&editor, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&editor, &drop);
    QCOMPARE(editor.validConfig()->epochs, std::int64_t{7});
    QCOMPARE(editor.validConfig()->arch, std::string("resnet8x4"));

    QMimeData text;  // anything but one .json file is refused
    text.setUrls({QUrl::fromLocalFile(dir.filePath("notes.txt"))});
    QDragEnterEvent refused(at, Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
    refused.setAccepted(false);
    QApplication::sendEvent(&editor, &refused);
    QVERIFY(!refused.isAccepted());
}

// The form is made from the settings table: a row per setting, each enabled exactly when its
// setting applies to the configuration being edited.
void TestUiRunEditor::everySettingHasARowEnabledWhenItApplies()
{
    RunEditor e;
    for (const auto& s : runSettings())
        QVERIFY2(e.field(QString::fromStdString(s.key)), s.key.c_str());
    const auto enabled = [&e](const char* key) { return e.field(QLatin1String(key))->isEnabled(); };
    // Defaults: no contrastive term, no distillation.
    QVERIFY(enabled("contrastive.enabled"));
    QVERIFY(!enabled("contrastive.negatives"));
    QVERIFY(!enabled("contrastive.class.k"));
    QVERIFY(!enabled("distill.temperature"));
    QVERIFY(!enabled("schedule.milestones"));  // onecycle
    QVERIFY(enabled("schedule.min_lr"));

    RunConfig c;
    c.contrastive.enabled = true;
    c.contrastive.sampler = SamplerKind::Class;
    c.schedule.kind = ScheduleKind::Multistep;
    c.schedule.milestones = {1};
    c.distill.method = DistillMethod::Kd;
    e.setConfig(c);
    QVERIFY(enabled("contrastive.negatives"));
    QVERIFY(enabled("contrastive.class.k"));
    QVERIFY(!enabled("contrastive.instance.k"));
    QVERIFY(!enabled("contrastive.class.similarity_file"));  // wordnet
    QVERIFY(!enabled("contrastive.mixup.alpha"));             // no mixup count
    QVERIFY(enabled("distill.temperature"));
    QVERIFY(enabled("schedule.milestones"));
    QVERIFY(!enabled("schedule.min_lr"));

    // Editing a choice re-evaluates at once: the instance sampler's rows take over.
    auto* sampler = qobject_cast<QComboBox*>(e.field(QStringLiteral("contrastive.sampler")));
    QVERIFY(sampler);
    QCOMPARE(sampler->count(), 3);  // the table's choices
    sampler->setCurrentText(QStringLiteral("instance"));
    QVERIFY(enabled("contrastive.instance.k"));
    QVERIFY(!enabled("contrastive.class.k"));
    // A tooltip says when a setting applies.
    QVERIFY(e.field(QStringLiteral("contrastive.class.k"))->toolTip().contains(QLatin1String("Only when contrastive.sampler is class")));
}

void TestUiRunEditor::choosingCrdSwitchesTheContrastiveTermOn()
{
    RunEditor e;
    auto* enabledBox = qobject_cast<QCheckBox*>(e.field(QStringLiteral("contrastive.enabled")));
    auto* method = qobject_cast<QComboBox*>(e.field(QStringLiteral("distill.method")));
    QVERIFY(enabledBox && method);
    QVERIFY(!enabledBox->isChecked());
    method->setCurrentText(QStringLiteral("kd"));
    QVERIFY(!enabledBox->isChecked());  // KD has no contrastive term
    method->setCurrentText(QStringLiteral("crd"));
    QVERIFY(enabledBox->isChecked());   // CRD is the contrastive term: ticked, not an error
    QVERIFY(e.field(QStringLiteral("contrastive.negatives"))->isEnabled());
    RunConfig c = e.currentConfig();
    QVERIFY(c.contrastive.enabled);
    QCOMPARE(c.distill.method, DistillMethod::Crd);
    // Unticking it afterwards is the user's explicit choice: the validation then explains CRD needs it.
    enabledBox->setChecked(false);
    QVERIFY(!e.currentConfig().contrastive.enabled);
}

// A placeholder says what an empty field means ("none: the model itself, refreshed every R
// epochs"); cut off at the window's size it says something else. Every line edit's placeholder,
// the disabled ones' too, fits the field at 1500 x 950.
void TestUiRunEditor::placeholdersAreReadWhole()
{
    RunEditor e;
    e.resize(1500, 950);
    e.show();
    QVERIFY(QTest::qWaitForWindowExposed(&e));
    int checked = 0;
    for (QLineEdit* line : e.findChildren<QLineEdit*>()) {
        const QString text = line->placeholderText();
        if (text.isEmpty() || !line->isVisibleTo(&e))
            continue;
        ++checked;
        QStyleOptionFrame option;
        option.initFrom(line);
        const QRect inside = line->style()->subElementRect(QStyle::SE_LineEditContents, &option, line);
        const int needed = line->fontMetrics().horizontalAdvance(text);
        QVERIFY2(inside.width() - 4 >= needed,  // QLineEdit keeps 2 px each side inside its contents
                 qPrintable(QStringLiteral("'%1': %2 px wide, the text needs %3").arg(text).arg(inside.width()).arg(needed)));
    }
    QVERIFY2(checked >= 10, qPrintable(QStringLiteral("only %1 placeholders found").arg(checked)));
}

QTEST_MAIN(TestUiRunEditor)
#include "test_ui_run_editor.moc"
