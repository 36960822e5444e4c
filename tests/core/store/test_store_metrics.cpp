// RunStore metric rows and checkpoints, and MetricWriter's batching.
#include "store/metric_writer.h"
#include "store/run_store.h"
#include "store_test_util.h"

#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <cmath>
#include <limits>
#include <memory>

using namespace scns;
using scns::test::storeErrorOf;

class TestStoreMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void appendsAndOrdersMetrics();
    void keepsNonFiniteValues();
    void largeBatchInOneCall();
    void unknownRunStoresNothing();
    void metricsOfOtherRunsStaySeparate();
    void lastValuesOfEveryRun();
    void deletesRowsAfterAnEpoch();
    void checkpoints();
    void writerBatches_data();
    void writerBatches();
    void writerFlushesInDestructor();
    void writerKeepsRowsWhenFlushFails();
    void wallTimesAreStampedAndKept();

private:
    std::filesystem::path dbPath() const { return m_dir->filePath("runs.sqlite").toStdString(); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestStoreMetrics::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestStoreMetrics::deletesRowsAfterAnEpoch()
{
    RunStore store(dbPath());
    const std::int64_t id = store.createRun("r", "{}", 1);
    const std::int64_t other = store.createRun("o", "{}", 1);
    store.appendMetrics(id, {{1, 1, "loss", 1.0}, {2, 2, "loss", 0.5}, {3, 3, "loss", 0.25}});
    store.appendMetrics(other, {{3, 3, "loss", 0.25}});
    store.deleteRecordsAfterEpoch(id, 1);
    const auto rows = store.metrics(id);
    QCOMPARE(rows.size(), std::size_t{1});
    QCOMPARE(rows[0].epoch, std::int64_t{1});
    QCOMPARE(store.metrics(other).size(), std::size_t{1});
    store.deleteRecordsAfterEpoch(id, 0);
    QVERIFY(store.metrics(id).empty());
    QVERIFY_THROWS_EXCEPTION(StoreError, store.deleteRecordsAfterEpoch(999, 0));
}

void TestStoreMetrics::appendsAndOrdersMetrics()
{
    RunStore store(dbPath());
    const std::int64_t id = store.createRun("r", "{}", 1);
    store.appendMetrics(id, {{0, 2, "loss", 0.5}, {0, 1, "loss", 1.0}, {0, 1, "acc", 0.1}});
    store.appendMetrics(id, {{1, 3, "loss", 0.25}, {1, 3, "acc", 0.3}});
    store.appendMetrics(id, {});

    const std::vector<MetricRow> rows = store.metrics(id);
    QCOMPARE(rows.size(), std::size_t{5});
    const std::vector<std::pair<std::int64_t, std::string>> order = {
        {1, "acc"}, {1, "loss"}, {2, "loss"}, {3, "acc"}, {3, "loss"}};
    for (std::size_t i = 0; i < order.size(); ++i) {
        QCOMPARE(rows[i].step, order[i].first);
        QCOMPARE(rows[i].name, order[i].second);
    }
    QCOMPARE(rows[4].epoch, std::int64_t{1});
    QCOMPARE(rows[4].value, 0.25);

    const std::vector<MetricRow> loss = store.metrics(id, "loss");
    QCOMPARE(loss.size(), std::size_t{3});
    QCOMPARE(loss[0].value, 1.0);
    QCOMPARE(loss[2].value, 0.25);
    QCOMPARE(store.metricNames(id), (std::vector<std::string>{"acc", "loss"}));
}

void TestStoreMetrics::keepsNonFiniteValues()
{
    RunStore store(dbPath());
    const std::int64_t id = store.createRun("r", "{}", 1);
    const double inf = std::numeric_limits<double>::infinity();
    store.appendMetrics(id, {{0, 1, "loss", std::nan("")}, {0, 2, "loss", inf}, {0, 3, "loss", -inf}});
    const std::vector<MetricRow> rows = store.metrics(id, "loss");
    QCOMPARE(rows.size(), std::size_t{3});
    QVERIFY(std::isnan(rows[0].value));
    QCOMPARE(rows[1].value, inf);
    QCOMPARE(rows[2].value, -inf);
}

void TestStoreMetrics::largeBatchInOneCall()
{
    RunStore store(dbPath());
    const std::int64_t id = store.createRun("r", "{}", 1);
    std::vector<MetricRow> rows;
    for (int step = 0; step < 20000; ++step)
        rows.push_back({step / 1000, step, "loss", 1.0 / (step + 1)});
    store.appendMetrics(id, rows);
    const std::vector<MetricRow> back = store.metrics(id);
    QCOMPARE(back.size(), rows.size());
    QCOMPARE(back[19999].step, std::int64_t{19999});
    QCOMPARE(back[19999].epoch, std::int64_t{19});
}

void TestStoreMetrics::unknownRunStoresNothing()
{
    RunStore store(dbPath());
    const QString message = storeErrorOf([&] { store.appendMetrics(42, {{0, 1, "loss", 1.0}}); });
    QVERIFY2(message.startsWith("no run with id 42 in "), qPrintable(message));
    QVERIFY(store.metrics(42).empty());
    QVERIFY(storeErrorOf([&] { store.addCheckpoint(42, 0, "x.pt"); }).startsWith("no run with id 42"));
}

void TestStoreMetrics::metricsOfOtherRunsStaySeparate()
{
    RunStore store(dbPath());
    const std::int64_t a = store.createRun("a", "{}", 1);
    const std::int64_t b = store.createRun("b", "{}", 1);
    store.appendMetrics(a, {{0, 1, "loss", 1.0}});
    store.appendMetrics(b, {{0, 1, "acc", 2.0}, {0, 2, "acc", 3.0}});
    QCOMPARE(store.metrics(a).size(), std::size_t{1});
    QCOMPARE(store.metrics(b).size(), std::size_t{2});
    QCOMPARE(store.metricNames(b), std::vector<std::string>{"acc"});
    QVERIFY(store.metrics(b, "loss").empty());
}

void TestStoreMetrics::lastValuesOfEveryRun()
{
    RunStore store(dbPath());
    const std::int64_t a = store.createRun("a", "{}", 1);
    const std::int64_t b = store.createRun("b", "{}", 1);
    const std::int64_t none = store.createRun("none", "{}", 1);
    // Rows out of step order: the highest step wins, not the last inserted.
    store.appendMetrics(a,
                        {{1, 10, "test/top1", 50.0},
                         {3, 30, "test/top1", 70.0},
                         {2, 20, "test/top1", 60.0},
                         {3, 30, "test/loss", 0.5}});
    store.appendMetrics(b, {{1, 5, "test/top1", 40.0}});
    store.appendMetrics(none, {{1, 5, "train/loss", 2.0}});
    const auto last = store.lastValues("test/top1");
    QCOMPARE(last.size(), std::size_t{2});
    QCOMPARE(last.at(a), 70.0);
    QCOMPARE(last.at(b), 40.0);
    QVERIFY(!last.count(none));
    QVERIFY(store.lastValues("no/such").empty());
    // The best value of each run: the largest, whatever its step.
    const auto best = store.maxValues("test/top1");
    QCOMPARE(best.size(), std::size_t{2});
    QCOMPARE(best.at(a), 70.0);
    QCOMPARE(best.at(b), 40.0);
    store.appendMetrics(b, {{2, 10, "test/top1", 30.0}});
    QCOMPARE(store.maxValues("test/top1").at(b), 40.0);  // final 30, best 40
    QCOMPARE(store.lastValues("test/top1").at(b), 30.0);
}

void TestStoreMetrics::checkpoints()
{
    RunStore store(dbPath());
    const std::int64_t id = store.createRun("r", "{}", 1);
    QVERIFY(!store.latestCheckpoint(id).has_value());
    store.addCheckpoint(id, 1, "/ck/e1.pt");
    store.addCheckpoint(id, 3, "/ck/e3.pt");
    store.addCheckpoint(id, 2, "/ck/e2.pt");
    store.addCheckpoint(id, 3, "/ck/e3-again.pt");
    const std::optional<CheckpointRecord> latest = store.latestCheckpoint(id);
    QVERIFY(latest.has_value());
    QCOMPARE(latest->runId, id);
    QCOMPARE(latest->epoch, std::int64_t{3});
    QCOMPARE(latest->path, std::string("/ck/e3-again.pt"));
    QVERIFY(!latest->createdAt.empty());
    const std::vector<CheckpointRecord> all = store.checkpoints(id);
    QCOMPARE(all.size(), std::size_t{4});
    QCOMPARE(all[0].path, std::string("/ck/e1.pt"));
    QCOMPARE(all[1].path, std::string("/ck/e2.pt"));
}

void TestStoreMetrics::writerBatches_data()
{
    QTest::addColumn<int>("batchSize");
    QTest::addColumn<int>("rows");
    QTest::newRow("default size, partial batch") << 512 << 100;
    QTest::newRow("exact batches") << 4 << 12;
    QTest::newRow("batches and a rest") << 5 << 12;
    QTest::newRow("size 0 acts as 1") << 0 << 3;
}

void TestStoreMetrics::writerBatches()
{
    QFETCH(int, batchSize);
    QFETCH(int, rows);
    RunStore store(dbPath());
    const std::int64_t id = store.createRun("r", "{}", 1);
    MetricWriter writer(store, id, static_cast<std::size_t>(batchSize));
    const std::size_t effective = batchSize == 0 ? 1 : static_cast<std::size_t>(batchSize);
    QCOMPARE(writer.batchSize(), effective);
    for (int i = 0; i < rows; ++i) {
        writer.add(0, i, "loss", i * 0.5);
        const std::size_t added = static_cast<std::size_t>(i + 1);
        QCOMPARE(writer.pending(), added % effective);
        QCOMPARE(store.metrics(id).size(), added - added % effective);
    }
    writer.flush();
    QCOMPARE(writer.pending(), std::size_t{0});
    QCOMPARE(store.metrics(id).size(), static_cast<std::size_t>(rows));
}

void TestStoreMetrics::writerFlushesInDestructor()
{
    RunStore store(dbPath());
    const std::int64_t id = store.createRun("r", "{}", 1);
    {
        MetricWriter writer(store, id);
        writer.add(MetricRow{0, 1, "loss", 1.0});
        writer.add(0, 1, "acc", 0.5);
        QCOMPARE(store.metrics(id).size(), std::size_t{0});
    }
    QCOMPARE(store.metrics(id).size(), std::size_t{2});
    {
        MetricWriter lost(store, 999);  // unknown run: the destructor reports, never throws
        lost.add(0, 1, "loss", 1.0);
    }
    QCOMPARE(store.metrics(999).size(), std::size_t{0});
}

void TestStoreMetrics::writerKeepsRowsWhenFlushFails()
{
    RunStore store(dbPath());
    const std::int64_t id = store.createRun("r", "{}", 1);
    MetricWriter writer(store, id, 10);
    writer.add(0, 1, "loss", 1.0);
    writer.add(0, 2, "loss", 0.5);
    store.finishRun(id, RunStatus::Cancelled);
    store.deleteRun(id);
    QVERIFY(storeErrorOf([&] { writer.flush(); }).startsWith("no run with id"));
    QCOMPARE(writer.pending(), std::size_t{2});
}

// Schema version 6: each row's wall time. MetricWriter stamps rows that have none with the
// current time; rows given a time keep it; rows stored without one (before version 6, or
// appended directly without a time) read back as NaN, and firstMetricWallTime skips them.
void TestStoreMetrics::wallTimesAreStampedAndKept()
{
    RunStore store(dbPath());
    const std::int64_t id = store.createRun("r", "{}", 1);
    QVERIFY(!store.firstMetricWallTime(id).has_value());
    store.appendMetrics(id, {MetricRow{1, 1, "old", 1.0}});  // no time
    QVERIFY(!store.firstMetricWallTime(id).has_value());
    const double before = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    {
        MetricWriter writer(store, id);
        writer.add(1, 2, "loss", 0.5);
        MetricRow given{1, 3, "loss", 0.4};
        given.wallTime = 1.7e9;  // 2023-11-14
        writer.add(given);
    }
    const double after = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    const auto rows = store.metrics(id);
    QCOMPARE(rows.size(), std::size_t{3});
    QVERIFY(std::isnan(rows[0].wallTime));
    QVERIFY2(rows[1].wallTime >= before && rows[1].wallTime <= after,
             qPrintable(QString::number(rows[1].wallTime, 'f', 3)));
    QCOMPARE(rows[2].wallTime, 1.7e9);
    QCOMPARE(store.metrics(id, "loss").at(1).wallTime, 1.7e9);
    QCOMPARE(store.firstMetricWallTime(id).value_or(0), 1.7e9);
}

QTEST_GUILESS_MAIN(TestStoreMetrics)
#include "test_store_metrics.moc"
