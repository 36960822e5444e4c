// Nothing lost (issue 10), through the scns command line as a user meets it: two stores in one
// folder, a relative --db resumed from another folder, a resume with no usable checkpoint, a
// corrupt newest checkpoint, a full disk (a real, small tmpfs), a read-only store (a real
// read-only bind mount), a run recorded as running elsewhere, and a store of the landed version.
// SCNS_CLI_UNDER_TEST=<path> runs them against another scns binary (e.g. the landed one).
#include <QtTest>

#include <QDirIterator>
#include <QProcess>
#include <QTemporaryDir>

#include <csignal>

#include <sys/mount.h>

#include "store/database.h"
#include "store/statement.h"

namespace {

QString scnsPath()
{
    const QByteArray other = qgetenv("SCNS_CLI_UNDER_TEST");
    return other.isEmpty() ? QStringLiteral(SCNS_CLI_PATH) : QString::fromLocal8Bit(other);
}

const QString kLandedStore = QStringLiteral(SCNS_SOURCE_DIR "/tests/data/landed-store");

struct Result {
    int exitCode = -1;
    QString out, err;
};

const QStringList kTiny = {"--train-per-class", "20", "--test-per-class", "10", "--batch-size", "32", "--threads", "2"};

bool hasBacktrace(const QString& text)
{
    return text.contains("terminate called") || text.contains("Exception raised from") || text.contains("frame #");
}

}  // namespace

class TestCliTrust : public QObject {
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    QString db() const { return m_dir->filePath("runs.sqlite"); }

    Result scnsIn(const QString& workdir, const QStringList& args)
    {
        QProcess p;
        p.setWorkingDirectory(workdir);
        p.start(scnsPath(), args);
        if (!p.waitForFinished(300000))
            p.kill();
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }
    Result scns(const QStringList& args) { return scnsIn(m_dir->path(), QStringList{"--db", db()} + args); }

    // Starts training (args include --db), waits for the end of epoch `epoch`, then Ctrl-C.
    bool trainAndStopAfter(const QString& workdir, const QStringList& args, int epoch)
    {
        QProcess p;
        p.setWorkingDirectory(workdir);
        p.start(scnsPath(), args);
        QString seen;
        QElapsedTimer t;
        t.start();
        const QString marker = QStringLiteral("epoch %1/").arg(epoch);
        while (t.elapsed() < 120000 && !seen.contains(marker) && p.state() != QProcess::NotRunning) {
            p.waitForReadyRead(200);
            seen += QString::fromUtf8(p.readAllStandardOutput());
        }
        if (!seen.contains(marker))
            return false;
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        return p.waitForFinished(60000) && p.exitCode() == 130;
    }

    QStringList checkpointFiles(const QString& root)
    {
        QStringList files;
        for (QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories); it.hasNext();)
            files << QDir(root).relativeFilePath(it.next());
        files.sort();
        return files;
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void twoStoresInOneFolderKeepTheirOwnCheckpoints()
    {
        for (const QString name : {"a.sqlite", "b.sqlite"}) {
            const Result r = scnsIn(m_dir->path(), QStringList{"--db", name, "train", "--epochs", "1"} + kTiny);
            QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        }
        QCOMPARE(checkpointFiles(m_dir->filePath("a.sqlite.checkpoints")), QStringList{"run-1/epoch-1.pt"});
        QCOMPARE(checkpointFiles(m_dir->filePath("b.sqlite.checkpoints")), QStringList{"run-1/epoch-1.pt"});
        QVERIFY(!QFileInfo::exists(m_dir->filePath("checkpoints")));
    }

    void relativeDbResumesFromAnotherFolder()
    {
        QDir(m_dir->path()).mkpath("work/elsewhere");
        const QString work = m_dir->filePath("work");
        QVERIFY(trainAndStopAfter(work, QStringList{"--db", "runs.sqlite", "train", "--epochs", "3", "--name", "rel"} + kTiny, 1));
        // From another working folder, the same store by another relative path.
        const Result r = scnsIn(work + "/elsewhere", {"--db", "../runs.sqlite", "resume", "rel"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains("resuming after epoch"), qPrintable(r.out + r.err));
        QVERIFY2(!r.out.contains("epoch 1/3"), qPrintable(r.out));
    }

    void resumeWithoutUsableCheckpointNeedsFromScratch()
    {
        QVERIFY(trainAndStopAfter(m_dir->path(), QStringList{"--db", db(), "train", "--epochs", "3", "--name", "gone"} + kTiny, 1));
        const QString before = scns({"export", "gone"}).out;
        for (const QString& f : checkpointFiles(m_dir->filePath("runs.sqlite.checkpoints")))
            QVERIFY(QFile::remove(m_dir->filePath("runs.sqlite.checkpoints/" + f)));
        const Result refused = scns({"resume", "gone"});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains("no usable checkpoint") && refused.err.contains("--from-scratch"),
                 qPrintable(refused.err));
        QVERIFY(scns({"show", "gone"}).out.contains("cancelled"));
        QCOMPARE(scns({"export", "gone"}).out, before);  // nothing recorded was touched
        const Result over = scns({"resume", "gone", "--from-scratch"});
        QVERIFY2(over.exitCode == 0, qPrintable(over.out + over.err));
        QVERIFY(over.out.contains("epoch 1/3"));
        QVERIFY(over.out.contains("epoch 3/3"));
        QCOMPARE(scns({"export", "gone"}).out.split('\n').filter(",test/top1,").size(), 3);
    }

