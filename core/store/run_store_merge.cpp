// RunStore: importing the runs of another store (scns merge; shard stores of a cluster sweep).
#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "store/checkpoint_location.h"
#include "store/run_store.h"
#include "store/statement.h"
#include "store/transaction.h"

#include <map>

namespace scns {

namespace {

// ATTACH and DETACH cannot run inside a transaction: one scope for the attached shard.
class AttachedShard {
public:
    AttachedShard(Database& db, const std::filesystem::path& shard) : m_db(db)
    {
        Statement attach(db, "ATTACH DATABASE ?1 AS shard");
        attach.bind(1, shard.string());
        attach.run();
    }
    ~AttachedShard()
    {
        try {
            m_db.exec("DETACH DATABASE shard");
        } catch (...) {}
    }
    AttachedShard(const AttachedShard&) = delete;
    AttachedShard& operator=(const AttachedShard&) = delete;

private:
    Database& m_db;
};

// distill.teacher.run_id of a configuration, remapped through `ids`; the text unchanged when
// it names no run of the shard (or is not JSON, which the run's own checks report later).
std::string remapTeacherRun(const std::string& configJson, const std::map<std::int64_t, std::int64_t>& ids)
{
    nlohmann::json j = nlohmann::json::parse(configJson, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return configJson;
    const auto distill = j.find("distill");
    if (distill == j.end() || !distill->is_object() || !distill->contains("teacher"))
        return configJson;
    nlohmann::json& teacher = (*distill)["teacher"];
    if (!teacher.is_object() || !teacher.contains("run_id") || !teacher["run_id"].is_number_integer())
        return configJson;
    const auto it = ids.find(teacher["run_id"].get<std::int64_t>());
    if (it == ids.end())
        return configJson;
    teacher["run_id"] = it->second;
    return j.dump(2);
}

// distill.teacher.weights of a configuration, or empty.
std::string teacherWeights(const std::string& configJson)
{
    const nlohmann::json j = nlohmann::json::parse(configJson, nullptr, false);
    const nlohmann::json* w = nullptr;
    if (!j.is_discarded() && j.is_object() && j.contains("distill") && j["distill"].is_object()
        && j["distill"].contains("teacher") && j["distill"]["teacher"].is_object())
        if (const auto it = j["distill"]["teacher"].find("weights"); it != j["distill"]["teacher"].end())
            w = &*it;
    return w && w->is_string() ? w->get<std::string>() : std::string();
}

}  // namespace

RunStore::MergeReport RunStore::mergeFrom(const std::filesystem::path& shard)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(shard, ec))
        throw StoreError(shard.string() + ": no such store file");
    const std::filesystem::path shardPath = std::filesystem::absolute(shard).lexically_normal();
    if (shardPath == std::filesystem::absolute(m_db.path()).lexically_normal())
        throw StoreError(shard.string() + ": is the store merged into");
    {
        // Brings an older shard's schema up to date (uids included), read-only shards as they are.
        RunStore check(shardPath);
        if (check.isReadOnly()) {
            Database probe(shardPath, OpenMode::ReadOnly);
            if (probe.userVersion() < 7)
                throw StoreError(shard.string()
                                 + ": written by an older scns and read-only here; copy it somewhere "
                                   "writable (its schema is brought up to date), then merge the copy");
        }
    }
    MergeReport report;
    AttachedShard attached(m_db, shardPath);
    Transaction tx(m_db);

