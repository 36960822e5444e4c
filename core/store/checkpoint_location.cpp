#include "store/checkpoint_location.h"

#include "common/errors.h"
#include "store/database.h"
#include "store/statement.h"
#include "store/transaction.h"

#include <system_error>
#include <vector>

namespace scns {

namespace fs = std::filesystem;

namespace {

bool isInside(const fs::path& relative)
{
    if (relative.empty() || relative.is_absolute())
        return false;
    const auto first = *relative.begin();
    return first != ".." && first != ".";
}

fs::path legacyFolder(const fs::path& folder, std::int64_t runId)
{
    return folder / "checkpoints" / ("run-" + std::to_string(runId));
}

struct Row {
    std::int64_t id = 0;
    std::string path;
};

// Moves src to dst. Same file system: one rename. Across file systems: copy to
// dst.partial, rename into place; the caller removes src once the rows say dst.
// Returns true when src must still be removed.
bool moveFile(const fs::path& src, const fs::path& dst)
{
    std::error_code ec;
    fs::create_directories(dst.parent_path(), ec);
    if (ec)
        throw StoreError(dst.parent_path().string() + ": cannot create the checkpoint folder: " + ec.message());
    fs::rename(src, dst, ec);
    if (!ec)
        return false;
    if (ec != std::errc::cross_device_link)
        throw StoreError(src.string() + ": cannot move the checkpoint to " + dst.string() + ": " + ec.message());
    const fs::path partial = dst.string() + ".partial";
    fs::copy_file(src, partial, fs::copy_options::overwrite_existing, ec);
    if (!ec)
        fs::rename(partial, dst, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(partial, ignored);
        throw StoreError(src.string() + ": cannot copy the checkpoint to " + dst.string() + ": " + ec.message());
    }
    return true;
}

}  // namespace

fs::path storeFolder(const fs::path& dbPath)
{
    return fs::absolute(dbPath).lexically_normal().parent_path();
}

fs::path checkpointRoot(const fs::path& dbPath)
{
    return storeFolder(dbPath) / (dbPath.filename().string() + ".checkpoints");
}

fs::path runCheckpointFolder(const fs::path& dbPath, std::int64_t runId)
{
    return checkpointRoot(dbPath) / ("run-" + std::to_string(runId));
}

std::string recordedCheckpointPath(const fs::path& folder, const fs::path& file)
{
    const fs::path absolute = fs::absolute(file).lexically_normal();
    const fs::path relative = absolute.lexically_relative(folder);
    return isInside(relative) ? relative.generic_string() : absolute.generic_string();
}

fs::path resolveCheckpointPath(const fs::path& folder, std::int64_t runId, const std::string& recorded)
{
    const fs::path p(recorded);
    if (p.is_absolute())
        return p;
    const fs::path inStore = (folder / p).lexically_normal();
    std::error_code ec;
    if (fs::exists(inStore, ec))
        return inStore;
    const fs::path legacy = legacyFolder(folder, runId) / p.filename();
    if (fs::exists(legacy, ec))
        return legacy;
    return inStore;
}

void relocateLegacyCheckpoints(Database& db)
{
    const fs::path folder = storeFolder(db.path());
    const std::string rootName = db.path().filename().string() + ".checkpoints";
    std::vector<std::int64_t> runs;
    {
        Statement select(db, "SELECT DISTINCT run_id FROM checkpoints ORDER BY run_id");
        while (select.step())
            runs.push_back(select.columnInt64(0));
    }
    for (const std::int64_t runId : runs) {
        const fs::path newFolder = fs::path(rootName) / ("run-" + std::to_string(runId));
        std::vector<fs::path> removeAfterCommit;
        Transaction tx(db);  // the write lock: one process relocates a run at a time
        std::vector<Row> rows;
        {
            Statement select(db, "SELECT id, path FROM checkpoints WHERE run_id = ?1 ORDER BY id");
            select.bind(1, runId);
            while (select.step())
                rows.push_back({select.columnInt64(0), select.columnText(1)});
        }
        Statement update(db, "UPDATE checkpoints SET path = ?2 WHERE id = ?1");
        for (const Row& row : rows) {
            const fs::path recorded(row.path);
            const fs::path target = newFolder / recorded.filename();
            if (recorded.lexically_normal() == target)
                continue;  // relocated before
            const fs::path dst = folder / target;
            // Where the landed layout put it: <folder>/checkpoints/run-<id>/<file>, whatever the
            // recorded text (relative to some working folder, or absolute).
            std::vector<fs::path> sources{legacyFolder(folder, runId) / recorded.filename()};
            if (recorded.is_absolute())
                sources.push_back(recorded);
            std::error_code ec;
            if (fs::exists(dst, ec)) {
                // Moved by an earlier, interrupted call (a rename is all or nothing; a copy
                // is renamed into place only once complete). A source left by a copy goes,
                // but only when it is that copy's twin: anything else is kept.
                for (const fs::path& src : sources)
                    if (fs::exists(src, ec) && !fs::equivalent(src, dst, ec) && fs::file_size(src, ec) == fs::file_size(dst, ec))
                        removeAfterCommit.push_back(src);
            } else {
                for (const fs::path& src : sources) {
                    if (fs::exists(src, ec)) {
                        if (moveFile(src, dst))
                            removeAfterCommit.push_back(src);
                        break;
                    }
                }
            }
            update.bind(1, row.id).bind(2, target.generic_string());
            update.run();
            update.reset();
        }
        tx.commit();
        std::error_code ignored;
        for (const fs::path& src : removeAfterCommit)
            fs::remove(src, ignored);
        fs::remove(legacyFolder(folder, runId), ignored);  // only when empty
    }
    std::error_code ignored;
    fs::remove(folder / "checkpoints", ignored);  // only when empty
}

}  // namespace scns
