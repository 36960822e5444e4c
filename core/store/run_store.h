#pragma once
// The run store: one SQLite file holding every run, its metric rows and its checkpoints.
//
// Threading contract: a RunStore object is used from one thread only (it owns one SQLite
// connection). Another thread, such as a training worker, opens its own RunStore on the same
// path; WAL mode and the busy timeout let them, and other processes, share the file.
//
// Every error is a StoreError whose message names the database file.
#include "store/database.h"
#include "store/inspection_records.h"
#include "store/run_record.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace scns {

enum class StoreAccess {
    // Training, edits: a store that cannot be written (storeWritable) is a StoreError that
    // says so, before anything else is tried.
    Write,
    // Viewing (scns runs/show/export, the workbench's views), and the default: a writable
    // store opens as with Write; one that cannot be written opens read-only (isReadOnly()),
    // without migrating or marking interrupted runs; every write then fails with "the store
    // is read-only".
    View,
};

class RunStore {
public:
    // Opens or creates the database (and its folder), brings its schema up to date and marks
    // orphaned running runs as interrupted (markInterruptedRuns).
    explicit RunStore(const std::filesystem::path& path, StoreAccess access = StoreAccess::View);

    bool isReadOnly() const { return m_db.isReadOnly(); }
    // The absolute folder of the store file; recorded checkpoint paths are relative to it.
    const std::filesystem::path& folder() const { return m_storeFolder; }

    // A run that is `running` on this host while its owner process no longer exists (or its
    // pid now belongs to a process that started after the recorded owner did) becomes
    // `interrupted`, with finished_at set and message "process <pid> ended while the run was
    // running". Runs owned by another host are left alone: their process cannot be checked.
    // Returns how many runs were marked.
    int markInterruptedRuns();
    // What markInterruptedRuns() returned when the constructor called it.
    int interruptedAtOpen() const { return m_interruptedAtOpen; }

    // A new `queued` run stamped with created_at, this program's version and this host. Its id
    // is higher than any id this store ever gave, deleted runs' included.
    // parentRunId 0 means none; otherwise it must name an existing run. The name must not
    // be empty. Returns the new id.
    std::int64_t createRun(const std::string& name, const std::string& configJson, std::int64_t seed,
                           std::int64_t parentRunId = 0);
    // `running`, owned by this process (pid and start time) and host; started_at is set the first time only, so a
    // resumed run keeps it. Clears finished_at and message.
    void markRunning(std::int64_t runId);
    // Sets a final status (finished, failed, cancelled, diverged, interrupted), finished_at and
    // the message (empty: none). Throws StoreError for queued or running.
    void finishRun(std::int64_t runId, RunStatus status, const std::string& message = {});

    // Throws StoreError "no run with id N in <file>".
    RunRecord run(std::int64_t runId) const;
    bool hasRun(std::int64_t runId) const;
    // A run by decimal id, or else by exact name. Throws StoreError when nothing matches, or
    // when the name is shared by several runs (the message lists their ids).
    RunRecord resolveRun(const std::string& idOrName) const;
    // Newest first.
    std::vector<RunRecord> listRuns() const;

    // All rows in one transaction; either all are stored or none (StoreError, also for an
    // unknown run).
    void appendMetrics(std::int64_t runId, const std::vector<MetricRow>& rows);
    // Ordered by step, then name, then insertion. Empty for an unknown run.
    std::vector<MetricRow> metrics(std::int64_t runId) const;
    // One series, ordered by step then insertion.
    std::vector<MetricRow> metrics(std::int64_t runId, const std::string& name) const;
    // The newest row (highest step) of metric `name` for every run that has one, by run id:
    // e.g. each run's final test/top1 for a browser, in one pass over the index.
    std::map<std::int64_t, double> lastValues(const std::string& name) const;
    // The largest value of metric `name` for every run that has one (e.g. best test/top1).
    std::map<std::int64_t, double> maxValues(const std::string& name) const;
    // Distinct metric names of a run, sorted.
    std::vector<std::string> metricNames(std::int64_t runId) const;
    // The earliest wall time of the run's metric rows (seconds since 1970-01-01 UTC); none when
    // no row has one (stored before schema version 6, or no rows).
    std::optional<double> firstMetricWallTime(std::int64_t runId) const;