    void corruptNewestCheckpointFallsBackAndSaysSo()
    {
        QVERIFY(trainAndStopAfter(m_dir->path(), QStringList{"--db", db(), "train", "--epochs", "3", "--name", "bad"} + kTiny, 2));
        QFile newest(m_dir->filePath("runs.sqlite.checkpoints/run-1/epoch-2.pt"));
        QVERIFY(newest.exists());
        QVERIFY(newest.resize(newest.size() / 3));  // truncated, as by a crash of the disk
        const Result r = scns({"resume", "bad"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.err.contains("resumed from epoch-1.pt") && r.err.contains("epoch-2.pt"), qPrintable(r.err));
        QVERIFY(r.out.contains("resuming after epoch 1"));
        QVERIFY(r.out.contains("epoch 2/3"));
        const Result show = scns({"show", "bad"});
        QVERIFY2(show.out.contains("finished") && show.out.contains("resumed from epoch-1.pt"), qPrintable(show.out));
        QCOMPARE(scns({"export", "bad"}).out.split('\n').filter(",test/top1,").size(), 3);
    }

    void fullDiskFailsTheRunAndResumeContinues()
    {
        const QString small = m_dir->filePath("small");
        QDir().mkpath(small);
        // Room for the store, not for the second checkpoint beside the first.
        if (::mount("tmpfs", small.toLocal8Bit().constData(), "tmpfs", 0, "size=1600k") != 0)
            QFAIL("cannot mount a small tmpfs here (run the tests as root: this test needs the real thing)");
        struct Unmount {
            QString dir;
            ~Unmount() { ::umount2(dir.toLocal8Bit().constData(), MNT_DETACH); }
        } unmount{small};
        const QString store = small + "/runs.sqlite";
        const Result r = scnsIn(m_dir->path(), QStringList{"--db", store, "train", "--epochs", "4", "--name", "full"} + kTiny);
        QVERIFY2(!hasBacktrace(r.out + r.err), qPrintable(r.err.left(2000)));
        QVERIFY2(r.exitCode == 1 || r.exitCode == 2, qPrintable(QString::number(r.exitCode) + r.out + r.err));
        const Result show = scnsIn(m_dir->path(), {"--db", store, "show", "full"});
        QVERIFY2(show.out.contains("failed") || show.out.contains("interrupted"), qPrintable(show.out + show.err));
        QVERIFY2(!hasBacktrace(show.out), qPrintable(show.out));
        const QStringList status = show.out.split('\n').filter("status");
        QVERIFY(!status.isEmpty());
        QVERIFY2(status.first().size() < 400, qPrintable(status.first()));
        for (const QString& f : checkpointFiles(small))
            QVERIFY2(!f.endsWith(".partial"), qPrintable(f));
        // Space comes back: resume continues from the newest checkpoint.
        QCOMPARE(QProcess::execute("mount", {"-o", "remount,size=64m", small}), 0);
        const Result resumed = scnsIn(m_dir->path(), {"--db", store, "resume", "full"});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.out + resumed.err));
        QVERIFY2(resumed.out.contains("resuming after epoch"), qPrintable(resumed.out));
        QVERIFY(scnsIn(m_dir->path(), {"--db", store, "show", "full"}).out.contains("finished"));
    }

    void readOnlyStoreCanBeViewed()
    {
        const QString source = m_dir->filePath("src");
        QDir().mkpath(source);
        QVERIFY(scnsIn(source, QStringList{"--db", "runs.sqlite", "train", "--epochs", "1", "--name", "ro"} + kTiny).exitCode == 0);
        const QString view = m_dir->filePath("view");
        QDir().mkpath(view);
        if (::mount(source.toLocal8Bit().constData(), view.toLocal8Bit().constData(), nullptr, MS_BIND, nullptr) != 0)
            QFAIL("cannot bind-mount here (run the tests as root: this test needs the real thing)");
        struct Unmount {
            QString dir;
            ~Unmount() { ::umount2(dir.toLocal8Bit().constData(), MNT_DETACH); }
        } unmount{view};
        QVERIFY(::mount(nullptr, view.toLocal8Bit().constData(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) == 0);
        const QString store = view + "/runs.sqlite";
        const Result runs = scnsIn(m_dir->path(), {"--db", store, "runs"});
        QVERIFY2(runs.exitCode == 0 && runs.out.contains("ro"), qPrintable(runs.out + runs.err));
        QVERIFY(runs.err.contains("read-only"));
        const Result show = scnsIn(m_dir->path(), {"--db", store, "show", "ro"});
        QVERIFY2(show.exitCode == 0 && show.out.contains("finished"), qPrintable(show.out + show.err));
        const Result exported = scnsIn(m_dir->path(), {"--db", store, "export", "ro", "--format", "json"});
        QVERIFY2(exported.exitCode == 0 && exported.out.contains("test/top1"), qPrintable(exported.err));
        const Result train = scnsIn(m_dir->path(), QStringList{"--db", store, "train", "--epochs", "1"} + kTiny);
        QCOMPARE(train.exitCode, 2);
        QVERIFY2(train.err.contains("read-only"), qPrintable(train.err));
        for (const QString& text : {train.err, runs.err})
            for (const char* sql : {"SELECT", "INSERT", "UPDATE", "PRAGMA", "strftime"})
                QVERIFY2(!text.contains(QLatin1String(sql)), qPrintable(text));
    }

    void runOwnedElsewhereNeedsForce()
    {
        QVERIFY(trainAndStopAfter(m_dir->path(), QStringList{"--db", db(), "train", "--epochs", "2", "--name", "away"} + kTiny, 1));
        {
            // As a run started on a cluster node this host cannot check.
            scns::Database d(db().toStdString());
            d.exec("UPDATE runs SET status = 'running', host = 'node-17', owner_pid = 4242");
        }
        const Result refused = scns({"resume", "away"});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains("node-17") && refused.err.contains("--force"), qPrintable(refused.err));
        const Result forced = scns({"resume", "away", "--force"});
        QVERIFY2(forced.exitCode == 0, qPrintable(forced.out + forced.err));
        QVERIFY(forced.out.contains("resuming after epoch 1"));
    }

    void landedStoreKeepsWorking()
    {
        if (!QFileInfo::exists(kLandedStore + "/runs.sqlite"))
            QFAIL("tests/data/landed-store is missing");
        const QString copy = m_dir->filePath("landed");
        QCOMPARE(QProcess::execute("cp", {"-a", kLandedStore, copy}), 0);
        const QStringList before = checkpointFiles(copy + "/checkpoints");
        const Result runs = scnsIn(m_dir->path(), {"--db", copy + "/runs.sqlite", "runs"});
        QVERIFY2(runs.exitCode == 0, qPrintable(runs.out + runs.err));
        QCOMPARE(checkpointFiles(copy + "/runs.sqlite.checkpoints"), before);
        QVERIFY(!QFileInfo::exists(copy + "/checkpoints"));
        const Result show = scnsIn(m_dir->path(), {"--db", copy + "/runs.sqlite", "show", "1"});
        QVERIFY2(show.out.contains(copy + "/runs.sqlite.checkpoints/run-1/epoch-1.pt"), qPrintable(show.out));
        // Run 2 was cancelled after epoch 1 of 2 by the landed version: it resumes from the moved
        // checkpoint (format 1, with the contrastive state), from another working folder.
        const Result resumed = scnsIn(QDir::tempPath(), {"--db", copy + "/runs.sqlite", "resume", "2"});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.out + resumed.err));
        QVERIFY2(resumed.out.contains("resuming after epoch 1") && resumed.out.contains("epoch 2/2"), qPrintable(resumed.out));
        QVERIFY(scnsIn(m_dir->path(), {"--db", copy + "/runs.sqlite", "show", "2"}).out.contains("finished"));
        // A new run gets a new id and its own folder.
        const Result next = scnsIn(m_dir->path(), QStringList{"--db", copy + "/runs.sqlite", "train", "--epochs", "1"} + kTiny);
        QVERIFY2(next.exitCode == 0 && next.out.contains("run 3:"), qPrintable(next.out + next.err));
        QVERIFY(QFileInfo::exists(copy + "/runs.sqlite.checkpoints/run-3/epoch-1.pt"));
    }
};

QTEST_GUILESS_MAIN(TestCliTrust)
#include "test_cli_trust.moc"
