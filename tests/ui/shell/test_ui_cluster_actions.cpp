// The workbench's cluster actions (docs/cluster.md): "Submit to Slurm…" writes the editor's plan
// (seeds x grid) as a job array with one task per run, says clearly when sbatch is missing or
// refuses (its own message), and "Import results…" merges shard stores into the window's store
// so the browser lists the runs, once however often it is done. The tests against a real
// Slurm are tests/app/test_slurm_cli.cpp.
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include "editor/run_editor.h"
#include "queue/sweep_panel.h"
#include "shell/cluster_actions.h"
#include "shell/main_window.h"
#include "store/run_store.h"
#include "test_settings.h"

using namespace scns;

class TestUiClusterActions : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // The watched sweeps are remembered in the settings: the test's folder, not the user's.
        test::isolateSettings(m_dir.filePath("settings"), QStringLiteral("cluster-actions"));
    }

    void submitWritesThePlanAsAnArray()
    {
        MainWindow window(m_dir.filePath("runs.sqlite"));
        RunEditor* editor = window.findChild<RunEditor*>();
        QVERIFY(editor);
        QVERIFY(editor->findChild<QPushButton*>("submitToSlurm"));
        RunConfig c;
        c.epochs = 1;
        editor->setConfig(c);
        const auto seeds = editor->findChildren<QLineEdit*>();
        QLineEdit* seedField = nullptr;
        for (QLineEdit* e : seeds)
            if (e->placeholderText().contains("seed"))
                seedField = e;
        QVERIFY(seedField);
        seedField->setText("0-2");
        QString title, message;
        window.cluster()->setMessageHandler([&](const QString& t, const QString& m) { title = t, message = m; });
        window.cluster()->setSubmissionDialog([&](ClusterActions::Submission& s) {
            s.dir = m_dir.filePath("sweep");
            s.options.partition = "debug";
            s.dryRun = true;
            return true;
        });
        QMetaObject::invokeMethod(editor->findChild<QPushButton*>("submitToSlurm"), "click");
        QVERIFY2(message.contains("sbatch") && message.contains("sweep.sbatch"), qPrintable(message));
        for (int i = 0; i < 3; ++i)
            QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("sweep/task-%1.json").arg(i))));
        QVERIFY(!QFile::exists(m_dir.filePath("sweep/task-3.json")));
        QFile script(m_dir.filePath("sweep/sweep.sbatch"));
        QVERIFY(script.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(script.readAll());
        QVERIFY2(text.contains("#SBATCH --array=0-2") && text.contains("#SBATCH --partition=debug"), qPrintable(text));

        // Missing sbatch: said so, with the script left for the user.
        window.cluster()->setSubmissionDialog([&](ClusterActions::Submission& s) {
            s.dir = m_dir.filePath("sweep2");
            s.sbatch = m_dir.filePath("no-sbatch-here");
            return true;
        });
        window.cluster()->submitWithDialog();
        QVERIFY2(message.contains("sbatch") && message.contains("sweep2/sweep.sbatch"), qPrintable(message));
        // A refusing sbatch: its own words are shown.
        QFile fake(m_dir.filePath("refusing-sbatch"));
        QVERIFY(fake.open(QIODevice::WriteOnly));
        fake.write("#!/bin/sh\necho 'sbatch: error: Invalid partition name specified' >&2\nexit 1\n");
        fake.close();
        fake.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        window.cluster()->setSubmissionDialog([&](ClusterActions::Submission& s) {
            s.dir = m_dir.filePath("sweep3");
            s.sbatch = m_dir.filePath("refusing-sbatch");
            return true;
        });
        window.cluster()->submitWithDialog();
        QVERIFY2(message.contains("Invalid partition name specified"), qPrintable(message));
        // The same folder twice: refused, the first sweep kept.
        window.cluster()->setSubmissionDialog([&](ClusterActions::Submission& s) {
            s.dir = m_dir.filePath("sweep");
            s.dryRun = true;
            return true;
        });
        window.cluster()->submitWithDialog();
        QVERIFY2(message.contains("without a sweep"), qPrintable(message));
    }

    // The queue page's Cluster sweeps: the scheduler's state (a stand-in squeue here; the real
    // one in tests/app/test_slurm_cli.cpp) beside each run's status, and Import finished merges
    // the stopped tasks' stores.
    void sweepsShowTheirTasksAndImportTheFinished()
    {
        SlurmSweep sweep;
        sweep.dir = m_dir.filePath("watched").toStdString();
        sweep.runs = {RunConfig{}, RunConfig{}};
        writeSweep(sweep);
        {
            QFile record(m_dir.filePath("watched/sweep.json"));
            QVERIFY(record.open(QIODevice::ReadOnly));
            QByteArray text = record.readAll();
            record.close();
            text.replace("\"job_id\": null", "\"job_id\": \"77\"");
            QVERIFY(record.open(QIODevice::WriteOnly | QIODevice::Truncate));
            record.write(text);
        }
        QFile squeue(m_dir.filePath("fake-squeue"));
        QVERIFY(squeue.open(QIODevice::WriteOnly));
        squeue.write("#!/bin/sh\necho '77_1|RUNNING|None'\n");
        squeue.close();
        squeue.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        {
            RunStore shard(sweep.storeFile(0), StoreAccess::Write);
            const auto id = shard.createRun("task zero", "{}", 0);
            shard.markRunning(id);
            shard.finishRun(id, RunStatus::Finished);
        }
        const QString db = m_dir.filePath("watching.sqlite");
        MainWindow window(db);
        SweepPanel* panel = window.findChild<SweepPanel*>();
        QVERIFY(panel);
        panel->setSqueueProgram(squeue.fileName());
        QString message;
        window.cluster()->setMessageHandler([&](const QString&, const QString& m) { message = m; });
        QSignalSpy refreshed(panel, &SweepPanel::refreshed);
        panel->addSweep(m_dir.filePath("watched"));
        QTRY_VERIFY(refreshed.count() >= 1);
        QVERIFY(!panel->isHidden());  // shown once there is a sweep
        QCOMPARE(QSettings().value("cluster/sweeps").toStringList(), panel->sweeps());
        // The sweep the first test wrote is watched too (remembered): this one by its folder.
        QCOMPARE(panel->tree()->topLevelItemCount(), 2);
        const auto found = panel->tree()->findItems(m_dir.filePath("watched"), Qt::MatchExactly, 0);
        QCOMPARE(found.size(), 1);
        QTreeWidgetItem* top = found.front();
        QCOMPARE(top->childCount(), 2);
        QCOMPARE(top->child(0)->text(1), QString("not in queue"));
        QCOMPARE(top->child(0)->text(3), QString("finished"));
        QCOMPARE(top->child(1)->text(1), QString("RUNNING"));
        QCOMPARE(top->child(1)->text(3), QString("no store yet"));
        QCOMPARE(panel->finishedShards(), QStringList{m_dir.filePath("watched/task-0.sqlite")});
        QPushButton* import = nullptr;
        for (QPushButton* b : panel->findChildren<QPushButton*>())
            if (b->text() == "Import finished")
                import = b;
        QVERIFY(import && import->isEnabled());
        import->click();
        QVERIFY2(message.contains("1 run imported"), qPrintable(message));
        RunStore store(db.toStdString());
        QCOMPARE(store.listRuns().front().name, std::string("task zero"));
    }

    void importedRunsAppearOnce()
    {
        const QString shard = m_dir.filePath("task-0.sqlite");
        {
            RunStore store(shard.toStdString(), StoreAccess::Write);
            const auto id = store.createRun("from the cluster", "{}", 0);
            store.markRunning(id);
            store.appendMetrics(id, {{1, 1, "test/top1", 50.0}});
            store.finishRun(id, RunStatus::Finished);
            store.createRun("still queued there", "{}", 1);
        }
        const QString db = m_dir.filePath("home.sqlite");
        MainWindow window(db);
        QString message;
        window.cluster()->setMessageHandler([&](const QString&, const QString& m) { message = m; });
        window.cluster()->setShardChooser([&] { return QStringList{shard}; });
        QSignalSpy imported(window.cluster(), &ClusterActions::imported);
        window.cluster()->importWithDialog();
        QVERIFY2(imported.count() == 1, qPrintable(message));
        QVERIFY2(message.contains("1 run imported") && message.contains("not yet: run 2 is queued"),
                 qPrintable(message));
        window.cluster()->importWithDialog();
        QCOMPARE(imported.count(), 1);  // nothing new: no reload
        QVERIFY2(message.contains("0 runs imported, 1 imported before"), qPrintable(message));
        RunStore store(db.toStdString());
        QCOMPARE(int(store.listRuns().size()), 1);
        QCOMPARE(store.listRuns().front().name, std::string("from the cluster"));
        // Not a store: named.
        window.cluster()->setShardChooser([&] { return QStringList{m_dir.filePath("nothing.sqlite")}; });
        window.cluster()->importWithDialog();
        QVERIFY2(message.contains("nothing.sqlite"), qPrintable(message));
    }
};

QTEST_MAIN(TestUiClusterActions)
#include "test_ui_cluster_actions.moc"
