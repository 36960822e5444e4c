// Nothing lost (issue 10): run ids never reused, checkpoint paths relative to the store,
// moving a landed store's checkpoints (also when killed half-way), a pid reused by another
// process, read-only stores, damaged schema versions, a full disk, and messages without SQL.
#include "store/checkpoint_location.h"
#include "store/database.h"
#include "store/metric_writer.h"
#include "store/migrations.h"
#include "store/process_info.h"
#include "store/run_store.h"
#include "store/statement.h"
#include "store_test_util.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <sys/mount.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <memory>

using namespace scns;
using scns::test::kNotThrown;
using scns::test::storeErrorOf;
namespace fs = std::filesystem;

namespace {

const QString kMigrateChild = QStringLiteral(SCNS_STORE_MIGRATE_CHILD);
const QString kLandedStore = QStringLiteral(SCNS_SOURCE_DIR "/tests/data/landed-store");

void writeFile(const fs::path& file, const std::string& content)
{
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << content;
}

std::string readFile(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> recordedPaths(const fs::path& db)
{
    Database d(db);
    Statement s(d, "SELECT path FROM checkpoints ORDER BY id");
    std::vector<std::string> out;
    while (s.step())
        out.push_back(s.columnText(0));
    return out;
}

bool looksLikeSql(const QString& message)
{
    for (const char* word : {"SELECT ", "INSERT ", "UPDATE ", "DELETE ", "CREATE ", " WHERE ", "PRAGMA", "strftime", "?1"})
        if (message.contains(QLatin1String(word), Qt::CaseInsensitive))
            return true;
    return false;
}

// A read-only view of `folder` (a bind mount remounted read-only): real, and also read-only
// for root, which the tests run as. Unmounted in the destructor.
class ReadOnlyMount {
public:
    ReadOnlyMount(const QString& source, const QString& target) : m_target(target.toStdString())
    {
        QDir().mkpath(target);
        if (::mount(source.toLocal8Bit().constData(), m_target.c_str(), nullptr, MS_BIND, nullptr) != 0)
            return;
        m_mounted = true;
        m_ok = ::mount(nullptr, m_target.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) == 0;
    }
    ~ReadOnlyMount()
    {
        if (m_mounted)
            ::umount2(m_target.c_str(), MNT_DETACH);
    }
    bool ok() const { return m_ok; }

private:
    std::string m_target;
    bool m_mounted = false, m_ok = false;
};

}  // namespace

class TestStoreTrust : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void negativeSchemaVersionIsAClearError()
    {
        { RunStore store(db()); }
        {
            Database d(db());
            d.setUserVersion(-3);
        }
        const QString message = storeErrorOf([&] { RunStore store(db()); });
        QVERIFY2(message.startsWith(file() + ": schema version -3 is not valid"), qPrintable(message));
        Database d(db());
        QCOMPARE(d.userVersion(), -3);  // left untouched
    }

    void runIdsAreNeverReused()
    {
        RunStore store(db());
        const auto a = store.createRun("a", "{}", 1);
        const auto b = store.createRun("b", "{}", 1);
        store.deleteRun(b);  // the newest
        const auto c = store.createRun("c", "{}", 1);
        QCOMPARE(a, std::int64_t{1});
        QCOMPARE(c, std::int64_t{3});  // SQLite alone would give 2 again
        store.deleteRun(c);
        RunStore other(db());  // another connection (process) sees the same counter
        QCOMPARE(other.createRun("d", "{}", 1), std::int64_t{4});
    }

    void checkpointPathsAreRelativeToTheStore()
    {
        const fs::path folder = m_dir->path().toStdString();
        const fs::path file = runCheckpointFolder(db(), 1) / "epoch-1.pt";
        QCOMPARE(file, folder / "runs.sqlite.checkpoints" / "run-1" / "epoch-1.pt");
        writeFile(file, "weights");
        {
            RunStore store(db());
            const auto id = store.createRun("a", "{}", 1);
            store.addCheckpoint(id, 1, file.string());
        }
        QCOMPARE(recordedPaths(db()), std::vector<std::string>{"runs.sqlite.checkpoints/run-1/epoch-1.pt"});
        // Opened by a relative path from another working folder, the store still finds it.
        const QString previous = QDir::currentPath();
        QTemporaryDir elsewhere;
        QVERIFY(QDir::setCurrent(m_dir->path()));
        {
            RunStore store("runs.sqlite");
            QVERIFY(QDir::setCurrent(elsewhere.path()));
            QCOMPARE(store.latestCheckpoint(1)->path, file.string());
        }
        QVERIFY(QDir::setCurrent(previous));
        // A second store in the same folder has a folder of its own.
        QVERIFY(checkpointRoot(folder / "other.sqlite") != checkpointRoot(db()));
    }

