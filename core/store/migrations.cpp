#include "store/migrations.h"

#include "common/errors.h"
#include "store/checkpoint_location.h"
#include "store/database.h"
#include "store/transaction.h"

#include <array>
#include <string>

namespace scns {

namespace {

// Version 1: runs, their metric rows and checkpoints. Times are ISO-8601 UTC text.
// metrics.value is nullable because SQLite stores NaN (a diverged loss) as NULL.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE runs (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'finished', 'failed',
                                                    'cancelled', 'diverged', 'interrupted')),
    created_at      TEXT NOT NULL,
    started_at      TEXT,
    finished_at     TEXT,
    config_json     TEXT NOT NULL,
    seed            INTEGER,
    program_version TEXT,
    host            TEXT,
    owner_pid       INTEGER,
    message         TEXT,
    parent_run_id   INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    notes           TEXT,
    tags            TEXT
);
CREATE INDEX runs_name ON runs(name);
CREATE INDEX runs_status ON runs(status);
CREATE INDEX runs_parent ON runs(parent_run_id);

CREATE TABLE metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch  INTEGER NOT NULL,
    step   INTEGER NOT NULL,
    name   TEXT NOT NULL,
    value  REAL
);
CREATE INDEX metrics_run_name_step ON metrics(run_id, name, step);

CREATE TABLE checkpoints (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch      INTEGER NOT NULL,
    path       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX checkpoints_run_epoch ON checkpoints(run_id, epoch);
)sql";

// Version 2: what contrastive runs record for inspection: each class similarity matrix
// (before training = epoch 0, and each refresh) and the negatives drawn for the probe anchors.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE class_similarity (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch       INTEGER NOT NULL,
    source      TEXT NOT NULL,
    class_names TEXT NOT NULL,
    matrix      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX class_similarity_run_epoch ON class_similarity(run_id, epoch);

CREATE TABLE probe_negatives (
    run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch        INTEGER NOT NULL,
    anchor_index INTEGER NOT NULL,
    anchor_class INTEGER NOT NULL,
    slot         INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('negative', 'pseudo')),
    sample_index INTEGER,
    sample_class INTEGER,
    similarity   REAL,
    from_topk    INTEGER,
    source_a     INTEGER,
    source_b     INTEGER,
    lambda       REAL
);
CREATE INDEX probe_negatives_run_epoch ON probe_negatives(run_id, epoch, anchor_index);
)sql";

// Version 3: the confusion matrix of the test split after each epoch (counts, row = true
// class, column = predicted class).
constexpr std::string_view kSchemaV3 = R"sql(
CREATE TABLE test_confusion (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch       INTEGER NOT NULL,
    class_names TEXT NOT NULL,
    counts      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX test_confusion_run_epoch ON test_confusion(run_id, epoch);
)sql";

// Version 4: run ids are never reused. SQLite's INTEGER PRIMARY KEY hands the next run the
// id of a deleted newest run; the highest id ever given is kept here instead (the trigger
// also covers runs inserted with an explicit id). The owner's process start time (clock
// ticks after boot, /proc/<pid>/stat field 22) tells a live owner from a new process that
// was given the pid of a dead one.
constexpr std::string_view kSchemaV4 = R"sql(
CREATE TABLE id_counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO id_counters (name, value) SELECT 'runs', COALESCE(MAX(id), 0) FROM runs;
CREATE TRIGGER runs_id_high_water AFTER INSERT ON runs BEGIN
    UPDATE id_counters SET value = NEW.id WHERE name = 'runs' AND value < NEW.id;
END;
ALTER TABLE runs ADD COLUMN owner_started INTEGER;
)sql";

// Version 5: checkpoint files live in the store's own folder, "<store file>.checkpoints", and
// their paths are recorded relative to the store's folder. No SQL: migrate() moves the files
// (relocateLegacyCheckpoints) before it records this version.
constexpr std::string_view kSchemaV5 = R"sql(
-- checkpoint files relocated by relocateLegacyCheckpoints()
)sql";

constexpr int kRelocatedCheckpointsVersion = 5;

// Version 6: when each metric row was recorded (seconds since 1970-01-01 UTC), for wall-time and
// relative-time axes. NULL for rows stored before.
constexpr std::string_view kSchemaV6 = R"sql(
ALTER TABLE metrics ADD COLUMN wall_time REAL;
)sql";

// Version 7: every run carries a unique id of 128 random bits (32 hex digits) that stays with it
// when it is merged into another store (scns merge: merging twice changes nothing).
constexpr std::string_view kSchemaV7 = R"sql(
ALTER TABLE runs ADD COLUMN uid TEXT;
UPDATE runs SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
CREATE UNIQUE INDEX runs_uid ON runs(uid);
)sql";

constexpr std::array<std::string_view, 7> kMigrations = {kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4,
                                                         kSchemaV5, kSchemaV6, kSchemaV7};

}  // namespace

std::span<const std::string_view> schemaMigrations()
{
    return kMigrations;
}

int latestSchemaVersion()
{
    return static_cast<int>(kMigrations.size());
}

void checkSchemaVersion(const Database& db, int version, int latest)
{
    if (version < 0) {
        throw StoreError(db.path().string() + ": schema version " + std::to_string(version) +
                         " is not valid (PRAGMA user_version must be 0 or more); the file is damaged or "
                         "not an SCNS run store");
    }
    if (version > latest) {
        throw StoreError(db.path().string() + ": schema version " + std::to_string(version) +
                         " is newer than this program supports (" + std::to_string(latest) +
                         "); use a newer SCNS Workbench");
    }
}

void migrate(Database& db)
{
    migrate(db, schemaMigrations(), [](Database& d, int toVersion) {
        // Outside the version's own transaction: each run's files move in one of their own.
        if (toVersion == kRelocatedCheckpointsVersion)
            relocateLegacyCheckpoints(d);
    });
}

void migrate(Database& db, std::span<const std::string_view> migrations, const MigrationHook& before)
{
    const int latest = static_cast<int>(migrations.size());
    const auto checkNotNewer = [&](int version) { checkSchemaVersion(db, version, latest); };
    // Usual case first, without taking the write lock: the schema is already current.
    int version = db.userVersion();
    checkNotNewer(version);
    while (version < latest) {
        if (before)
            before(db, version + 1);
        Transaction tx(db);
        // Another process may have migrated since the last look; decide under the lock.
        version = db.userVersion();
        checkNotNewer(version);
        if (version == latest)
            return;  // the destructor ends the (empty) transaction
        try {
            db.exec(migrations[static_cast<std::size_t>(version)]);
        } catch (const StoreError&) {
            db.throwError("migration to schema version " + std::to_string(version + 1) + " failed");
        }
        db.setUserVersion(version + 1);
        tx.commit();
        ++version;
    }
}

}  // namespace scns
