// RunStore: class similarity matrices and probe negatives (schema v2).
#include <cmath>

#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "store/run_store.h"
#include "store/statement.h"
#include "store/transaction.h"

namespace scns {

void RunStore::addClassSimilarity(std::int64_t runId, std::int64_t epoch, const std::string& source,
                                  const std::vector<std::string>& classNames, const std::vector<float>& matrix)
{
    const std::size_t c = classNames.size();
    if (matrix.size() != c * c)
        throw StoreError(path().string() + ": class similarity of run " + std::to_string(runId) + " has "
                         + std::to_string(matrix.size()) + " values, expected " + std::to_string(c) + " x "
                         + std::to_string(c));
    requireRun(runId);
    // JSON keeps the matrix readable by any SQLite client and by `scns export`.
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t i = 0; i < c; ++i)
        rows.push_back(std::vector<float>(matrix.begin() + static_cast<std::ptrdiff_t>(i * c),
                                          matrix.begin() + static_cast<std::ptrdiff_t>((i + 1) * c)));
    Statement insert(m_db,
                     "INSERT INTO class_similarity (run_id, epoch, source, class_names, matrix, created_at) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))");
    insert.bind(1, runId).bind(2, epoch).bind(3, source).bind(4, nlohmann::json(classNames).dump()).bind(5, rows.dump());
    insert.run();
}

std::vector<ClassSimilarityRecord> RunStore::classSimilarities(std::int64_t runId) const
{
    Statement q(m_db,
                "SELECT id, run_id, epoch, source, class_names, matrix, created_at FROM class_similarity "
                "WHERE run_id = ?1 ORDER BY epoch, id");
    q.bind(1, runId);
    std::vector<ClassSimilarityRecord> out;
    while (q.step()) {
        ClassSimilarityRecord r;
        r.id = q.columnInt64(0);
        r.runId = q.columnInt64(1);
        r.epoch = q.columnInt64(2);
        r.source = q.columnText(3);
        try {
            r.classNames = nlohmann::json::parse(q.columnText(4)).get<std::vector<std::string>>();
            for (const auto& row : nlohmann::json::parse(q.columnText(5)))
                for (const auto& v : row)
                    r.matrix.push_back(v.is_number() ? v.get<float>() : NAN);
        } catch (const nlohmann::json::exception& e) {
            throw StoreError(path().string() + ": class similarity " + std::to_string(r.id) + " is damaged: " + e.what());
        }
        r.createdAt = q.columnText(6);
        out.push_back(std::move(r));
    }
    return out;
}

void RunStore::appendProbeNegatives(std::int64_t runId, const std::vector<ProbeNegativeRow>& rows)
{
    if (rows.empty())
        return;
    Transaction tx(m_db);
    requireRun(runId);
    Statement insert(m_db,
                     "INSERT INTO probe_negatives (run_id, epoch, anchor_index, anchor_class, slot, kind, sample_index, "
                     "sample_class, similarity, from_topk, source_a, source_b, lambda) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    for (const auto& r : rows) {
        insert.bind(1, runId).bind(2, r.epoch).bind(3, r.anchorIndex).bind(4, r.anchorClass).bind(5, r.slot);
        insert.bind(6, r.kind).bind(7, r.sampleIndex).bind(8, r.sampleClass).bind(9, r.similarity);
        insert.bind(10, static_cast<std::int64_t>(r.fromTopK)).bind(11, r.sourceA).bind(12, r.sourceB).bind(13, r.lambda);
        insert.run();
        insert.reset();
    }
    tx.commit();
}

std::vector<ProbeNegativeRow> RunStore::probeNegatives(std::int64_t runId, std::int64_t epoch) const
{
    Statement q(m_db,
                "SELECT epoch, anchor_index, anchor_class, slot, kind, sample_index, sample_class, similarity, from_topk, "
                "source_a, source_b, lambda FROM probe_negatives WHERE run_id = ?1 AND (?2 < 0 OR epoch = ?2) "
                "ORDER BY epoch, anchor_index, slot");
    q.bind(1, runId).bind(2, epoch);
    std::vector<ProbeNegativeRow> out;
    while (q.step()) {
        ProbeNegativeRow r;
        r.epoch = q.columnInt64(0);
        r.anchorIndex = q.columnInt64(1);
        r.anchorClass = q.columnInt64(2);
        r.slot = q.columnInt64(3);
        r.kind = q.columnText(4);
        r.sampleIndex = q.columnInt64(5);
        r.sampleClass = q.columnInt64(6);
        r.similarity = q.columnDouble(7);
        r.fromTopK = q.columnInt64(8) != 0;
        r.sourceA = q.columnInt64(9);
        r.sourceB = q.columnInt64(10);
        r.lambda = q.columnDouble(11);
        out.push_back(std::move(r));
    }
    return out;
}

void RunStore::addTestConfusion(std::int64_t runId, std::int64_t epoch, const std::vector<std::string>& classNames,
                                const std::vector<std::int64_t>& counts)
{
    const std::size_t c = classNames.size();
    if (counts.size() != c * c)
        throw StoreError(path().string() + ": test confusion matrix of run " + std::to_string(runId) + " has "
                         + std::to_string(counts.size()) + " values, expected " + std::to_string(c) + " x "
                         + std::to_string(c));
    requireRun(runId);
    Statement insert(m_db,
                     "INSERT INTO test_confusion (run_id, epoch, class_names, counts, created_at) "
                     "VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))");
    insert.bind(1, runId).bind(2, epoch).bind(3, nlohmann::json(classNames).dump()).bind(4, nlohmann::json(counts).dump());
    insert.run();
}

std::vector<TestConfusionRecord> RunStore::testConfusions(std::int64_t runId) const
{
    Statement q(m_db, "SELECT id, epoch, class_names, counts FROM test_confusion WHERE run_id = ?1 ORDER BY epoch, id");
    q.bind(1, runId);
    std::vector<TestConfusionRecord> out;
    while (q.step()) {
        TestConfusionRecord r;
        r.epoch = q.columnInt64(1);
        try {
            r.classNames = nlohmann::json::parse(q.columnText(2)).get<std::vector<std::string>>();
            r.counts = nlohmann::json::parse(q.columnText(3)).get<std::vector<std::int64_t>>();
        } catch (const nlohmann::json::exception& e) {
            throw StoreError(path().string() + ": test confusion matrix " + std::to_string(q.columnInt64(0))
                             + " is damaged: " + e.what());
        }
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace scns