    void movesTheLandedStoresCheckpoints()
    {
        if (!QFileInfo::exists(kLandedStore + "/runs.sqlite"))
            QFAIL("tests/data/landed-store is missing");
        const QString copy = m_dir->filePath("landed");
        QVERIFY(QProcess::execute("cp", {"-a", kLandedStore, copy}) == 0);
        const fs::path landed = (copy + "/runs.sqlite").toStdString();
        // What the landed version recorded, and the bytes of each file.
        std::map<std::string, std::string> before;  // file name under checkpoints/ -> bytes
        for (QDirIterator it(copy + "/checkpoints", QDir::Files, QDirIterator::Subdirectories); it.hasNext();) {
            const QString f = it.next();
            before[QDir(copy + "/checkpoints").relativeFilePath(f).toStdString()] = readFile(f.toStdString());
        }
        QVERIFY(!before.empty());
        std::size_t runsBefore = 0;
        {
            Database d(landed);
            QCOMPARE(d.userVersion(), 3);
            Statement s(d, "SELECT count(*) FROM runs");
            s.step();
            runsBefore = static_cast<std::size_t>(s.columnInt64(0));
        }
        for (int round = 0; round < 2; ++round) {  // the second open changes nothing
            RunStore store(landed);
            QCOMPARE(store.listRuns().size(), runsBefore);
            for (const auto& r : store.listRuns())
                for (const auto& cp : store.checkpoints(r.id)) {
                    QVERIFY2(fs::exists(cp.path), cp.path.c_str());
                    const std::string key = "run-" + std::to_string(r.id) + "/" + fs::path(cp.path).filename().string();
                    QCOMPARE(fs::path(cp.path).parent_path(),
                             fs::path(copy.toStdString()) / "runs.sqlite.checkpoints" / ("run-" + std::to_string(r.id)));
                    if (before.count(key))
                        QCOMPARE(readFile(cp.path), before[key]);
                }
        }
        for (const auto& path : recordedPaths(landed))
            QVERIFY2(path.rfind("runs.sqlite.checkpoints/run-", 0) == 0, path.c_str());
        // Every file the landed version wrote is in the new place, once.
        for (const auto& [name, bytes] : before) {
            const fs::path moved = fs::path(copy.toStdString()) / "runs.sqlite.checkpoints" / name;
            QVERIFY2(fs::exists(moved), moved.c_str());
            QCOMPARE(readFile(moved), bytes);
            QVERIFY(!fs::exists(fs::path(copy.toStdString()) / "checkpoints" / name));
        }
        Database d(landed);
        QCOMPARE(d.userVersion(), latestSchemaVersion());
    }

