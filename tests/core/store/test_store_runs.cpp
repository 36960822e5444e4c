// RunStore: the run life cycle, lookups and edits.
#include "store/default_path.h"
#include "store/process_info.h"
#include "store/run_store.h"
#include "store/statement.h"
#include "store_test_util.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace scns;
using scns::test::kNotThrown;
using scns::test::storeErrorOf;

Q_DECLARE_METATYPE(scns::RunStatus)

class TestStoreRuns : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void statusRoundTrip_data();
    void statusRoundTrip();
    void unknownStatusThrows();
    void createRunStoresFields();
    void createRunRejectsBadInput();
    void lifeCycle();
    void finishRejectsNonFinalStatus();
    void missingRunNamesIdAndFile();
    void resolveRun_data();
    void resolveRun();
    void listRunsNewestFirst();
    void editsRun();
    void deleteRunCascades();
    void deleteRefusesRunningRun();
    void defaultPath_data();
    void defaultPath();

private:
    std::filesystem::path dbPath() const { return m_dir->filePath("runs.sqlite").toStdString(); }
    QString file() const { return QString::fromStdString(dbPath().string()); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestStoreRuns::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestStoreRuns::statusRoundTrip_data()
{
    QTest::addColumn<RunStatus>("status");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("final");
    QTest::newRow("queued") << RunStatus::Queued << "queued" << false;
    QTest::newRow("running") << RunStatus::Running << "running" << false;
    QTest::newRow("finished") << RunStatus::Finished << "finished" << true;
    QTest::newRow("failed") << RunStatus::Failed << "failed" << true;
    QTest::newRow("cancelled") << RunStatus::Cancelled << "cancelled" << true;
    QTest::newRow("diverged") << RunStatus::Diverged << "diverged" << true;
    QTest::newRow("interrupted") << RunStatus::Interrupted << "interrupted" << true;
}

void TestStoreRuns::statusRoundTrip()
{
    QFETCH(RunStatus, status);
    QFETCH(QString, text);
    QFETCH(bool, final);
    QCOMPARE(QString::fromStdString(toString(status)), text);
    QVERIFY(runStatusFromString(text.toStdString()) == status);
    QCOMPARE(isFinal(status), final);
}

void TestStoreRuns::unknownStatusThrows()
{
    const QString message = storeErrorOf([] { runStatusFromString("Finished"); });
    QVERIFY2(message.contains("'Finished'"), qPrintable(message));
}

void TestStoreRuns::createRunStoresFields()
{
    RunStore store(dbPath());
    const std::int64_t parent = store.createRun("base", R"({"epochs":3})", 42);
    const std::int64_t child = store.createRun("child", "{}", 7, parent);
    const RunRecord r = store.run(parent);
    QCOMPARE(r.id, parent);
    QCOMPARE(r.name, std::string("base"));
    QVERIFY(r.status == RunStatus::Queued);
    QCOMPARE(r.configJson, std::string(R"({"epochs":3})"));
    QCOMPARE(r.seed, std::int64_t{42});
    QCOMPARE(r.programVersion, std::string(SCNS_VERSION));
    QCOMPARE(r.host, hostName());
    QCOMPARE(QString::fromStdString(r.createdAt).size(), 20);  // 2024-05-01T12:34:56Z
    QVERIFY(r.createdAt.back() == 'Z' && r.createdAt[10] == 'T');
    QVERIFY(r.startedAt.empty() && r.finishedAt.empty() && r.message.empty());
    QCOMPARE(r.parentRunId, std::int64_t{0});
    QCOMPARE(store.run(child).parentRunId, parent);
    QCOMPARE(store.path(), dbPath());
}

void TestStoreRuns::createRunRejectsBadInput()
{
    RunStore store(dbPath());
    QVERIFY(storeErrorOf([&] { store.createRun("", "{}", 1); }).contains("non-empty name"));
    const QString message = storeErrorOf([&] { store.createRun("orphan", "{}", 1, 99); });
    QCOMPARE(message, "no run with id 99 in " + file());
    QVERIFY(store.listRuns().empty());
}

void TestStoreRuns::lifeCycle()
{
    RunStore store(dbPath());
    const std::int64_t id = store.createRun("r", "{}", 1);
    store.markRunning(id);
    RunRecord r = store.run(id);
    QVERIFY(r.status == RunStatus::Running);
    QCOMPARE(r.ownerPid, currentPid());
    QCOMPARE(r.host, hostName());
    QVERIFY(!r.startedAt.empty());

    store.finishRun(id, RunStatus::Diverged, "loss is NaN at step 12");
    r = store.run(id);
    QVERIFY(r.status == RunStatus::Diverged);
    QCOMPARE(r.message, std::string("loss is NaN at step 12"));
    QVERIFY(!r.finishedAt.empty());

    // Resuming keeps the first start time and clears the previous ending. Times have
    // one-second resolution, so move the start into the past to tell "kept" from "reset".
    {
        Database db(dbPath());
        Statement update(db, "UPDATE runs SET started_at = '2000-01-01T00:00:00Z' WHERE id = ?1");
        update.bind(1, id).run();
    }
    store.markRunning(id);
    r = store.run(id);
    QVERIFY(r.status == RunStatus::Running);
    QCOMPARE(r.startedAt, std::string("2000-01-01T00:00:00Z"));
    QVERIFY(r.finishedAt.empty() && r.message.empty());

    store.finishRun(id, RunStatus::Finished);
    r = store.run(id);
    QVERIFY(r.status == RunStatus::Finished);
    QVERIFY(r.message.empty());
    QVERIFY(r.finishedAt >= r.startedAt);
}

void TestStoreRuns::finishRejectsNonFinalStatus()
{
    RunStore store(dbPath());
    const std::int64_t id = store.createRun("r", "{}", 1);
    QVERIFY(storeErrorOf([&] { store.finishRun(id, RunStatus::Running); }).contains("final status"));
    QVERIFY(storeErrorOf([&] { store.finishRun(id, RunStatus::Queued); }).contains("final status"));
    QVERIFY(store.run(id).status == RunStatus::Queued);
}

void TestStoreRuns::missingRunNamesIdAndFile()
{
    RunStore store(dbPath());
    const QString expected = "no run with id 5 in " + file();
    QCOMPARE(storeErrorOf([&] { store.run(5); }), expected);
    QCOMPARE(storeErrorOf([&] { store.markRunning(5); }), expected);
    QCOMPARE(storeErrorOf([&] { store.finishRun(5, RunStatus::Failed); }), expected);
    QCOMPARE(storeErrorOf([&] { store.renameRun(5, "x"); }), expected);
    QCOMPARE(storeErrorOf([&] { store.setNotes(5, "x"); }), expected);
    QCOMPARE(storeErrorOf([&] { store.setTags(5, "x"); }), expected);
    QCOMPARE(storeErrorOf([&] { store.deleteRun(5); }), expected);
}

void TestStoreRuns::resolveRun_data()
{
    // Runs created in this order get ids 1..5: alpha, beta, beta, 1000, 3.
    QTest::addColumn<QString>("query");
    QTest::addColumn<qint64>("expectedId");  // 0: an error is expected
    QTest::addColumn<QString>("errorPart");
    QTest::newRow("id") << "2" << qint64(2) << "";
    QTest::newRow("unique name") << "alpha" << qint64(1) << "";
    QTest::newRow("digits that are an id win over a name") << "3" << qint64(3) << "";
    QTest::newRow("digits that are no id fall back to the name") << "1000" << qint64(4) << "";
    QTest::newRow("ambiguous name lists ids") << "beta" << qint64(0) << "shared by runs 2, 3; use an id";
    QTest::newRow("missing name") << "delta" << qint64(0) << "no run with id or name 'delta' in ";
    QTest::newRow("missing id") << "77" << qint64(0) << "no run with id or name '77' in ";
    QTest::newRow("empty") << "" << qint64(0) << "no run with id or name '' in ";
}

void TestStoreRuns::resolveRun()
{
    QFETCH(QString, query);
    QFETCH(qint64, expectedId);
    QFETCH(QString, errorPart);
    RunStore store(dbPath());
    for (const char* name : {"alpha", "beta", "beta", "1000", "3"})
        store.createRun(name, "{}", 0);
    if (expectedId != 0) {
        QCOMPARE(store.resolveRun(query.toStdString()).id, expectedId);
    } else {
        const QString message = storeErrorOf([&] { store.resolveRun(query.toStdString()); });
        QVERIFY2(message.contains(errorPart), qPrintable(message));
        QVERIFY2(message.contains(file()), qPrintable(message));
    }
}

void TestStoreRuns::listRunsNewestFirst()
{
    RunStore store(dbPath());
    QVERIFY(store.listRuns().empty());
    const std::int64_t a = store.createRun("a", "{}", 1);
    const std::int64_t b = store.createRun("b", "{}", 2);
    const std::int64_t c = store.createRun("c", "{}", 3);
    const std::vector<RunRecord> runs = store.listRuns();
    QCOMPARE(runs.size(), std::size_t{3});
    QCOMPARE(runs[0].id, c);
    QCOMPARE(runs[1].id, b);
    QCOMPARE(runs[2].id, a);
    QCOMPARE(runs[1].name, std::string("b"));
}

void TestStoreRuns::editsRun()
{
    RunStore store(dbPath());
    const std::int64_t id = store.createRun("old", "{}", 1);
    store.renameRun(id, "new name");
    store.setNotes(id, "lr too high?\nsecond line");
    store.setTags(id, "scns,baseline");
    RunRecord r = store.run(id);
    QCOMPARE(r.name, std::string("new name"));
    QCOMPARE(r.notes, std::string("lr too high?\nsecond line"));
    QCOMPARE(r.tags, std::string("scns,baseline"));
    QVERIFY(storeErrorOf([&] { store.renameRun(id, ""); }).contains("non-empty name"));
    store.setNotes(id, "");
    QVERIFY(store.run(id).notes.empty());
}

void TestStoreRuns::deleteRunCascades()
{
    RunStore store(dbPath());
    const std::int64_t parent = store.createRun("parent", "{}", 1);
    const std::int64_t child = store.createRun("child", "{}", 1, parent);
    store.appendMetrics(parent, {{0, 1, "loss", 1.0}, {0, 2, "loss", 0.5}});
    store.addCheckpoint(parent, 0, "/tmp/ckpt-0.pt");
    store.appendMetrics(child, {{0, 1, "loss", 2.0}});
    store.deleteRun(parent);
    QCOMPARE(storeErrorOf([&] { store.run(parent); }), "no run with id " + QString::number(parent) + " in " + file());
    QVERIFY(store.metrics(parent).empty());
    QVERIFY(!store.latestCheckpoint(parent).has_value());
    QCOMPARE(store.run(child).parentRunId, std::int64_t{0});
    QCOMPARE(store.metrics(child).size(), std::size_t{1});
}

void TestStoreRuns::deleteRefusesRunningRun()
{
    RunStore store(dbPath());
    const std::int64_t id = store.createRun("busy", "{}", 1);
    store.markRunning(id);
    const QString message = storeErrorOf([&] { store.deleteRun(id); });
    QVERIFY2(message.contains("is running"), qPrintable(message));
    QVERIFY(store.run(id).status == RunStatus::Running);
    store.finishRun(id, RunStatus::Cancelled);
    store.deleteRun(id);
    QVERIFY(store.listRuns().empty());
}

void TestStoreRuns::defaultPath_data()
{
    QTest::addColumn<QString>("scnsDb");
    QTest::addColumn<QString>("xdgDataHome");
    QTest::addColumn<QString>("home");
    QTest::addColumn<QString>("expected");
    QTest::newRow("SCNS_DB wins") << "/data/my.sqlite" << "/xdg" << "/home/u" << "/data/my.sqlite";
    QTest::newRow("XDG_DATA_HOME") << "" << "/xdg" << "/home/u" << "/xdg/scns-workbench/runs.sqlite";
    QTest::newRow("HOME") << "" << "" << "/home/u" << "/home/u/.local/share/scns-workbench/runs.sqlite";
    QTest::newRow("relative XDG_DATA_HOME is ignored")
        << "" << "rel/xdg" << "/home/u" << "/home/u/.local/share/scns-workbench/runs.sqlite";
}

void TestStoreRuns::defaultPath()
{
    QFETCH(QString, scnsDb);
    QFETCH(QString, xdgDataHome);
    QFETCH(QString, home);
    QFETCH(QString, expected);
    const QByteArray savedHome = qgetenv("HOME");
    const auto set = [](const char* name, const QString& value) {
        if (value.isEmpty())
            qunsetenv(name);
        else
            qputenv(name, value.toUtf8());
    };
    set("SCNS_DB", scnsDb);
    set("XDG_DATA_HOME", xdgDataHome);
    set("HOME", home);
    const std::filesystem::path path = defaultDatabasePath();
    qputenv("HOME", savedHome);
    qunsetenv("SCNS_DB");
    qunsetenv("XDG_DATA_HOME");
    QCOMPARE(QString::fromStdString(path.string()), expected);
}

QTEST_GUILESS_MAIN(TestStoreRuns)
#include "test_store_runs.moc"
