#include "browser/run_loader.h"

#include <QElapsedTimer>
#include <QtConcurrent/QtConcurrent>

#include "common/errors.h"
#include "store/run_store.h"
#include "train/metric_names.h"

namespace scns {

namespace {

template <typename F>
QFuture<QString> storeEdit(const QString& dbPath, F edit)
{
    return QtConcurrent::run([path = dbPath.toStdString(), edit]() -> QString {
        try {
            RunStore store(path, StoreAccess::Write);
            edit(store);
            return {};
        } catch (const std::exception& e) {
            return QString::fromStdString(e.what());
        } catch (...) {
            return QStringLiteral("unknown error");
        }
    });
}

}  // namespace

QFuture<LoadedRuns> loadRunsAsync(const QString& dbPath)
{
    return QtConcurrent::run([path = dbPath.toStdString()] {
        LoadedRuns out;
        QElapsedTimer timer;
        timer.start();
        try {
            RunStore store(path, StoreAccess::View);
            out.readOnly = store.isReadOnly();
            const auto records = store.listRuns();
            out.runs.reserve(records.size());
            for (const auto& r : records)
                out.runs.push_back(summarizeRun(r));
        } catch (const std::exception& e) {
            out.error = QString::fromStdString(e.what());
        } catch (...) {
            out.error = QStringLiteral("%1: unknown error while reading the store").arg(QString::fromStdString(path));
        }
        out.seconds = double(timer.nsecsElapsed()) * 1e-9;
        return out;
    });
}

QFuture<RunAccuracies> loadAccuraciesAsync(const QString& dbPath, std::vector<qint64> runIds)
{
    return QtConcurrent::run([path = dbPath.toStdString(), ids = std::move(runIds)] {
        RunAccuracies out;
        try {
            RunStore store(path, StoreAccess::View);
            // One indexed pass over every run's rows (not one query per run).
            const auto last = store.lastValues(metric::kTestTop1);
            const auto best = store.maxValues(metric::kTestTop1);
            for (qint64 id : ids) {
                if (const auto it = last.find(id); it != last.end())
                    out.final.insert(id, it->second);
                if (const auto it = best.find(id); it != best.end())
                    out.best.insert(id, it->second);
            }
        } catch (...) {
            // The list itself loaded; a missing accuracy column is not worth an error.
        }
        return out;
    });
}

QFuture<QString> renameRunAsync(const QString& dbPath, qint64 runId, const QString& name)
{
    return storeEdit(dbPath, [runId, n = name.toStdString()](RunStore& s) { s.renameRun(runId, n); });
}

QFuture<QString> setTagsAsync(const QString& dbPath, qint64 runId, const QString& tags)
{
    return storeEdit(dbPath, [runId, t = tags.toStdString()](RunStore& s) { s.setTags(runId, t); });
}

QFuture<QString> setNotesAsync(const QString& dbPath, qint64 runId, const QString& notes)
{
    return storeEdit(dbPath, [runId, n = notes.toStdString()](RunStore& s) { s.setNotes(runId, n); });
}

QFuture<QString> saveDetailsAsync(const QString& dbPath, qint64 runId, const QString& name, const QString& tags,
                                  const QString& notes)
{
    return storeEdit(dbPath, [runId, n = name.toStdString(), t = tags.toStdString(), x = notes.toStdString()](RunStore& s) {
        s.updateDetails(runId, n, t, x);
    });
}

QFuture<QString> deleteRunsAsync(const QString& dbPath, std::vector<qint64> runIds)
{
    return storeEdit(dbPath, [ids = std::move(runIds)](RunStore& s) {
        for (qint64 id : ids)
            s.deleteRun(id);
    });
}

}  // namespace scns
