#pragma once
// Reading the store for the browser off the GUI thread: each call opens its own RunStore
// connection on a pool thread (the store's threading contract) and delivers plain values.
#include <QFuture>
#include <QHash>
#include <QString>

#include <vector>

#include "browser/run_summary.h"

namespace scns {

struct LoadedRuns {
    std::vector<RunSummary> runs;  // newest first
    QString error;                 // the StoreError text, empty on success
    double seconds = 0;
    bool readOnly = false;         // the store cannot be written: it was opened for viewing only
};

QFuture<LoadedRuns> loadRunsAsync(const QString& dbPath);
// Each given run's final (last) and best (largest) metric::kTestTop1 ("test/top1"); runs
// without one are left out.
struct RunAccuracies {
    QHash<qint64, double> final, best;
};
QFuture<RunAccuracies> loadAccuraciesAsync(const QString& dbPath, std::vector<qint64> runIds);

// Store edits on a pool thread; the future's value is the error text ("" = done).
QFuture<QString> renameRunAsync(const QString& dbPath, qint64 runId, const QString& name);
QFuture<QString> setTagsAsync(const QString& dbPath, qint64 runId, const QString& tags);
QFuture<QString> setNotesAsync(const QString& dbPath, qint64 runId, const QString& notes);
// Name, tags and notes in one store update (all or none).
QFuture<QString> saveDetailsAsync(const QString& dbPath, qint64 runId, const QString& name, const QString& tags,
                                  const QString& notes);
QFuture<QString> deleteRunsAsync(const QString& dbPath, std::vector<qint64> runIds);

}  // namespace scns
