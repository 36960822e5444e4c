// CurvesView's seed groups (curves_view.h, "Seed groups"): runs equal but for the seed drawn as
// one mean curve per setting with an sd or 95% CI band.
#include <QCheckBox>
#include <QComboBox>

#include <algorithm>

#include "views/config_diff.h"
#include "views/curves_view.h"
#include "views/plot_style.h"
#include "views/qcp.h"

namespace scns {

namespace {

// A seed group's legend label, shorter than the Compare table's: each key by its last two
// dotted parts, strings without quotes ("contrastive.mixup.count=4, contrastive.sampler=\"class\""
// reads "mixup.count=4, contrastive.sampler=class").
QString compactGroupLabel(const std::string& label)
{
    QStringList parts;
    for (const QString& part : QString::fromStdString(label).split(QStringLiteral(", "))) {
        const qsizetype eq = part.indexOf(QLatin1Char('='));
        if (eq < 0) {
            parts << part;
            continue;
        }
        const QStringList key = part.left(eq).split(QLatin1Char('.'));
        QString value = part.mid(eq + 1);
        if (value.size() >= 2 && value.startsWith(QLatin1Char('"')) && value.endsWith(QLatin1Char('"')))
            value = value.mid(1, value.size() - 2);
        parts << key.mid(std::max<qsizetype>(0, key.size() - 2)).join(QLatin1Char('.')) + QLatin1Char('=') + value;
    }
    return parts.join(QStringLiteral(", "));
}

}  // namespace

// Seed groups average runs at the x values they share: steps or epochs, never clock times.
bool CurvesView::seedGroups() const { return m_groupCheck->isChecked() && !isTimeAxis(m_axis); }
void CurvesView::setSeedGroups(bool on) { m_groupCheck->setChecked(on); }
BandKind CurvesView::bandKind() const { return m_bandCombo->currentIndex() == 1 ? BandKind::Ci95 : BandKind::Sd; }
void CurvesView::setBandKind(BandKind kind) { m_bandCombo->setCurrentIndex(kind == BandKind::Ci95 ? 1 : 0); }
QStringList CurvesView::groupLabels() const { return m_groupLabels; }

CurvesView::GroupGraphs CurvesView::groupGraphs(int group, const QString& metric) const
{
    return m_groupGraphs.value(QString::number(group) + QLatin1Char('\n') + metric);
}

void CurvesView::clearGroupGraphs()
{
    for (const GroupGraphs& g : std::as_const(m_groupGraphs))
        for (QCPGraph* graph : {g.upper, g.lower, g.mean})
            if (graph)
                removeGraph(graph);
    m_groupGraphs.clear();
    m_groupLabels.clear();
}

void CurvesView::rebuildGroupGraphs(const QStringList& metrics)
{
    clearGroupGraphs();
    std::vector<std::map<std::string, std::string>> configs;
    for (const auto& run : m_runs)
        configs.push_back(run.config);
    const std::vector<SeedGroup> groups = groupBySeed(configs);
    const BandKind kind = bandKind();
    const AxisSplit split = splitByUnit(metrics);
    for (int gi = 0; gi < static_cast<int>(groups.size()); ++gi) {
        const SeedGroup& group = groups[static_cast<std::size_t>(gi)];
        const QString label =
            QStringLiteral("%1 (n = %2)").arg(compactGroupLabel(group.label)).arg(group.members.size());
        m_groupLabels << label;
        for (int mi = 0; mi < metrics.size(); ++mi) {
            std::vector<XYSeries> members;
            bool epochWise = false;
            for (const int r : group.members) {
                const RunCurves& run = m_runs[static_cast<std::size_t>(r)];
                const auto s = run.series.find(metrics[mi].toStdString());
                if (s == run.series.end() || s->second.empty())
                    continue;
                XYSeries xy = toSeries(s->second, m_axis);
                epochWise = isEpochWise(s->second);
                if (!epochWise && smoothing() > 0)
                    xy.y = emaSmooth(xy.y, smoothing());
                members.push_back(std::move(xy));
            }
            if (members.empty())
                continue;
            const BandSeries band = seedBand(members, kind);
            const QColor color = runColor(gi);
            GroupGraphs g;
            QCPAxis* valueAxis = valueAxisFor(metrics[mi], split);
            g.lower = m_plot->addGraph(m_plot->xAxis, valueAxis);
            g.upper = m_plot->addGraph(m_plot->xAxis, valueAxis);
            QColor fill = color;
            fill.setAlpha(50);
            for (QCPGraph* edge : {g.lower, g.upper}) {
                edge->setPen(Qt::NoPen);
                edge->removeFromLegend();
                edge->setSelectable(QCP::stNone);
            }
            g.upper->setBrush(fill);
            g.upper->setChannelFillGraph(g.lower);
            g.lower->setData(band.x, band.lower, true);
            g.upper->setData(band.x, band.upper, true);
            g.mean = m_plot->addGraph(m_plot->xAxis, valueAxis);
            g.mean->setPen(QPen(color, 1.8, metricPenStyle(mi)));
            if (epochWise)
                g.mean->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
            g.mean->setName(metrics.size() == 1 ? label : label + QStringLiteral(" · ") + metrics[mi]);
            g.mean->setData(band.x, band.mean, true);
            m_groupGraphs.insert(QString::number(gi) + QLatin1Char('\n') + metrics[mi], g);
        }
    }
}

}  // namespace scns