    // Removes metric, similarity and probe rows of epochs after `epoch`: a resumed run
    // records a partial epoch again.
    void deleteRecordsAfterEpoch(std::int64_t runId, std::int64_t epoch);

    // Class similarity matrices (store/inspection_records.h). matrix must hold C x C values.
    void addClassSimilarity(std::int64_t runId, std::int64_t epoch, const std::string& source,
                            const std::vector<std::string>& classNames, const std::vector<float>& matrix);
    // Ordered by epoch, then insertion.
    std::vector<ClassSimilarityRecord> classSimilarities(std::int64_t runId) const;
    // All rows in one transaction.
    void appendProbeNegatives(std::int64_t runId, const std::vector<ProbeNegativeRow>& rows);
    // epoch < 0: every epoch. Ordered by epoch, anchor, slot.
    std::vector<ProbeNegativeRow> probeNegatives(std::int64_t runId, std::int64_t epoch = -1) const;

    // Confusion matrix of the test split (counts: C x C, row = true class). Ordered by epoch.
    void addTestConfusion(std::int64_t runId, std::int64_t epoch, const std::vector<std::string>& classNames,
                          const std::vector<std::int64_t>& counts);
    std::vector<TestConfusionRecord> testConfusions(std::int64_t runId) const;

    // Records `path` relative to folder() when it lies inside it (else absolute). Checkpoint
    // records read back carry absolute paths.
    void addCheckpoint(std::int64_t runId, std::int64_t epoch, const std::string& path);
    // The checkpoint with the highest epoch (the most recent one among equals).
    std::optional<CheckpointRecord> latestCheckpoint(std::int64_t runId) const;
    // Ordered by epoch, then insertion.
    std::vector<CheckpointRecord> checkpoints(std::int64_t runId) const;
    // The run that recorded the checkpoint file `path` (relative paths as the caller sees them),
    // if any: which run a teacher's weights came from when they were chosen by file.
    std::optional<std::int64_t> runOfCheckpoint(const std::filesystem::path& path) const;

    // These throw StoreError for an unknown run id.
    void renameRun(std::int64_t runId, const std::string& name);
    void setNotes(std::int64_t runId, const std::string& notes);
    void setTags(std::int64_t runId, const std::string& tags);
    // Name, tags and notes in one statement (the browser's "Save"): all or none.
    void updateDetails(std::int64_t runId, const std::string& name, const std::string& tags, const std::string& notes);
    // Deletes the run with its metrics and checkpoint rows (not the checkpoint files); runs
    // that named it as parent keep running with no parent. Refuses a `running` run: its owner
    // would go on writing rows for it.
    void deleteRun(std::int64_t runId);

    const std::filesystem::path& path() const { return m_db.path(); }

    // What mergeFrom() did with one shard store.
    struct MergeReport {
        std::vector<std::pair<std::int64_t, std::int64_t>> imported;  // (id in the shard, id here)
        std::vector<std::int64_t> alreadyHere;  // shard ids of runs merged before
        std::vector<std::string> notImported;  // "run 4 is running", one per run
    };
    // Imports the finished and stopped runs (finished, failed, cancelled, diverged, interrupted)
    // of the store at `shard` with everything they recorded: configuration, metric rows,
    // checkpoints (recorded here by their absolute paths in the shard's folder: the files stay
    // where they are), class similarity matrices, probe negatives, confusion matrices, notes and
    // tags. Runs get new ids here; parent links and distill.teacher.run_id are remapped to them
    // (to a run merged before as well). A run whose uid is here already is left alone, so
    // merging a shard twice changes nothing; queued and running runs are not imported. All of
    // a shard or nothing (one transaction). Throws StoreError naming the shard when it is not a
    // run store or cannot be read.
    MergeReport mergeFrom(const std::filesystem::path& shard);

private:
    void openReadOnly(const std::filesystem::path& path);
    void updateText(std::int64_t runId, const char* sql, const std::string& value);
    void requireRun(std::int64_t runId) const;
    [[noreturn]] void throwNoRun(std::int64_t runId) const;

    // Queries in const member functions still prepare statements on the connection.
    mutable Database m_db;
    std::string m_host;
    std::filesystem::path m_storeFolder;
    int m_interruptedAtOpen = 0;
};

}  // namespace scns