    // The move is crash-safe: a process killed at random moments while moving the files of a
    // landed-layout store, again and again, never loses or duplicates a file.
    void moveSurvivesKills()
    {
        const fs::path folder = m_dir->path().toStdString();
        constexpr int kRuns = 150, kEpochs = 3;
        {
            Database d(db());
            migrate(d, schemaMigrations().first(3));  // the landed schema
            d.exec("BEGIN");
            for (int r = 1; r <= kRuns; ++r) {
                Statement run(d, "INSERT INTO runs (id, name, status, created_at, config_json) "
                                 "VALUES (?1, 'r', 'cancelled', 'x', '{}')");
                run.bind(1, r).run();
                for (int e = 1; e <= kEpochs; ++e) {
                    const fs::path f = folder / "checkpoints" / ("run-" + std::to_string(r)) / ("epoch-" + std::to_string(e) + ".pt");
                    writeFile(f, "run " + std::to_string(r) + " epoch " + std::to_string(e));
                    // The landed version recorded paths as given: relative ones to the working folder.
                    const std::string recorded = r % 2 ? f.string() : "some/relative/checkpoints/run-" + std::to_string(r)
                                                                        + "/epoch-" + std::to_string(e) + ".pt";
                    Statement cp(d, "INSERT INTO checkpoints (run_id, epoch, path, created_at) VALUES (?1, ?2, ?3, 'x')");
                    cp.bind(1, r).bind(2, e).bind(3, recorded).run();
                }
            }
            d.exec("COMMIT");
        }
        const auto movedRows = [&] {
            int n = 0;
            for (const auto& p : recordedPaths(db()))
                n += p.rfind("runs.sqlite.checkpoints/", 0) == 0 ? 1 : 0;
            return n;
        };
        int kills = 0, killedHalfWay = 0, delayMs = 2;
        bool done = false;
        for (int attempt = 0; attempt < 300 && !done; ++attempt) {
            QProcess child;
            const int before = movedRows();
            child.start(kMigrateChild, {QString::fromStdString(db().string())});
            QVERIFY(child.waitForStarted());
            // Random moments, first early, then later and later, so some kills land in the
            // middle of the move and the last run is let finish.
            const int wait = attempt < 250 ? QRandomGenerator::global()->bounded(1, delayMs + 1) : 60000;
            if (child.waitForFinished(wait)) {
                QVERIFY2(child.exitCode() == 0, child.readAllStandardError().constData());
                done = child.readAllStandardOutput().contains("done");
            } else {
                child.kill();
                child.waitForFinished();
                ++kills;
                const int after = movedRows();
                if (after > before && after < kRuns * kEpochs)
                    ++killedHalfWay;
                if (after == before)
                    delayMs += 2;  // killed before it moved anything: wait longer next time
            }
        }
        QVERIFY(done);
        qInfo("killed the migrating process %d times, %d of them with the move half done", kills, killedHalfWay);
        QVERIFY(killedHalfWay > 0);
        const auto paths = recordedPaths(db());
        QCOMPARE(paths.size(), std::size_t{kRuns * kEpochs});
        RunStore store(db());
        for (int r = 1; r <= kRuns; ++r) {
            const auto cps = store.checkpoints(r);
            QCOMPARE(cps.size(), std::size_t{kEpochs});
            for (int e = 1; e <= kEpochs; ++e) {
                const fs::path f = folder / "runs.sqlite.checkpoints" / ("run-" + std::to_string(r)) / ("epoch-" + std::to_string(e) + ".pt");
                QCOMPARE(fs::path(cps[std::size_t(e - 1)].path), f);
                QCOMPARE(readFile(f), "run " + std::to_string(r) + " epoch " + std::to_string(e));
            }
        }
        QVERIFY(!fs::exists(folder / "checkpoints"));  // emptied and removed
    }

    // Killed after a run's files moved but before its rows said so: the next open takes the
    // files at their destination as moved.
    void moveToleratesFilesAlreadyMoved()
    {
        const fs::path folder = m_dir->path().toStdString();
        {
            Database d(db());
            migrate(d, schemaMigrations().first(3));
            d.exec("INSERT INTO runs (id, name, status, created_at, config_json) VALUES (7, 'r', 'failed', 'x', '{}')");
            d.exec("INSERT INTO checkpoints (run_id, epoch, path, created_at) VALUES (7, 1, 'checkpoints/run-7/epoch-1.pt', 'x')");
        }
        writeFile(folder / "runs.sqlite.checkpoints" / "run-7" / "epoch-1.pt", "moved");
        RunStore store(db());
        QCOMPARE(readFile(store.latestCheckpoint(7)->path), std::string("moved"));
        QCOMPARE(recordedPaths(db()), std::vector<std::string>{"runs.sqlite.checkpoints/run-7/epoch-1.pt"});
    }

    void reusedPidIsNotTheOwner()
    {
        // A real, live process that is not the owner: the owner recorded another start time,
        // as a dead owner whose pid the kernel gave to this process would have.
        QProcess other;
        other.start("sleep", {"60"});
        QVERIFY(other.waitForStarted());
        const std::int64_t pid = other.processId();
        const std::int64_t started = processStartTime(pid);
        QVERIFY(started > 0);
        QVERIFY(ownerAlive(pid, started));
        QVERIFY(!ownerAlive(pid, started - 100));
        QVERIFY(ownerAlive(currentPid(), processStartTime(currentPid())));

        std::int64_t id = 0, mine = 0;
        {
            RunStore store(db());
            id = store.createRun("orphan", "{}", 1);
            mine = store.createRun("mine", "{}", 1);
            store.markRunning(id);
            store.markRunning(mine);
        }
        {
            Database d(db());
            Statement s(d, "UPDATE runs SET owner_pid = ?1, owner_started = ?2 WHERE id = ?3");
            s.bind(1, pid).bind(2, started - 100).bind(3, id).run();
        }
        RunStore store(db());
        QCOMPARE(store.interruptedAtOpen(), 1);
        QVERIFY(store.run(id).status == RunStatus::Interrupted);
        QVERIFY(store.run(mine).status == RunStatus::Running);  // this process, same start time
        other.kill();
        other.waitForFinished();
    }

