#pragma once
// Where a store keeps its checkpoint files, and how their paths are recorded.
//
// Each store owns the folder "<store file name>.checkpoints" beside it (runs.sqlite ->
// runs.sqlite.checkpoints/run-<id>/epoch-<N>.pt), so two stores in one folder never share
// one. Paths are recorded relative to the store file's folder, so a store read from another
// working folder, or moved together with its checkpoint folder, finds its files.
//
// Stores written before schema version 5 kept them in "<folder>/checkpoints/run-<id>/" and
// recorded paths as given (relative to the working folder of the time, or absolute);
// relocateLegacyCheckpoints() moves them.
#include <cstdint>
#include <filesystem>
#include <string>

namespace scns {

class Database;

// Absolute, normalised folder of the store file (the folder recorded paths are relative to).
std::filesystem::path storeFolder(const std::filesystem::path& dbPath);
// "<store folder>/<file name>.checkpoints" (absolute).
std::filesystem::path checkpointRoot(const std::filesystem::path& dbPath);
// "<checkpointRoot>/run-<id>" (absolute).
std::filesystem::path runCheckpointFolder(const std::filesystem::path& dbPath, std::int64_t runId);

// The text stored for a checkpoint file: relative to the store folder when the file lies
// inside it, else absolute. Always with '/' separators.
std::string recordedCheckpointPath(const std::filesystem::path& storeFolder, const std::filesystem::path& file);
// The absolute path of a recorded checkpoint. A relative path that does not exist under the
// store folder but does in the pre-version-5 place "<folder>/checkpoints/run-<id>/" resolves
// there (a read-only store that could not be migrated).
std::filesystem::path resolveCheckpointPath(const std::filesystem::path& storeFolder, std::int64_t runId,
                                            const std::string& recorded);

// Moves every run's checkpoint files from the pre-version-5 place into the store's own
// folder and rewrites their recorded paths, one run per transaction: the files of a run are
// moved, then its rows updated, inside one write transaction. Killed at any point, the next
// call continues: a file already at its destination is taken as moved, never moved twice;
// a file at neither place keeps a row pointing at the new place (it was pruned or lost
// before). Files across file systems are copied to "<dest>.partial", renamed into place,
// and the source removed after the rows are committed. Throws StoreError naming the file
// when a move fails (nothing of that run is recorded as moved then).
void relocateLegacyCheckpoints(Database& db);

}  // namespace scns
