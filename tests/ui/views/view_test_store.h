#pragma once
// A temporary run store with generated rows for the view tests: metric series whose values
// follow a formula the tests can recompute, so every check compares against data it knows.
#include <QString>
#include <QTemporaryDir>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "store/run_store.h"

namespace scns::test {

// Loss of run r at step s: 2 / (1 + 0.1 s) + 0.01 r; test top-1 at epoch e: 50 + 10 e + r.
inline double lossAt(int r, std::int64_t step) { return 2.0 / (1.0 + 0.1 * static_cast<double>(step)) + 0.01 * r; }
inline double top1At(int r, std::int64_t epoch) { return 50.0 + 10.0 * static_cast<double>(epoch) + r; }

struct ViewStore {
    QTemporaryDir dir;
    QString path() const { return dir.filePath(QStringLiteral("runs.sqlite")); }
    std::filesystem::path fsPath() const { return path().toStdString(); }

    // A run with `epochs` epochs of `stepsPerEpoch` steps: train/loss and train/lr per step,
    // test/top1 and train/top1 per epoch. `r` varies the values (see lossAt/top1At).
    std::int64_t addRun(RunStore& store, const std::string& name, int r, int epochs, int stepsPerEpoch,
                        const std::string& configJson = "{}", std::int64_t seed = 1)
    {
        const auto id = store.createRun(name, configJson, seed);
        std::vector<MetricRow> rows;
        std::int64_t step = 0;
        for (int e = 1; e <= epochs; ++e) {
            for (int b = 0; b < stepsPerEpoch; ++b) {
                ++step;
                rows.push_back({e, step, "train/loss", lossAt(r, step)});
                rows.push_back({e, step, "train/lr", 0.1});
            }
            rows.push_back({e, step, "test/top1", top1At(r, e)});
            rows.push_back({e, step, "train/top1", top1At(r, e) + 5});
        }
        store.appendMetrics(id, rows);
        return id;
    }
};

}  // namespace scns::test
