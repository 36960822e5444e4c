// RunStore: read-only queries.
#include "store/run_store.h"

#include "common/errors.h"
#include "store/checkpoint_location.h"
#include "store/statement.h"

#include <algorithm>
#include <cctype>

// Column list shared by every query that returns whole runs; readRun() follows its order.
#define SCNS_RUN_COLUMNS                                                                       \
    "id, name, status, created_at, started_at, finished_at, config_json, seed, "               \
    "program_version, host, owner_pid, message, parent_run_id, notes, tags, uid"

namespace scns {

namespace {

std::int64_t optionalId(const Statement& stmt, int column)
{
    return stmt.isNull(column) ? 0 : stmt.columnInt64(column);
}

RunRecord readRun(const Statement& stmt)
{
    RunRecord r;
    r.id = stmt.columnInt64(0);
    r.name = stmt.columnText(1);
    r.status = runStatusFromString(stmt.columnText(2));
    r.createdAt = stmt.columnText(3);
    r.startedAt = stmt.columnText(4);
    r.finishedAt = stmt.columnText(5);
    r.configJson = stmt.columnText(6);
    r.seed = optionalId(stmt, 7);
    r.programVersion = stmt.columnText(8);
    r.host = stmt.columnText(9);
    r.ownerPid = optionalId(stmt, 10);
    r.message = stmt.columnText(11);
    r.parentRunId = optionalId(stmt, 12);
    r.notes = stmt.columnText(13);
    r.tags = stmt.columnText(14);
    r.uid = stmt.columnText(15);
    return r;
}

MetricRow readMetric(const Statement& stmt)
{
    return MetricRow{stmt.columnInt64(0), stmt.columnInt64(1), stmt.columnText(2), stmt.columnDouble(3),
                     stmt.columnDouble(4)};
}

// Recorded paths are relative to the store's folder; callers get them absolute.
CheckpointRecord readCheckpoint(const Statement& stmt, const std::filesystem::path& storeFolder)
{
    const std::int64_t runId = stmt.columnInt64(1);
    return CheckpointRecord{stmt.columnInt64(0), runId, stmt.columnInt64(2),
                            resolveCheckpointPath(storeFolder, runId, stmt.columnText(3)).string(), stmt.columnText(4)};
}

bool isDecimalId(const std::string& text)
{
    return !text.empty() && text.size() <= 18 &&
           std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

}  // namespace

RunRecord RunStore::run(std::int64_t runId) const
{
    Statement select(m_db, "SELECT " SCNS_RUN_COLUMNS " FROM runs WHERE id = ?1");
    select.bind(1, runId);
    if (!select.step())
        throwNoRun(runId);
    return readRun(select);
}

RunRecord RunStore::resolveRun(const std::string& idOrName) const
{
    if (isDecimalId(idOrName)) {
        Statement select(m_db, "SELECT " SCNS_RUN_COLUMNS " FROM runs WHERE id = ?1");
        select.bind(1, static_cast<std::int64_t>(std::stoll(idOrName)));
        if (select.step())
            return readRun(select);
    }
    Statement select(m_db, "SELECT " SCNS_RUN_COLUMNS " FROM runs WHERE name = ?1 ORDER BY id");
    select.bind(1, idOrName);
    std::vector<RunRecord> found;
    while (select.step())
        found.push_back(readRun(select));
    if (found.size() == 1)
        return found.front();
    if (found.empty())
        throw StoreError("no run with id or name '" + idOrName + "' in " + m_db.path().string());
    std::string ids;
    for (const RunRecord& r : found)
        ids += (ids.empty() ? "" : ", ") + std::to_string(r.id);
    throw StoreError(m_db.path().string() + ": the name '" + idOrName + "' is shared by runs " + ids +
                     "; use an id");
}

std::vector<RunRecord> RunStore::listRuns() const
{
    // Ids grow with every insert, so they order runs by creation even when clocks jump.
    Statement select(m_db, "SELECT " SCNS_RUN_COLUMNS " FROM runs ORDER BY id DESC");
    std::vector<RunRecord> runs;
    while (select.step())
        runs.push_back(readRun(select));
    return runs;
}

std::vector<MetricRow> RunStore::metrics(std::int64_t runId) const
{
    Statement select(m_db, "SELECT epoch, step, name, value, wall_time FROM metrics WHERE run_id = ?1 "
                           "ORDER BY step, name, rowid");
    select.bind(1, runId);
    std::vector<MetricRow> rows;
    while (select.step())
        rows.push_back(readMetric(select));
    return rows;
}

std::vector<MetricRow> RunStore::metrics(std::int64_t runId, const std::string& name) const
{
    Statement select(m_db, "SELECT epoch, step, name, value, wall_time FROM metrics WHERE run_id = ?1 AND name = ?2 "
                           "ORDER BY step, rowid");
    select.bind(1, runId).bind(2, name);
    std::vector<MetricRow> rows;
    while (select.step())
        rows.push_back(readMetric(select));
    return rows;
}

namespace {

// Column 0: a run id; column 1: one value of metric ?1 for that run, or NULL when it has none.
std::map<std::int64_t, double> valuePerRun(Database& db, const char* sql, const std::string& name)
{
    Statement select(db, sql);
    select.bind(1, name);
    std::map<std::int64_t, double> out;
    while (select.step())
        if (!select.isNull(1))
            out.emplace(select.columnInt64(0), select.columnDouble(1));
    return out;
}

}  // namespace

std::map<std::int64_t, double> RunStore::lastValues(const std::string& name) const
{
    // One index seek per run (metrics_run_name_step), not a scan of every row of the metric.
    return valuePerRun(m_db,
                       "SELECT id, (SELECT value FROM metrics WHERE run_id = runs.id AND name = ?1 "
                       "ORDER BY step DESC, rowid DESC LIMIT 1) FROM runs",
                       name);
}

std::map<std::int64_t, double> RunStore::maxValues(const std::string& name) const
{
    // Per run, the rows of one metric through the (run_id, name, step) index.
    return valuePerRun(m_db, "SELECT id, (SELECT MAX(value) FROM metrics WHERE run_id = runs.id AND name = ?1) FROM runs",
                       name);
}

std::optional<std::int64_t> RunStore::runOfCheckpoint(const std::filesystem::path& path) const
{
    if (path.empty())
        return std::nullopt;
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(path, ec);
    if (ec)
        return std::nullopt;
    Statement select(m_db, "SELECT run_id FROM checkpoints WHERE path = ?1 ORDER BY id DESC LIMIT 1");
    select.bind(1, recordedCheckpointPath(m_storeFolder, absolute.lexically_normal()));
    if (!select.step())
        return std::nullopt;
    return select.columnInt64(0);
}

std::optional<double> RunStore::firstMetricWallTime(std::int64_t runId) const
{
    // MIN over the (run_id, name, step) index's run part; NULLs (older rows) are skipped.
    Statement select(m_db, "SELECT MIN(wall_time) FROM metrics WHERE run_id = ?1");
    select.bind(1, runId);
    if (!select.step() || select.isNull(0))
        return std::nullopt;
    return select.columnDouble(0);
}

std::vector<std::string> RunStore::metricNames(std::int64_t runId) const
{
    Statement select(m_db, "SELECT DISTINCT name FROM metrics WHERE run_id = ?1 ORDER BY name");
    select.bind(1, runId);
    std::vector<std::string> names;
    while (select.step())
        names.push_back(select.columnText(0));
    return names;
}

std::optional<CheckpointRecord> RunStore::latestCheckpoint(std::int64_t runId) const
{
    Statement select(m_db, "SELECT id, run_id, epoch, path, created_at FROM checkpoints "
                           "WHERE run_id = ?1 ORDER BY epoch DESC, id DESC LIMIT 1");
    select.bind(1, runId);
    if (!select.step())
        return std::nullopt;
    return readCheckpoint(select, m_storeFolder);
}

std::vector<CheckpointRecord> RunStore::checkpoints(std::int64_t runId) const
{
    Statement select(m_db, "SELECT id, run_id, epoch, path, created_at FROM checkpoints "
                           "WHERE run_id = ?1 ORDER BY epoch, id");
    select.bind(1, runId);
    std::vector<CheckpointRecord> rows;
    while (select.step())
        rows.push_back(readCheckpoint(select, m_storeFolder));
    return rows;
}

}  // namespace scns
