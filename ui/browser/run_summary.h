#pragma once
// What the run browser shows of a stored run: the record plus the few configuration values
// it filters on, read once when the store is loaded (off the GUI thread).
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "store/run_record.h"

namespace scns {

struct RunSummary {
    qint64 id = 0;
    QString name;
    RunStatus status = RunStatus::Queued;
    QString statusText;
    QString dataset, network, sampler, method;  // sampler "none" for cross-entropy only runs
    qint64 epochs = 0;
    qint64 seed = 0;
    qint64 parentRunId = 0;
    QStringList tags;       // the store's tags text split at commas
    QString notes, message;
    QString createdAt, finishedAt;
    std::string configJson;
    double finalTestTop1 = std::nan("");  // NaN until known (filled by a second pass)
    double bestTestTop1 = std::nan("");   // the largest test/top1 of the run; NaN until known
    // Every setting of the stored configuration by dotted key, values as JSON text ("class",
    // 0.07): what the browser's setting columns show.
    std::map<std::string, std::string> settings;
};

// Tolerant of configs from other program versions: missing fields show as empty.
RunSummary summarizeRun(const RunRecord& record);
QStringList splitTags(const QString& text);
QString joinTags(const QStringList& tags);

}  // namespace scns

Q_DECLARE_METATYPE(scns::RunSummary)
