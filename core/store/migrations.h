#pragma once
// Schema versions. The schema version lives in PRAGMA user_version; migration i (0-based)
// takes a database from version i to version i + 1 and runs inside its own transaction, so a
// failed or killed migration leaves the database at the previous version. Migrations are
// only ever appended, never edited once released.
#include <functional>
#include <span>
#include <string_view>

namespace scns {

class Database;

// The migrations this program knows; their count is the newest schema version it supports.
std::span<const std::string_view> schemaMigrations();
int latestSchemaVersion();

// Throws StoreError naming the file and the value for a negative version (a damaged file;
// PRAGMA user_version is a signed 32-bit integer) or one newer than `latest`.
void checkSchemaVersion(const Database& db, int version, int latest);

// Called before the step to `toVersion`, outside its transaction (steps that move files).
using MigrationHook = std::function<void(Database& db, int toVersion)>;

// Brings db up to the newest schema. Throws StoreError if the database is newer than this
// program ("<file>: schema version 7 is newer than this program supports (1); use a newer
// SCNS Workbench") or a migration fails. Safe to call from several processes at once: each
// step re-reads the version under the write lock.
void migrate(Database& db);
// Version 5 moves checkpoint files (store/checkpoint_location.h) before it is recorded.
// Same, with an explicit list (for tests of the migration mechanism itself).
void migrate(Database& db, std::span<const std::string_view> migrations, const MigrationHook& before = {});

}  // namespace scns
