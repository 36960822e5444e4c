#include "store/metric_writer.h"

#include "store/run_store.h"

#include <chrono>
#include <cmath>
#include <exception>
#include <iostream>
#include <utility>

namespace scns {

MetricWriter::MetricWriter(RunStore& store, std::int64_t runId, std::size_t batchSize)
    : m_store(store), m_runId(runId), m_batchSize(batchSize == 0 ? 1 : batchSize)
{
    m_rows.reserve(m_batchSize);
}

MetricWriter::~MetricWriter()
{
    try {
        flush();
    } catch (const std::exception& e) {
        std::cerr << "scns: " << m_rows.size() << " metric rows of run " << m_runId
                  << " were not stored: " << e.what() << '\n';
    } catch (...) {
        std::cerr << "scns: " << m_rows.size() << " metric rows of run " << m_runId
                  << " were not stored\n";
    }
}

double metricWallTime()
{
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void MetricWriter::add(MetricRow row)
{
    if (std::isnan(row.wallTime))
        row.wallTime = metricWallTime();
    m_rows.push_back(std::move(row));
    if (m_rows.size() >= m_batchSize)
        flush();
}

void MetricWriter::add(std::int64_t epoch, std::int64_t step, std::string name, double value)
{
    add(MetricRow{epoch, step, std::move(name), value});
}

void MetricWriter::flush()
{
    if (m_rows.empty())
        return;
    m_store.appendMetrics(m_runId, m_rows);
    m_rows.clear();
}

}  // namespace scns