    // Which shard runs are here already (by uid), and which are new.
    struct ShardRun {
        std::int64_t id = 0, parent = 0;
        std::string status, configJson;
    };
    std::vector<ShardRun> fresh;
    std::map<std::int64_t, std::int64_t> ids;  // shard id -> id here
    {
        Statement select(m_db,
                         "SELECT s.id, s.status, s.parent_run_id, s.config_json, r.id FROM shard.runs s "
                         "LEFT JOIN main.runs r ON r.uid = s.uid ORDER BY s.id");
        while (select.step()) {
            const std::int64_t id = select.columnInt64(0);
            const std::string status = select.columnText(1);
            if (!select.isNull(4)) {
                ids[id] = select.columnInt64(4);
                report.alreadyHere.push_back(id);
            } else if (status == "queued" || status == "running") {
                report.notImported.push_back("run " + std::to_string(id) + " is " + status);
            } else {
                fresh.push_back({id, select.isNull(2) ? 0 : select.columnInt64(2), status, select.columnText(3)});
            }
        }
    }
    // The runs themselves, with new ids; ids are never reused (schema version 4's counter).
    for (const ShardRun& run : fresh) {
        std::int64_t id = 0;
        {
            Statement next(m_db,
                           "SELECT MAX(COALESCE((SELECT value FROM id_counters WHERE name = 'runs'), 0), "
                           "COALESCE((SELECT MAX(id) FROM main.runs), 0)) + 1");
            next.step();
            id = next.columnInt64(0);
        }
        Statement insert(m_db,
                         "INSERT INTO main.runs (id, name, status, created_at, started_at, finished_at, "
                         "config_json, seed, program_version, host, owner_pid, message, parent_run_id, notes, "
                         "tags, owner_started, uid) "
                         "SELECT ?1, name, status, created_at, started_at, finished_at, config_json, seed, "
                         "program_version, host, owner_pid, message, NULL, notes, tags, owner_started, uid "
                         "FROM shard.runs WHERE id = ?2");
        insert.bind(1, id).bind(2, run.id);
        insert.run();
        ids[run.id] = id;
        report.imported.emplace_back(run.id, id);
    }
    // Links and everything recorded, now that every new id is known.
    for (const ShardRun& run : fresh) {
        const std::int64_t id = ids.at(run.id);
        Statement link(m_db, "UPDATE main.runs SET parent_run_id = ?2, config_json = ?3 WHERE id = ?1");
        link.bind(1, id);
        // A student trained in another shard than its teacher names the teacher by its weights
        // file: once both are here, that file's run is its parent.
        if (run.parent > 0 && ids.count(run.parent))
            link.bind(2, ids.at(run.parent));
        else
            link.bindNull(2);
        link.bind(3, remapTeacherRun(run.configJson, ids));
        link.run();
        const std::vector<std::string> copies = {
            "INSERT INTO main.metrics (run_id, epoch, step, name, value, wall_time) "
            "SELECT ?1, epoch, step, name, value, wall_time FROM shard.metrics WHERE run_id = ?2 ORDER BY rowid",
            "INSERT INTO main.class_similarity (run_id, epoch, source, class_names, matrix, created_at) "
            "SELECT ?1, epoch, source, class_names, matrix, created_at FROM shard.class_similarity WHERE run_id = ?2 "
            "ORDER BY id",
            "INSERT INTO main.probe_negatives (run_id, epoch, anchor_index, anchor_class, slot, kind, sample_index, "
            "sample_class, similarity, from_topk, source_a, source_b, lambda) "
            "SELECT ?1, epoch, anchor_index, anchor_class, slot, kind, sample_index, sample_class, similarity, "
            "from_topk, source_a, source_b, lambda FROM shard.probe_negatives WHERE run_id = ?2 ORDER BY rowid",
            "INSERT INTO main.test_confusion (run_id, epoch, class_names, counts, created_at) "
            "SELECT ?1, epoch, class_names, counts, created_at FROM shard.test_confusion WHERE run_id = ?2 "
            "ORDER BY id"};
        for (const std::string& sql : copies) {
            Statement copy(m_db, sql);
            copy.bind(1, id).bind(2, run.id);
            copy.run();
        }
        // Checkpoint files stay in the shard's folder; recorded as this store records paths
        // (relative when the shard lies inside this store's folder), so that the run a
        // teacher's weights file came from is found by that file.
        Statement files(m_db, "SELECT epoch, path, created_at FROM shard.checkpoints WHERE run_id = ?1 ORDER BY id");
        files.bind(1, run.id);
        while (files.step()) {
            const std::filesystem::path file =
                resolveCheckpointPath(shardPath.parent_path(), run.id, files.columnText(1)).lexically_normal();
            Statement insert(m_db,
                             "INSERT INTO main.checkpoints (run_id, epoch, path, created_at) VALUES (?1, ?2, ?3, ?4)");
            insert.bind(1, id).bind(2, files.columnInt64(0)).bind(3, recordedCheckpointPath(m_storeFolder, file));
            insert.bind(4, files.columnText(2));
            insert.run();
        }
    }
    // A student trained in another shard than its teacher names the teacher by its weights file:
    // once both are here, whichever shard came first, that file's run is its parent.
    {
        std::vector<std::pair<std::int64_t, std::int64_t>> links;
        Statement orphans(m_db, "SELECT id, config_json FROM main.runs WHERE parent_run_id IS NULL");
        while (orphans.step())
            if (const std::string weights = teacherWeights(orphans.columnText(1)); !weights.empty())
                if (const auto teacher = runOfCheckpoint(weights); teacher && *teacher != orphans.columnInt64(0))
                    links.emplace_back(orphans.columnInt64(0), *teacher);
        for (const auto& [student, teacher] : links) {
            Statement link(m_db, "UPDATE main.runs SET parent_run_id = ?2 WHERE id = ?1");
            link.bind(1, student).bind(2, teacher);
            link.run();
        }
    }
    tx.commit();
    return report;
}

}  // namespace scns
