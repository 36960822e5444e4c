#include "browser/run_summary.h"

#include "common/errors.h"
#include "train/run_config.h"
#include "views/config_diff.h"

namespace scns {


QStringList splitTags(const QString& text)
{
    QStringList out;
    for (const QString& t : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (const QString s = t.trimmed(); !s.isEmpty() && !out.contains(s))
            out << s;
    return out;
}

QString joinTags(const QStringList& tags) { return tags.join(QStringLiteral(", ")); }

RunSummary summarizeRun(const RunRecord& r)
{
    RunSummary s;
    s.id = r.id;
    s.name = QString::fromStdString(r.name);
    s.status = r.status;
    s.statusText = QString::fromStdString(toString(r.status));
    s.seed = r.seed;
    s.parentRunId = r.parentRunId;
    s.tags = splitTags(QString::fromStdString(r.tags));
    s.notes = QString::fromStdString(r.notes);
    s.message = QString::fromStdString(r.message);
    s.createdAt = QString::fromStdString(r.createdAt);
    s.finishedAt = QString::fromStdString(r.finishedAt);
    s.configJson = r.configJson;
    s.settings = flattenConfigText(r.configJson);
    // The stored configuration read as any configuration is; one this program cannot read (a
    // newer program's) leaves the columns empty.
    RunConfig c;
    try {
        c = runConfigFromJsonText(r.configJson, "run " + std::to_string(r.id) + " configuration");
    } catch (const Error&) {
        return s;
    }
    const auto text = [](const auto& v) { return QString::fromStdString(toString(v)); };
    s.dataset = text(c.data.dataset);
    s.network = QString::fromStdString(c.arch);
    s.epochs = c.epochs;
    s.sampler = c.contrastive.enabled ? text(c.contrastive.sampler) : QStringLiteral("none");
    if (c.distill.enabled())
        s.method = text(c.distill.method);
    else if (c.contrastive.enabled)
        s.method = text(c.contrastive.objective);
    else
        s.method = QStringLiteral("ce");
    return s;
}

}  // namespace scns