    void readOnlyStoreOpensForViewing()
    {
        const QString source = m_dir->filePath("store");
        const fs::path path = (source + "/runs.sqlite").toStdString();
        std::int64_t id = 0;
        {
            RunStore store(path);
            id = store.createRun("kept", "{}", 1);
            store.appendMetrics(id, {{1, 1, "loss", 0.5}});
            store.addCheckpoint(id, 1, (runCheckpointFolder(path, id) / "epoch-1.pt").string());
            store.finishRun(id, RunStatus::Finished);
        }
        const QString view = m_dir->filePath("view");
        ReadOnlyMount mount(source, view);
        if (!mount.ok())
            QSKIP("cannot make a read-only bind mount here (needs root)");
        const fs::path ro = (view + "/runs.sqlite").toStdString();
        QVERIFY(!storeWritable(ro));
        const QString refused = storeErrorOf([&] { RunStore store(ro, StoreAccess::Write); });
        QVERIFY2(refused.contains("read-only"), qPrintable(refused));
        RunStore store(ro, StoreAccess::View);
        QVERIFY(store.isReadOnly());
        QCOMPARE(store.run(id).name, std::string("kept"));
        QCOMPARE(store.metrics(id).size(), std::size_t{1});
        QCOMPARE(store.checkpoints(id).size(), std::size_t{1});
        const QString edit = storeErrorOf([&] { store.setNotes(id, "x"); });
        QVERIFY2(edit != kNotThrown && edit.contains("read-only"), qPrintable(edit));
        QVERIFY2(!looksLikeSql(edit), qPrintable(edit));
    }

    void fullDiskIsAClearErrorAndLosesNothingStored()
    {
        const QString mountPoint = m_dir->filePath("small");
        QDir().mkpath(mountPoint);
        if (::mount("tmpfs", mountPoint.toLocal8Bit().constData(), "tmpfs", 0, "size=600k") != 0)
            QSKIP("cannot mount a small tmpfs here (needs root)");
        const fs::path path = (mountPoint + "/runs.sqlite").toStdString();
        QString message = kNotThrown;
        std::int64_t id = 0;
        {
            RunStore store(path);
            id = store.createRun("fills", "{}", 1);
            std::vector<MetricRow> rows;
            for (int i = 0; i < 500; ++i)
                rows.push_back({1, i, "a rather long metric name to fill pages " + std::to_string(i), 0.5});
            for (int batch = 0; batch < 200 && message == kNotThrown; ++batch)
                message = storeErrorOf([&] { store.appendMetrics(id, rows); });
        }
        ::umount2(mountPoint.toLocal8Bit().constData(), MNT_DETACH);
        QVERIFY2(message.contains("the disk is full"), qPrintable(message));
        QVERIFY2(!looksLikeSql(message), qPrintable(message));
    }

    void noSqlInMessages()
    {
        RunStore store(db());
        const auto id = store.createRun("a", "{}", 1);
        for (const QString& m : {storeErrorOf([&] { store.createRun("b", "{}", 1, 999); }),
                                 storeErrorOf([&] { store.finishRun(id, RunStatus::Running); }),
                                 storeErrorOf([&] { store.appendMetrics(999, {{1, 1, "x", 1.0}}); })}) {
            QVERIFY(m != kNotThrown);
            QVERIFY2(!looksLikeSql(m), qPrintable(m));
        }
        // A constraint SQLite would describe by quoting the schema.
        Database d(db());
        const QString check = storeErrorOf([&] { Statement(d, "UPDATE runs SET status = 'bogus'").run(); });
        QVERIFY2(check.contains("outside what the store allows"), qPrintable(check));
        QVERIFY2(!looksLikeSql(check), qPrintable(check));
    }

private:
    fs::path db() const { return m_dir->filePath("runs.sqlite").toStdString(); }
    QString file() const { return QString::fromStdString(db().string()); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

QTEST_GUILESS_MAIN(TestStoreTrust)
#include "test_store_trust.moc"
