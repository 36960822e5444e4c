// The run browser's details box (issue 10, "Nothing lost"): name, tags and notes saved
// together all reach the store and stay in the editors; a second save does not wipe the
// notes; what is typed survives a reload; a read-only store shows a banner and no edits.
// Everything goes through the browser's own widgets (typed keys, a clicked button).
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtTest>

#include <sys/mount.h>

#include "browser/run_browser.h"
#include "editor/run_editor.h"
#include "shell/main_window.h"
#include "browser/run_list_model.h"
#include "store/run_store.h"

using namespace scns;

namespace {

// Found by what the user sees, not by accessors.
QPushButton* saveButton(RunBrowser& b)
{
    for (auto* button : b.findChildren<QPushButton*>())
        if (button->text() == QStringLiteral("Save name, tags and notes"))
            return button;
    return nullptr;
}

QLineEdit* tagsEdit(RunBrowser& b)
{
    for (auto* e : b.findChildren<QLineEdit*>())
        if (e->placeholderText().startsWith(QStringLiteral("comma-separated")))
            return e;
    return nullptr;
}

QLineEdit* nameEdit(RunBrowser& b)
{
    QLineEdit* tags = tagsEdit(b);
    for (auto* e : b.findChildren<QLineEdit*>())
        if (e != tags && e->placeholderText().isEmpty() && e->parentWidget() == tags->parentWidget())
            return e;
    return nullptr;
}

QPlainTextEdit* notesEdit(RunBrowser& b) { return b.findChild<QPlainTextEdit*>(); }

void retype(QLineEdit* e, const QString& text)
{
    e->selectAll();
    QTest::keyClick(e, Qt::Key_Delete);
    QTest::keyClicks(e, text);
}

// Every store edit started so far has finished and its result reached the GUI thread.
void settle()
{
    QThreadPool::globalInstance()->waitForDone();
    QCoreApplication::processEvents();
    QCoreApplication::processEvents();
}

}  // namespace

class TestUiBrowserDetails : public QObject {
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    QString db() const { return m_dir->filePath("runs.sqlite"); }
    std::int64_t m_id = 0;

    void load(RunBrowser& browser)
    {
        QSignalSpy loaded(&browser, &RunBrowser::loaded);
        browser.reload();
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 20000);
        browser.selectRun(m_id);
        QCOMPARE(browser.selectedRunIds(), QList<qint64>{m_id});
    }

    RunRecord stored() const { return RunStore(db().toStdString()).run(m_id); }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        RunStore store(db().toStdString());
        store.createRun("other", "{}", 1);
        m_id = store.createRun("original", "{}", 1);
        store.setNotes(m_id, "first notes");
    }

    void savingNameTagsAndNotesTogetherKeepsAll()
    {
        RunBrowser browser(db());
        load(browser);
        QLineEdit* name = nameEdit(browser);
        QLineEdit* tags = tagsEdit(browser);
        QPlainTextEdit* notes = notesEdit(browser);
        QPushButton* save = saveButton(browser);
        QVERIFY(name && tags && notes && save);
        QCOMPARE(notes->toPlainText(), QStringLiteral("first notes"));

        retype(name, "renamed");
        retype(tags, "alpha, beta");
        notes->selectAll();
        QTest::keyClick(notes, Qt::Key_Delete);
        QTest::keyClicks(notes, "careful notes about this run");
        // What the notes editor shows each time a store edit comes back: never the old notes.
        QStringList seen;
        connect(&browser, &RunBrowser::editDone, this, [&] { seen << notes->toPlainText(); });
        QTest::mouseClick(save, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(stored().name == "renamed", 10000);
        settle();
        QVERIFY(!seen.isEmpty());
        for (const QString& text : seen)
            QCOMPARE(text, QStringLiteral("careful notes about this run"));
        QCOMPARE(QString::fromStdString(stored().notes), QStringLiteral("careful notes about this run"));
        QCOMPARE(QString::fromStdString(stored().tags), QStringLiteral("alpha, beta"));
        // The editors still show what was saved.
        QCOMPARE(notes->toPlainText(), QStringLiteral("careful notes about this run"));
        QCOMPARE(name->text(), QStringLiteral("renamed"));

        // A second save (nothing changed) must not write the notes away.
        QTest::mouseClick(save, Qt::LeftButton);
        settle();
        QCOMPARE(QString::fromStdString(stored().notes), QStringLiteral("careful notes about this run"));

        // Renaming alone keeps the notes too.
        retype(name, "renamed again");
        QTest::mouseClick(save, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(stored().name == "renamed again", 10000);
        settle();
        QCOMPARE(QString::fromStdString(stored().notes), QStringLiteral("careful notes about this run"));
        QCOMPARE(notes->toPlainText(), QStringLiteral("careful notes about this run"));
    }

    void typedNotesSurviveAReload()
    {
        RunBrowser browser(db());
        load(browser);
        QPlainTextEdit* notes = notesEdit(browser);
        QVERIFY(notes);
        notes->moveCursor(QTextCursor::End);
        QTest::keyClicks(notes, " and more, not saved yet");
        // The queue finishing a run reloads the list meanwhile.
        QSignalSpy loaded(&browser, &RunBrowser::loaded);
        browser.reload();
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 20000);
        QCOMPARE(browser.selectedRunIds(), QList<qint64>{m_id});
        QCOMPARE(notes->toPlainText(), QStringLiteral("first notes and more, not saved yet"));
        QTest::mouseClick(saveButton(browser), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(stored().notes == "first notes and more, not saved yet", 10000);
    }

    void readOnlyStoreShowsABannerAndNoEdits()
    {
        const QString view = m_dir->filePath("view");
        QDir().mkpath(view);
        const QByteArray src = m_dir->path().toLocal8Bit(), dst = view.toLocal8Bit();
        if (::mount(src.constData(), dst.constData(), nullptr, MS_BIND, nullptr) != 0)
            QFAIL("cannot bind-mount here (run the tests as root: this test needs the real thing)");
        struct Unmount {
            QByteArray dir;
            ~Unmount() { ::umount2(dir.constData(), MNT_DETACH); }
        } unmount{dst};
        QVERIFY(::mount(nullptr, dst.constData(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) == 0);

        RunBrowser browser(view + "/runs.sqlite");
        QSignalSpy failed(&browser, &RunBrowser::loadFailed);
        load(browser);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(browser.model()->rowCount(), 2);
        auto* banner = browser.findChild<QLabel*>(QStringLiteral("readOnlyBanner"));
        QVERIFY(banner);
        QVERIFY(!banner->isHidden());
        QVERIFY(banner->text().contains("read-only"));
        QVERIFY(!saveButton(browser)->isEnabled());
        QVERIFY(nameEdit(browser)->isReadOnly());
        QVERIFY(notesEdit(browser)->isReadOnly());
        browser.setConfirmHandler([](const QString&) { return true; });
        QVERIFY(!browser.deleteRuns({m_id}));

        // The whole workbench on it: Launch is off, and says why.
        MainWindow window(view + "/runs.sqlite");
        auto* editor = window.findChild<RunEditor*>();
        QVERIFY(editor);
        QTRY_VERIFY_WITH_TIMEOUT(window.windowTitle().contains("read-only"), 20000);
        QVERIFY(!editor->isLaunchEnabled());
        QVERIFY(editor->validate().empty());  // the configuration itself is fine
    }
};

QTEST_MAIN(TestUiBrowserDetails)
#include "test_ui_browser_details.moc"
