// Database, Statement and Transaction: the thin RAII layer over the SQLite C API.
#include "store/database.h"
#include "store/statement.h"
#include "store/transaction.h"
#include "store_test_util.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>

using namespace scns;
using scns::test::storeErrorOf;

class TestStoreDatabase : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void opensAndCreatesParentFolders();
    void setsPragmas_data();
    void setsPragmas();
    void bindsAndReadsValues();
    void textStaysAValue();
    void badSqlNamesTheFile();
    void badParameterIndexThrows();
    void failedStepLeavesStatementReusable();
    void transactionCommits();
    void transactionRollsBackOnException();
    void transactionRollsBackWithoutCommit();
    void transactionsDoNotNest();
    void databaseMoves();

private:
    std::filesystem::path dbPath() const { return m_dir->filePath("t.sqlite").toStdString(); }
    static std::int64_t count(Database& db, const char* sql);

    std::unique_ptr<QTemporaryDir> m_dir;
};

std::int64_t TestStoreDatabase::count(Database& db, const char* sql)
{
    Statement stmt(db, sql);
    if (!stmt.step())
        throw std::runtime_error("count query returned no row");
    return stmt.columnInt64(0);
}

void TestStoreDatabase::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestStoreDatabase::opensAndCreatesParentFolders()
{
    const std::filesystem::path path = m_dir->filePath("a/b/c/runs.sqlite").toStdString();
    Database db(path);
    QVERIFY(db.isOpen());
    QCOMPARE(db.path(), path);
    db.exec("CREATE TABLE t (x INTEGER)");
    QVERIFY(std::filesystem::exists(path));
    db.close();
    QVERIFY(!db.isOpen());
}

void TestStoreDatabase::setsPragmas_data()
{
    QTest::addColumn<QString>("pragma");
    QTest::addColumn<QString>("expected");
    QTest::newRow("journal_mode") << "PRAGMA journal_mode" << "wal";
    QTest::newRow("busy_timeout") << "PRAGMA busy_timeout" << "5000";
    QTest::newRow("foreign_keys") << "PRAGMA foreign_keys" << "1";
    QTest::newRow("synchronous NORMAL") << "PRAGMA synchronous" << "1";
}

void TestStoreDatabase::setsPragmas()
{
    QFETCH(QString, pragma);
    QFETCH(QString, expected);
    Database db(dbPath());
    Statement stmt(db, pragma.toStdString());
    QVERIFY(stmt.step());
    QCOMPARE(QString::fromStdString(stmt.columnText(0)), expected);
}

void TestStoreDatabase::bindsAndReadsValues()
{
    Database db(dbPath());
    db.exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, n TEXT, nan REAL)");
    const std::string withNul("a\0b", 3);
    Statement insert(db, "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.bind(1, std::int64_t{1} << 40).bind(2, 0.125).bind(3, withNul).bindNull(4)
        .bind(5, std::numeric_limits<double>::quiet_NaN());
    insert.run();
    QCOMPARE(db.changes(), 1);
    QCOMPARE(db.lastInsertRowId(), std::int64_t{1});

    Statement select(db, "SELECT i, d, s, n, nan FROM t");
    QVERIFY(select.step());
    QCOMPARE(select.columnCount(), 5);
    QCOMPARE(select.columnInt64(0), std::int64_t{1} << 40);
    QCOMPARE(select.columnDouble(1), 0.125);
    QCOMPARE(select.columnText(2), withNul);
    QVERIFY(select.isNull(3));
    QCOMPARE(select.columnText(3), std::string());
    QVERIFY(std::isnan(select.columnDouble(4)));  // stored as NULL, read back as NaN
    QVERIFY(!select.step());
}

void TestStoreDatabase::textStaysAValue()
{
    Database db(dbPath());
    db.exec("CREATE TABLE t (s TEXT)");
    const std::string hostile = "x'); DROP TABLE t; --";
    Statement insert(db, "INSERT INTO t VALUES (?1)");
    insert.bind(1, hostile).run();
    Statement select(db, "SELECT s FROM t");
    QVERIFY(select.step());
    QCOMPARE(select.columnText(0), hostile);
    QCOMPARE(count(db, "SELECT count(*) FROM t"), std::int64_t{1});
}

