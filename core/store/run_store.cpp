// RunStore: opening, the run life cycle and edits. Queries are in run_store_queries.cpp.
#include "store/run_store.h"

#include "common/errors.h"
#include "store/checkpoint_location.h"
#include "store/migrations.h"
#include "store/process_info.h"
#include "store/statement.h"
#include "store/transaction.h"

#ifndef SCNS_VERSION
#define SCNS_VERSION "unknown"
#endif

namespace scns {

namespace {

// 0 means "none" in the C++ records and NULL in the database.
void bindOptionalId(Statement& stmt, int index, std::int64_t value)
{
    if (value == 0)
        stmt.bindNull(index);
    else
        stmt.bind(index, value);
}

void bindOptionalText(Statement& stmt, int index, const std::string& value)
{
    if (value.empty())
        stmt.bindNull(index);
    else
        stmt.bind(index, value);
}

}  // namespace

RunStore::RunStore(const std::filesystem::path& path, StoreAccess access)
    : m_host(hostName()), m_storeFolder(storeFolder(path))
{
    if (!storeWritable(path)) {
        if (access == StoreAccess::Write) {
            throw StoreError(path.string() + ": the run store is read-only (the file or its folder cannot be "
                                             "written); it can be viewed (scns runs, show, export; the workbench) "
                                             "but not changed");
        }
        openReadOnly(path);
        return;
    }
    m_db.open(path);
    migrate(m_db);
    m_interruptedAtOpen = markInterruptedRuns();
}

void RunStore::openReadOnly(const std::filesystem::path& path)
{
    m_db.open(path, OpenMode::ReadOnly);
    // Nothing can be migrated here. Versions from 3 on have every table viewing reads (later
    // ones add columns and tables only writers use).
    constexpr int kOldestViewable = 3;
    const int version = m_db.userVersion();
    checkSchemaVersion(m_db, version, latestSchemaVersion());
    if (version < kOldestViewable) {
        throw StoreError(path.string() + ": the run store is read-only and at schema version " + std::to_string(version) +
                         ", which this program can view only after upgrading it; open it once where it can be written");
    }
}

void RunStore::throwNoRun(std::int64_t runId) const
{
    throw StoreError("no run with id " + std::to_string(runId) + " in " + m_db.path().string());
}

int RunStore::markInterruptedRuns()
{
    // Look without the write lock first: usually nothing is orphaned. The update re-checks
    // the status, so a run finished meanwhile by its owner is not touched.
    if (m_db.isReadOnly())
        return 0;
    std::vector<std::int64_t> ids, pids;
    {
        Statement select(m_db, "SELECT id, owner_pid, owner_started FROM runs WHERE status = 'running' AND host = ?1");
        select.bind(1, m_host);
        while (select.step()) {
            const std::int64_t pid = select.isNull(1) ? 0 : select.columnInt64(1);
            const std::int64_t started = select.isNull(2) ? 0 : select.columnInt64(2);
            // A live process with the owner's pid but another start time got a dead owner's pid.
            if (!ownerAlive(pid, started)) {
                ids.push_back(select.columnInt64(0));
                pids.push_back(pid);
            }
        }
    }
    if (ids.empty())
        return 0;
    Transaction tx(m_db);
    Statement update(m_db,
                     "UPDATE runs SET status = 'interrupted', "
                     "finished_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), message = ?2 "
                     "WHERE id = ?1 AND status = 'running'");
    int count = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        update.bind(1, ids[i]);
        update.bind(2, "process " + std::to_string(pids[i]) + " ended while the run was running");
        update.run();
        count += m_db.changes();
        update.reset();
    }
    tx.commit();
    return count;
}

bool RunStore::hasRun(std::int64_t runId) const
{
    Statement select(m_db, "SELECT 1 FROM runs WHERE id = ?1");
    select.bind(1, runId);
    return select.step();
}

void RunStore::requireRun(std::int64_t runId) const
{
    if (!hasRun(runId))
        throwNoRun(runId);
}

std::int64_t RunStore::createRun(const std::string& name, const std::string& configJson,
                                 std::int64_t seed, std::int64_t parentRunId)
{
    if (name.empty())
        throw StoreError(m_db.path().string() + ": a run needs a non-empty name");
    Transaction tx(m_db);
    if (parentRunId != 0)
        requireRun(parentRunId);  // a clear "no run with id" instead of a foreign-key failure
    // Never an id given before, even to a run deleted since: its checkpoint folder, exports
    // and notes elsewhere still name it. id_counters keeps the highest id ever given.
    std::int64_t id = 0;
    {
        Statement next(m_db, "SELECT MAX(COALESCE((SELECT value FROM id_counters WHERE name = 'runs'), 0), "
                             "COALESCE((SELECT MAX(id) FROM runs), 0)) + 1");
        next.step();
        id = next.columnInt64(0);
    }
    Statement insert(m_db,
                     "INSERT INTO runs (id, name, status, created_at, config_json, seed, "
                     "program_version, host, parent_run_id, uid) "
                     "VALUES (?7, ?1, 'queued', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?2, ?3, ?4, ?5, ?6, "
                     "lower(hex(randomblob(16))))");
    insert.bind(1, name).bind(2, configJson).bind(3, seed).bind(4, SCNS_VERSION).bind(7, id);
    bindOptionalText(insert, 5, m_host);
    bindOptionalId(insert, 6, parentRunId);
    insert.run();
    tx.commit();
    return id;
}

