#pragma once
// Plain values read from and written to the run store. Times are ISO-8601 UTC text
// ("2024-05-01T12:34:56Z"); an empty string means "not set" (NULL in the database), as does
// 0 for seed, ownerPid and parentRunId.
#include "store/run_status.h"

#include <cstdint>
#include <limits>
#include <string>

namespace scns {

struct RunRecord {
    std::int64_t id = 0;
    std::string name;
    RunStatus status = RunStatus::Queued;
    std::string createdAt, startedAt, finishedAt;
    std::string configJson;
    std::int64_t seed = 0;
    std::string programVersion, host;
    std::int64_t ownerPid = 0;
    // Why a run failed, diverged or was interrupted; empty otherwise.
    std::string message;
    std::int64_t parentRunId = 0;
    std::string notes, tags;
    // 32 hex digits, unique across stores: the run's identity when stores are merged.
    std::string uid;
};

// One scalar of one training step. value may be NaN or infinite (a diverging loss).
struct MetricRow {
    std::int64_t epoch = 0;
    std::int64_t step = 0;
    std::string name;
    double value = 0;
    // When it was recorded: seconds since 1970-01-01 UTC (MetricWriter stamps rows that have
    // none); NaN when unknown (rows stored before schema version 6).
    double wallTime = std::numeric_limits<double>::quiet_NaN();
};

struct CheckpointRecord {
    std::int64_t id = 0, runId = 0, epoch = 0;
    std::string path, createdAt;
};

}  // namespace scns
