// The run editor's dialogs go through replaceable handlers (as RunBrowser's and
// LaunchController's confirmations do): Load…, Save… and a dropped file are driven here
// without a dialog, and every failure reaches the warning handler instead of a message box.
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QMimeData>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest>

#include "editor/run_editor.h"
#include "train/run_config.h"

using namespace scns;

namespace {

struct Chosen {
    bool save = false;
    QString title;
};

struct Warning {
    QString title;
    QString message;
};

// An editor whose dialogs answer `answer` and record what they were asked.
void fakeDialogs(RunEditor& editor, const QString& answer, QList<Chosen>& chosen, QList<Warning>& warnings)
{
    editor.setChooseFileHandler([answer, &chosen](bool save, const QString& title, const QString&, const QString&) {
        chosen.append({save, title});
        return answer;
    });
    // A named lambda: clang-format 14 (Debian 12) and 19 (Debian 13) lay out the inline one differently.
    auto warn = [&warnings](const QString& title, const QString& message) { warnings.append({title, message}); };
    editor.setWarningHandler(warn);
}

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& text)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size())
        return {};
    return path;
}

}  // namespace

class TestUiRunEditorDialogs : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void loadGoesThroughTheChooser();
    void loadFailureIsAWarning();
    void cancelledChooserDoesNothing();
    void saveGoesThroughTheChooser();
    void saveFailureIsAWarning();
    void badDroppedFileIsAWarning();
};

void TestUiRunEditorDialogs::loadGoesThroughTheChooser()
{
    QTemporaryDir dir;
    RunConfig c;
    c.epochs = 9;
    const QString path = writeFile(dir, QStringLiteral("run.json"), QByteArray::fromStdString(toJsonText(c)));
    QVERIFY(!path.isEmpty());
    RunEditor editor;
    QList<Chosen> chosen;
    QList<Warning> warnings;
    fakeDialogs(editor, path, chosen, warnings);
    editor.loadWithDialog();
    QCOMPARE(chosen.size(), 1);
    QCOMPARE(chosen.front().save, false);
    QVERIFY(warnings.isEmpty());
    QCOMPARE(editor.validConfig()->epochs, std::int64_t{9});
}

void TestUiRunEditorDialogs::loadFailureIsAWarning()
{
    QTemporaryDir dir;
    const QString path = writeFile(dir, QStringLiteral("broken.json"), QByteArrayLiteral("{ not json"));
    RunEditor editor;
    const auto before = editor.validConfig()->epochs;
    QList<Chosen> chosen;
    QList<Warning> warnings;
    fakeDialogs(editor, path, chosen, warnings);
    editor.loadWithDialog();
    QCOMPARE(warnings.size(), 1);
    QCOMPARE(warnings.front().title, QStringLiteral("Cannot load configuration"));
    QVERIFY(!warnings.front().message.isEmpty());
    QCOMPARE(editor.validConfig()->epochs, before);
}

void TestUiRunEditorDialogs::cancelledChooserDoesNothing()
{
    RunEditor editor;
    QList<Chosen> chosen;
    QList<Warning> warnings;
    fakeDialogs(editor, QString(), chosen, warnings);
    editor.loadWithDialog();
    editor.saveWithDialog();
    QCOMPARE(chosen.size(), 2);
    QCOMPARE(chosen.at(1).save, true);
    QVERIFY(warnings.isEmpty());
}

void TestUiRunEditorDialogs::saveGoesThroughTheChooser()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("saved.json"));
    RunEditor editor;
    RunConfig c;
    c.epochs = 11;
    editor.setConfig(c);
    QList<Chosen> chosen;
    QList<Warning> warnings;
    fakeDialogs(editor, path, chosen, warnings);
    editor.saveWithDialog();
    QCOMPARE(chosen.size(), 1);
    QCOMPARE(chosen.front().save, true);
    QVERIFY(warnings.isEmpty());
    QCOMPARE(loadRunConfig(path.toStdString()).epochs, std::int64_t{11});
}

void TestUiRunEditorDialogs::saveFailureIsAWarning()
{
    QTemporaryDir dir;
    RunEditor editor;
    QList<Chosen> chosen;
    QList<Warning> warnings;
    fakeDialogs(editor, dir.filePath(QStringLiteral("no-such-folder/run.json")), chosen, warnings);
    editor.saveWithDialog();
    QCOMPARE(warnings.size(), 1);
    QCOMPARE(warnings.front().title, QStringLiteral("Cannot save configuration"));
}

void TestUiRunEditorDialogs::badDroppedFileIsAWarning()
{
    QTemporaryDir dir;
    const QString path = writeFile(dir, QStringLiteral("dropped.json"), QByteArrayLiteral("[1, 2"));
    RunEditor editor;
    editor.show();
    QList<Chosen> chosen;
    QList<Warning> warnings;
    fakeDialogs(editor, QString(), chosen, warnings);
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    const QPointF at(editor.width() / 2.0, editor.height() / 2.0);
    QDragEnterEvent enter(at.toPoint(), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    enter.setAccepted(false);
    QApplication::sendEvent(&editor, &enter);
    QVERIFY(enter.isAccepted());  // a .json file: the drop is offered to dropEvent
    QDropEvent drop(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&editor, &drop);
    QVERIFY(chosen.isEmpty());
    QCOMPARE(warnings.size(), 1);
    QCOMPARE(warnings.front().title, QStringLiteral("Cannot load configuration"));
}

QTEST_MAIN(TestUiRunEditorDialogs)
#include "test_ui_run_editor_dialogs.moc"
