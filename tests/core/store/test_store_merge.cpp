// Merging shard stores (scns merge; one store per cluster task): finished and stopped runs
// arrive with every row they recorded, once; parent and teacher links follow the new ids;
// checkpoints are referenced where they lie; queued and running runs stay out; merging the same
// shard again changes nothing; a shard that is not a store is refused with its name.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "store/database.h"
#include "store/migrations.h"
#include "store/run_store.h"
#include "store/statement.h"

using namespace scns;

namespace {

// Rows per table of a store, the run rows included.
std::map<std::string, std::int64_t> rowCounts(const std::filesystem::path& db)
{
    Database d(db, OpenMode::ReadOnly);
    std::map<std::string, std::int64_t> out;
    for (const char* table :
         {"runs", "metrics", "checkpoints", "class_similarity", "probe_negatives", "test_confusion"}) {
        Statement count(d, std::string("SELECT count(*) FROM ") + table);
        count.step();
        out[table] = count.columnInt64(0);
    }
    return out;
}

}  // namespace

class TestStoreMerge : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::filesystem::path path(const char* name) const { return m_dir.filePath(name).toStdString(); }

    // A shard as a cluster task leaves it: a teacher, its student (parent and teacher run id),
    // and a run still queued.
    struct Shard {
        std::int64_t teacher = 0, student = 0, queued = 0;
        std::string teacherUid;
        std::filesystem::path checkpoint;
    };
    Shard makeShard(const std::filesystem::path& file)
    {
        Shard s;
        RunStore store(file, StoreAccess::Write);
        s.teacher = store.createRun("teacher", R"({"model": {"arch": "small-cnn"}})", 1);
        store.markRunning(s.teacher);
        store.appendMetrics(s.teacher,
                            {{1, 10, "train/loss", 1.5}, {1, 10, "test/top1", 70.0}, {2, 20, "test/top1", 80.0}});
        store.addClassSimilarity(s.teacher, 0, "wordnet", {"a", "b"}, {1.f, .5f, .5f, 1.f});
        ProbeNegativeRow probe;
        probe.epoch = 1;
        probe.sampleIndex = 7;
        store.appendProbeNegatives(s.teacher, {probe, probe});
        store.addTestConfusion(s.teacher, 1, {"a", "b"}, {3, 1, 0, 4});
        std::filesystem::create_directories(file.string() + ".checkpoints/run-1");
        s.checkpoint = file.string() + ".checkpoints/run-1/epoch-2.pt";
        std::ofstream(s.checkpoint) << "weights";
        store.addCheckpoint(s.teacher, 2, s.checkpoint.string());
        store.finishRun(s.teacher, RunStatus::Finished, "test top-1 80%");
        store.updateDetails(s.teacher, "teacher", "sweep", "a note");
        s.student = store.createRun(
            "student", nlohmann::json{{"distill", {{"method", "kd"}, {"teacher", {{"run_id", s.teacher}}}}}}.dump(), 2,
            s.teacher);
        store.markRunning(s.student);
        store.appendMetrics(s.student, {{1, 5, "test/top1", 60.0}});
        store.finishRun(s.student, RunStatus::Interrupted, "time limit");
        s.queued = store.createRun("later", "{}", 3);
        s.teacherUid = store.run(s.teacher).uid;
        return s;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void runsArriveOnceWithEverythingAndLinksFollow()
    {
        const Shard shard = makeShard(path("task-0.sqlite"));
        const auto target = path("all.sqlite");
        std::int64_t existing = 0;
        {
            RunStore store(target, StoreAccess::Write);
            existing = store.createRun("here before", "{}", 0);  // the shard's ids are taken here
        }
        RunStore store(target, StoreAccess::Write);
        const auto report = store.mergeFrom(path("task-0.sqlite"));
        QCOMPARE(report.imported.size(), std::size_t{2});
        QCOMPARE(report.notImported.size(), std::size_t{1});
        QVERIFY(QString::fromStdString(report.notImported.front()).contains("is queued"));
        std::map<std::int64_t, std::int64_t> ids(report.imported.begin(), report.imported.end());
        const std::int64_t teacher = ids.at(shard.teacher), student = ids.at(shard.student);
        QVERIFY(teacher != existing && student != existing && teacher != shard.teacher);

        const RunRecord t = store.run(teacher);
        QCOMPARE(t.uid, shard.teacherUid);
        QCOMPARE(t.uid.size(), std::size_t{32});
        QCOMPARE(toString(t.status), std::string("finished"));
        QCOMPARE(t.tags, std::string("sweep"));
        QCOMPARE(t.notes, std::string("a note"));
        QCOMPARE(store.metrics(teacher).size(), std::size_t{3});
        QCOMPARE(store.metrics(teacher, "test/top1").back().value, 80.0);
        QCOMPARE(store.classSimilarities(teacher).size(), std::size_t{1});
        QCOMPARE(store.probeNegatives(teacher).size(), std::size_t{2});
        QCOMPARE(store.testConfusions(teacher).front().counts, (std::vector<std::int64_t>{3, 1, 0, 4}));
        const auto ckpt = store.latestCheckpoint(teacher);
        QVERIFY(ckpt);
        QCOMPARE(std::filesystem::path(ckpt->path), std::filesystem::absolute(shard.checkpoint).lexically_normal());
        QVERIFY(std::filesystem::exists(ckpt->path));

        const RunRecord s = store.run(student);
        QCOMPARE(toString(s.status), std::string("interrupted"));
        QCOMPARE(s.parentRunId, teacher);
        QCOMPARE(nlohmann::json::parse(s.configJson)["distill"]["teacher"]["run_id"].get<std::int64_t>(), teacher);
        QCOMPARE(store.metrics(student).size(), std::size_t{1});
    }

    void mergingAgainChangesNothing()
    {
        const auto target = path("all.sqlite");
        const auto before = rowCounts(target);
        RunStore store(target, StoreAccess::Write);
        const auto report = store.mergeFrom(path("task-0.sqlite"));
        QVERIFY(report.imported.empty());
        QCOMPARE(report.alreadyHere.size(), std::size_t{2});
        QCOMPARE(rowCounts(target), before);
        QVERIFY(before.at("metrics") >= 4);
    }

    // A sweep's teacher and students run in different tasks: the students name the teacher by
    // its weights file in the teacher's shard. Merged in either order, the link is made.
    void aStudentOfAnotherShardFindsItsTeacher()
    {
        const auto teacherShard = path("teacher-task.sqlite"), studentShard = path("student-task.sqlite");
        const Shard t = makeShard(teacherShard);
        std::int64_t student = 0;
        {
            RunStore store(studentShard, StoreAccess::Write);
            student = store.createRun(
                "student",
                nlohmann::json{{"distill", {{"method", "kd"}, {"teacher", {{"weights", t.checkpoint.string()}}}}}}
                    .dump(),
                0);
            QCOMPARE(store.run(student).parentRunId, std::int64_t{0});  // the teacher is not in this store
            store.markRunning(student);
            store.finishRun(student, RunStatus::Finished);
        }
        RunStore store(path("linked.sqlite"), StoreAccess::Write);
        const auto s = store.mergeFrom(studentShard);  // the student first
        const auto tr = store.mergeFrom(teacherShard);
        const std::map<std::int64_t, std::int64_t> sid(s.imported.begin(), s.imported.end()),
            tid(tr.imported.begin(), tr.imported.end());
        QCOMPARE(store.run(sid.at(student)).parentRunId, tid.at(t.teacher));
    }

    void whatIsNotAStoreIsRefusedByName()
    {
        RunStore store(path("all.sqlite"), StoreAccess::Write);
        QVERIFY_THROWS_EXCEPTION(StoreError, store.mergeFrom(path("missing.sqlite")));
        std::ofstream(path("notes.txt")) << "not a database, just text that is long enough to be read as a header";
        try {
            store.mergeFrom(path("notes.txt"));
            QFAIL("a text file was merged");
        } catch (const StoreError& e) {
            QVERIFY2(QString(e.what()).contains("notes.txt"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(StoreError, store.mergeFrom(path("all.sqlite")));  // itself
    }

    void everyRunHasAUniqueUidOldRunsToo()
    {
        {
            // A store of schema version 6 with two runs, as an older scns left it.
            Database d(path("v6.sqlite"));
            migrate(d, schemaMigrations().first(6));
            d.exec("INSERT INTO runs (name, status, created_at, config_json) VALUES ('old1', 'finished', 'x', '{}'), "
                   "('old2', 'finished', 'x', '{}')");
        }
        RunStore a(path("v6.sqlite"), StoreAccess::Write);
        const auto x = a.createRun("new", "{}", 0);
        std::set<std::string> uids;
        for (const RunRecord& r : a.listRuns()) {
            QVERIFY2(QString::fromStdString(r.uid).contains(QRegularExpression("^[0-9a-f]{32}$")), r.uid.c_str());
            uids.insert(r.uid);
        }
        QCOMPARE(uids.size(), std::size_t{3});
        QVERIFY(uids.count(a.run(x).uid));
    }
};

QTEST_GUILESS_MAIN(TestStoreMerge)
#include "test_store_merge.moc"