void RunStore::markRunning(std::int64_t runId)
{
    Statement update(m_db,
                     "UPDATE runs SET status = 'running', "
                     "started_at = COALESCE(started_at, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')), "
                     "finished_at = NULL, message = NULL, owner_pid = ?2, host = ?3, owner_started = ?4 "
                     "WHERE id = ?1");
    update.bind(1, runId).bind(2, currentPid());
    bindOptionalId(update, 4, processStartTime(currentPid()));
    bindOptionalText(update, 3, m_host);
    update.run();
    if (m_db.changes() == 0)
        throwNoRun(runId);
}

void RunStore::finishRun(std::int64_t runId, RunStatus status, const std::string& message)
{
    if (!isFinal(status)) {
        throw StoreError(m_db.path().string() + ": cannot finish run " + std::to_string(runId) +
                         " with status " + toString(status) + "; expected a final status");
    }
    Statement update(m_db,
                     "UPDATE runs SET status = ?2, "
                     "finished_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), message = ?3 WHERE id = ?1");
    update.bind(1, runId).bind(2, toString(status));
    bindOptionalText(update, 3, message);
    update.run();
    if (m_db.changes() == 0)
        throwNoRun(runId);
}

void RunStore::appendMetrics(std::int64_t runId, const std::vector<MetricRow>& rows)
{
    if (rows.empty())
        return;
    Transaction tx(m_db);
    requireRun(runId);
    Statement insert(m_db, "INSERT INTO metrics (run_id, epoch, step, name, value, wall_time) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    for (const MetricRow& row : rows) {
        insert.bind(1, runId).bind(2, row.epoch).bind(3, row.step).bind(4, row.name).bind(5, row.value);
        insert.bind(6, row.wallTime);  // NaN (unknown) is stored as NULL
        insert.run();
        insert.reset();
    }
    tx.commit();
}

void RunStore::deleteRecordsAfterEpoch(std::int64_t runId, std::int64_t epoch)
{
    Transaction tx(m_db);
    requireRun(runId);
    for (const char* sql : {"DELETE FROM metrics WHERE run_id = ?1 AND epoch > ?2",
                            "DELETE FROM class_similarity WHERE run_id = ?1 AND epoch > ?2",
                            "DELETE FROM probe_negatives WHERE run_id = ?1 AND epoch > ?2",
                            "DELETE FROM test_confusion WHERE run_id = ?1 AND epoch > ?2"}) {
        Statement erase(m_db, sql);
        erase.bind(1, runId).bind(2, epoch);
        erase.run();
    }
    tx.commit();
}

void RunStore::addCheckpoint(std::int64_t runId, std::int64_t epoch, const std::string& path)
{
    requireRun(runId);
    Statement insert(m_db,
                     "INSERT INTO checkpoints (run_id, epoch, path, created_at) "
                     "VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))");
    // Relative to the store's folder: the store and its checkpoint folder move together, and
    // a store opened from another working folder still finds them.
    insert.bind(1, runId).bind(2, epoch).bind(3, recordedCheckpointPath(m_storeFolder, path));
    insert.run();
}

void RunStore::updateText(std::int64_t runId, const char* sql, const std::string& value)
{
    Statement update(m_db, sql);
    update.bind(1, runId);
    bindOptionalText(update, 2, value);
    update.run();
    if (m_db.changes() == 0)
        throwNoRun(runId);
}

void RunStore::renameRun(std::int64_t runId, const std::string& name)
{
    if (name.empty())
        throw StoreError(m_db.path().string() + ": a run needs a non-empty name");
    updateText(runId, "UPDATE runs SET name = ?2 WHERE id = ?1", name);
}

void RunStore::setNotes(std::int64_t runId, const std::string& notes)
{
    updateText(runId, "UPDATE runs SET notes = ?2 WHERE id = ?1", notes);
}

void RunStore::setTags(std::int64_t runId, const std::string& tags)
{
    updateText(runId, "UPDATE runs SET tags = ?2 WHERE id = ?1", tags);
}

void RunStore::updateDetails(std::int64_t runId, const std::string& name, const std::string& tags,
                             const std::string& notes)
{
    if (name.empty())
        throw StoreError(m_db.path().string() + ": a run needs a non-empty name");
    Statement update(m_db, "UPDATE runs SET name = ?2, tags = ?3, notes = ?4 WHERE id = ?1");
    update.bind(1, runId).bind(2, name);
    bindOptionalText(update, 3, tags);
    bindOptionalText(update, 4, notes);
    update.run();
    if (m_db.changes() == 0)
        throwNoRun(runId);
}

void RunStore::deleteRun(std::int64_t runId)
{
    Transaction tx(m_db);
    if (run(runId).status == RunStatus::Running) {
        throw StoreError(m_db.path().string() + ": run " + std::to_string(runId) +
                         " is running; stop it before deleting it");
    }
    Statement remove(m_db, "DELETE FROM runs WHERE id = ?1");
    remove.bind(1, runId);
    remove.run();
    tx.commit();
}

}  // namespace scns
