#pragma once
// An in-memory RunRecorder for training-loop tests: keeps every metric row, checkpoint path,
// class similarity matrix, probe row and test confusion matrix it is given.
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "train/recorder.h"

namespace scns::test {

struct MemoryRecorder final : RunRecorder {
    std::vector<std::tuple<std::int64_t, std::int64_t, std::string, double>> rows;
    std::vector<std::pair<std::int64_t, std::string>> checkpoints;
    std::vector<std::pair<std::int64_t, std::string>> similarities;
    std::vector<std::vector<float>> matrices;
    std::vector<ProbeNegativeRow> probes;
    std::vector<std::pair<std::int64_t, std::vector<std::int64_t>>> confusions;

    void metric(std::int64_t e, std::int64_t s, const std::string& n, double v) override { rows.emplace_back(e, s, n, v); }
    void flush() override {}
    void checkpoint(std::int64_t e, const std::string& p) override { checkpoints.emplace_back(e, p); }
    void classSimilarity(std::int64_t epoch, const std::string& source, const std::vector<std::string>&,
                         const std::vector<float>& m) override
    {
        similarities.emplace_back(epoch, source);
        matrices.push_back(m);
    }
    void probeNegatives(const std::vector<ProbeNegativeRow>& r) override { probes.insert(probes.end(), r.begin(), r.end()); }
    void testConfusion(std::int64_t epoch, const std::vector<std::string>&, const std::vector<std::int64_t>& c) override
    {
        confusions.emplace_back(epoch, c);
    }

    // One metric's values in recording order, from epoch `fromEpoch` on.
    std::vector<double> series(const std::string& name, std::int64_t fromEpoch = 0) const
    {
        std::vector<double> out;
        for (const auto& [e, s, n, v] : rows)
            if (n == name && e >= fromEpoch)
                out.push_back(v);
        return out;
    }

    // The (epoch, step) of a metric's first row from epoch `fromEpoch` on; (-1, -1) when none.
    std::pair<std::int64_t, std::int64_t> firstRow(const std::string& name, std::int64_t fromEpoch = 0) const
    {
        for (const auto& [e, s, n, v] : rows)
            if (n == name && e >= fromEpoch)
                return {e, s};
        return {-1, -1};
    }
};

}  // namespace scns::test
