#include "browser/run_summary.h"

#include <nlohmann/json.hpp>

namespace scns {

namespace {

QString stringAt(const nlohmann::json& j, std::initializer_list<const char*> path)
{
    const nlohmann::json* node = &j;
    for (const char* key : path) {
        if (!node->is_object())
            return {};
        const auto it = node->find(key);
        if (it == node->end())
            return {};
        node = &*it;
    }
    return node->is_string() ? QString::fromStdString(node->get<std::string>()) : QString();
}

}  // namespace

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
    const auto j = nlohmann::json::parse(r.configJson, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object())
        return s;
    s.dataset = stringAt(j, {"data", "dataset"});
    s.network = stringAt(j, {"model", "arch"});
    if (const auto e = j.find("epochs"); e != j.end() && e->is_number_integer())
        s.epochs = e->get<qint64>();
    const auto con = j.find("contrastive");
    const bool contrastive = con != j.end() && con->is_object() && con->value("enabled", false);
    s.sampler = contrastive ? stringAt(j, {"contrastive", "sampler"}) : QStringLiteral("none");
    const QString distill = stringAt(j, {"distill", "method"});
    if (!distill.isEmpty() && distill != QLatin1String("none"))
        s.method = distill;
    else if (contrastive)
        s.method = stringAt(j, {"contrastive", "objective"});
    else
        s.method = QStringLiteral("ce");
    return s;
}

}  // namespace scns