void TestStoreDatabase::badSqlNamesTheFile()
{
    Database db(dbPath());
    const QString message = storeErrorOf([&] { Statement stmt(db, "SELEKT 1"); });
    QVERIFY2(message.startsWith(QString::fromStdString(dbPath().string()) + ": "), qPrintable(message));
    QVERIFY2(message.contains("syntax error"), qPrintable(message));
    const QString execMessage = storeErrorOf([&] { db.exec("CREATE TABLE"); });
    QVERIFY2(execMessage.startsWith(QString::fromStdString(dbPath().string())), qPrintable(execMessage));
}

void TestStoreDatabase::badParameterIndexThrows()
{
    Database db(dbPath());
    Statement stmt(db, "SELECT ?1");
    const QString message = storeErrorOf([&] { stmt.bind(2, 1); });
    QVERIFY2(message.contains("parameter 2"), qPrintable(message));
}

void TestStoreDatabase::failedStepLeavesStatementReusable()
{
    Database db(dbPath());
    db.exec("CREATE TABLE t (x INTEGER UNIQUE)");
    Statement insert(db, "INSERT INTO t VALUES (?1)");
    insert.bind(1, 1).run();
    insert.reset();
    const QString message = storeErrorOf([&] { insert.bind(1, 1).run(); });
    QVERIFY2(message.contains("an entry with this key exists already"), qPrintable(message));
    insert.reset();
    insert.bind(1, 2).run();
    QCOMPARE(count(db, "SELECT count(*) FROM t"), std::int64_t{2});
}

void TestStoreDatabase::transactionCommits()
{
    Database db(dbPath());
    db.exec("CREATE TABLE t (x INTEGER)");
    {
        Transaction tx(db);
        db.exec("INSERT INTO t VALUES (1)");
        tx.commit();
    }
    Database other(dbPath());  // a second connection sees only committed data
    QCOMPARE(count(other, "SELECT count(*) FROM t"), std::int64_t{1});
}

void TestStoreDatabase::transactionRollsBackOnException()
{
    Database db(dbPath());
    db.exec("CREATE TABLE t (x INTEGER)");
    bool caught = false;
    try {
        Transaction tx(db);
        db.exec("INSERT INTO t VALUES (1)");
        db.exec("INSERT INTO t VALUES (2)");
        throw std::runtime_error("fails half-way");
    } catch (const std::runtime_error&) {
        caught = true;
    }
    QVERIFY(caught);
    QCOMPARE(count(db, "SELECT count(*) FROM t"), std::int64_t{0});
    // The connection is usable for a new transaction afterwards.
    Transaction tx(db);
    db.exec("INSERT INTO t VALUES (3)");
    tx.commit();
    QCOMPARE(count(db, "SELECT count(*) FROM t"), std::int64_t{1});
}

void TestStoreDatabase::transactionRollsBackWithoutCommit()
{
    Database db(dbPath());
    db.exec("CREATE TABLE t (x INTEGER)");
    {
        Transaction tx(db);
        db.exec("INSERT INTO t VALUES (1)");
    }
    QCOMPARE(count(db, "SELECT count(*) FROM t"), std::int64_t{0});
}

void TestStoreDatabase::transactionsDoNotNest()
{
    Database db(dbPath());
    Transaction outer(db);
    const QString message = storeErrorOf([&] { Transaction inner(db); });
    QVERIFY2(message.contains("within a transaction"), qPrintable(message));
}

void TestStoreDatabase::databaseMoves()
{
    Database a(dbPath());
    a.exec("CREATE TABLE t (x INTEGER)");
    Database b(std::move(a));
    QVERIFY(!a.isOpen());
    QVERIFY(b.isOpen());
    QCOMPARE(count(b, "SELECT count(*) FROM t"), std::int64_t{0});
    Database c;
    c = std::move(b);
    QVERIFY(c.isOpen());
    QCOMPARE(c.path(), dbPath());
}

QTEST_GUILESS_MAIN(TestStoreDatabase)
#include "test_store_database.moc"
