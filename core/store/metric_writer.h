#pragma once
// Buffers the metric rows of one run and writes them through RunStore::appendMetrics in
// batches, so a training loop that logs a few scalars per step costs one transaction per
// batch rather than one per row. Used from the thread of its RunStore.
#include "store/run_record.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace scns {

class RunStore;

// The wall time metric rows are stamped with: seconds since the Unix epoch (system clock).
// The workbench stamps live rows with it too, so they sit where the store will have them.
double metricWallTime();

class MetricWriter {
public:
    static constexpr std::size_t kDefaultBatchSize = 512;

    // store must outlive the writer. batchSize 0 is taken as 1.
    MetricWriter(RunStore& store, std::int64_t runId, std::size_t batchSize = kDefaultBatchSize);
    // Flushes what is left. Never throws: a failure is reported on stderr and those rows are
    // lost, so call flush() first wherever an error can still be handled.
    ~MetricWriter();

    MetricWriter(const MetricWriter&) = delete;
    MetricWriter& operator=(const MetricWriter&) = delete;

    // Stamps a row without a wall time with the current time, and writes a batch once
    // batchSize rows are pending; may throw StoreError from that write.
    void add(MetricRow row);
    void add(std::int64_t epoch, std::int64_t step, std::string name, double value);
    // Writes all pending rows. On StoreError the rows stay pending, so a later flush retries.
    void flush();

    std::size_t pending() const { return m_rows.size(); }
    std::int64_t runId() const { return m_runId; }
    std::size_t batchSize() const { return m_batchSize; }

private:
    RunStore& m_store;
    std::int64_t m_runId;
    std::size_t m_batchSize;
    std::vector<MetricRow> m_rows;
};

}  // namespace scns
