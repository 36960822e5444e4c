// Schema versioning: migrations from an empty file, refusal of newer schemas and of files
// that are not databases.
#include "store/database.h"
#include "store/migrations.h"
#include "store/run_store.h"
#include "store/statement.h"
#include "store_test_util.h"

#include <QByteArray>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <array>
#include <memory>

using namespace scns;
using scns::test::kNotThrown;
using scns::test::storeErrorOf;

class TestStoreSchema : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void migratesFromEmpty();
    void createsTablesAndIndexes_data();
    void createsTablesAndIndexes();
    void reopeningKeepsData();
    void upgradesVersion1KeepingRuns();
    void refusesNewerSchema();
    void failedMigrationRollsBack();
    void refusesNonDatabaseFile_data();
    void refusesNonDatabaseFile();
    void refusesFolderAsDatabase();
    void reportsUncreatableFolder();

private:
    std::filesystem::path dbPath() const { return m_dir->filePath("runs.sqlite").toStdString(); }
    QString file() const { return QString::fromStdString(dbPath().string()); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestStoreSchema::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestStoreSchema::migratesFromEmpty()
{
    QCOMPARE(latestSchemaVersion(), 7);
    QCOMPARE(static_cast<int>(schemaMigrations().size()), latestSchemaVersion());
    Database db(dbPath());
    QCOMPARE(db.userVersion(), 0);
    migrate(db);
    QCOMPARE(db.userVersion(), latestSchemaVersion());
    migrate(db);  // already current: a no-op
    QCOMPARE(db.userVersion(), latestSchemaVersion());
}

void TestStoreSchema::upgradesVersion1KeepingRuns()
{
    {
        Database db(dbPath());
        migrate(db, schemaMigrations().first(1));
        QCOMPARE(db.userVersion(), 1);
        db.exec("INSERT INTO runs (name, status, created_at, config_json) VALUES ('old', 'finished', 'x', '{}')");
    }
    RunStore store(dbPath());
    QCOMPARE(store.listRuns().size(), std::size_t{1});
    QCOMPARE(store.listRuns().front().name, std::string("old"));
    Database db(dbPath());
    QCOMPARE(db.userVersion(), latestSchemaVersion());
}

void TestStoreSchema::createsTablesAndIndexes_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("name");
    QTest::newRow("runs") << "table" << "runs";
    QTest::newRow("metrics") << "table" << "metrics";
    QTest::newRow("checkpoints") << "table" << "checkpoints";
    QTest::newRow("metrics index") << "index" << "metrics_run_name_step";
    QTest::newRow("checkpoints index") << "index" << "checkpoints_run_epoch";
    QTest::newRow("class similarity (v2)") << "table" << "class_similarity";
    QTest::newRow("probe negatives (v2)") << "table" << "probe_negatives";
    QTest::newRow("probe negatives index (v2)") << "index" << "probe_negatives_run_epoch";
    QTest::newRow("test confusion (v3)") << "table" << "test_confusion";
}

void TestStoreSchema::createsTablesAndIndexes()
{
    QFETCH(QString, type);
    QFETCH(QString, name);
    { RunStore store(dbPath()); }
    Database db(dbPath());
    Statement stmt(db, "SELECT count(*) FROM sqlite_master WHERE type = ?1 AND name = ?2");
    stmt.bind(1, type.toStdString()).bind(2, name.toStdString());
    QVERIFY(stmt.step());
    QCOMPARE(stmt.columnInt64(0), std::int64_t{1});
}

void TestStoreSchema::reopeningKeepsData()
{
    std::int64_t id = 0;
    {
        RunStore store(dbPath());
        id = store.createRun("keep", "{}", 1);
    }
    RunStore again(dbPath());
    QCOMPARE(again.run(id).name, std::string("keep"));
}

void TestStoreSchema::refusesNewerSchema()
{
    { RunStore store(dbPath()); }
    {
        Database db(dbPath());
        db.setUserVersion(latestSchemaVersion() + 1);
    }
    const QString message = storeErrorOf([&] { RunStore store(dbPath()); });
    QCOMPARE(message, file() + QStringLiteral(": schema version %1 is newer than this program supports (%2); "
                                              "use a newer SCNS Workbench")
                                   .arg(latestSchemaVersion() + 1)
                                   .arg(latestSchemaVersion()));
    Database db(dbPath());
    QCOMPARE(db.userVersion(), latestSchemaVersion() + 1);  // left untouched
}

void TestStoreSchema::failedMigrationRollsBack()
{
    const std::array<std::string_view, 3> migrations = {
        "CREATE TABLE a (x INTEGER)",
        "CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (1); CREATE TABLE",  // syntax error at the end
        "CREATE TABLE c (x INTEGER)",
    };
    Database db(dbPath());
    const QString message = storeErrorOf([&] { migrate(db, migrations); });
    QVERIFY2(message.startsWith(file() + ": migration to schema version 2 failed"), qPrintable(message));
    QCOMPARE(db.userVersion(), 1);
    Statement tables(db, "SELECT group_concat(name) FROM sqlite_master WHERE type = 'table'");
    QVERIFY(tables.step());
    QCOMPARE(tables.columnText(0), std::string("a"));
    Statement rows(db, "SELECT count(*) FROM a");
    QVERIFY(rows.step());
    QCOMPARE(rows.columnInt64(0), std::int64_t{0});
}

void TestStoreSchema::refusesNonDatabaseFile_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::newRow("short text") << QByteArray("hello, not a database\n");
    QTest::newRow("4 KiB of text") << QByteArray(4096, 'x');
    QByteArray header("SQLite format 3");  // the magic without its NUL, then garbage
    header.append(QByteArray(2048, '\x7f'));
    QTest::newRow("damaged header") << header;
}

void TestStoreSchema::refusesNonDatabaseFile()
{
    QFETCH(QByteArray, content);
    QFile f(file());
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(content), content.size());
    f.close();

    const QString message = storeErrorOf([&] { RunStore store(dbPath()); });
    QVERIFY2(message != kNotThrown, "opening a non-database succeeded");
    QVERIFY2(message.startsWith(file() + ": "), qPrintable(message));
    QVERIFY2(message.contains("not an SCNS run store"), qPrintable(message));

    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), content);  // nothing was written to it
}

void TestStoreSchema::refusesFolderAsDatabase()
{
    const QString message = storeErrorOf([&] { Database db(m_dir->path().toStdString()); });
    QVERIFY2(message.startsWith(m_dir->path() + ": "), qPrintable(message));
}

void TestStoreSchema::reportsUncreatableFolder()
{
    QFile blocker(m_dir->filePath("plain-file"));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    const std::filesystem::path path = m_dir->filePath("plain-file/sub/runs.sqlite").toStdString();
    const QString message = storeErrorOf([&] { RunStore store(path); });
    QVERIFY2(message.startsWith(QString::fromStdString(path.string()) + ": cannot create folder"),
             qPrintable(message));
}

QTEST_GUILESS_MAIN(TestStoreSchema)
#include "test_store_schema.moc"
