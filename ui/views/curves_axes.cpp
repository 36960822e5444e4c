// CurvesView's axes: the x axis (step, epoch, wall time, relative time) with its ticker and
// title, the log scale, and the split of the ticked metrics between the left and right y axes
// by unit.
#include "views/curves_view.h"

#include "views/qcp.h"
#include <QCheckBox>
#include <QComboBox>
#include <QSignalBlocker>

#include "views/plot_style.h"

namespace scns {

namespace {

QString axisTitle(CurveAxis axis)
{
    switch (axis) {
    case CurveAxis::Step: return QObject::tr("step");
    case CurveAxis::Epoch: return QObject::tr("epoch");
    case CurveAxis::WallTime: return QObject::tr("wall time (local)");
    case CurveAxis::RelativeTime: return QObject::tr("time since the run's start (h:mm:ss)");
    }
    return {};
}

}  // namespace

void CurvesView::setAxis(CurveAxis axis)
{
    if (axis == m_axis)
        return;
    m_axis = axis;
    {
        QSignalBlocker block(m_axisCombo);
        m_axisCombo->setCurrentIndex(static_cast<int>(axis));
    }
    m_plot->xAxis->setLabel(axisTitle(axis));
    if (axis == CurveAxis::Epoch) {
        // Ticks at epoch boundaries (or multiples of epochs when there are many).
        auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
        ticker->setTickStep(1);
        ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        m_plot->xAxis->setTicker(ticker);
    } else if (axis == CurveAxis::WallTime) {
        // Local clock time, with the day under it (runs go overnight).
        auto ticker = QSharedPointer<QCPAxisTickerDateTime>::create();
        ticker->setDateTimeFormat(QStringLiteral("HH:mm\nd MMM"));
        ticker->setDateTimeSpec(Qt::LocalTime);
        m_plot->xAxis->setTicker(ticker);
    } else if (axis == CurveAxis::RelativeTime) {
        // Hours absorb days: a 30-hour run reads 30:00:00.
        auto ticker = QSharedPointer<QCPAxisTickerTime>::create();
        ticker->setTimeFormat(QStringLiteral("%h:%m:%s"));
        m_plot->xAxis->setTicker(ticker);
    } else {
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    }
    m_groupCheck->setEnabled(!isTimeAxis(axis));
    m_groupCheck->setToolTip(isTimeAxis(axis) ? tr("Seed groups average the runs at each step or epoch: choose one of "
                                                   "those x axes")
                                              : tr("Runs that differ only by seed as one mean curve with a band, "
                                                   "coloured by setting"));
    m_userZoomed = false;
    for (auto it = m_graphs.begin(); it != m_graphs.end(); ++it)
        m_dirty.insert(it.key(), true);
    rebuildGraphs();
}

bool CurvesView::logY() const { return m_plot->yAxis->scaleType() == QCPAxis::stLogarithmic; }

void CurvesView::setLogY(bool on)
{
    {
        QSignalBlocker block(m_logCheck);
        m_logCheck->setChecked(on);
    }
    if (on == logY())
        return;
    setLogScale(*m_plot->yAxis, on);
    setLogScale(*m_plot->yAxis2, on);
    fitAll();
}

QString metricUnit(const QString& metric)
{
    if (metric.contains(QLatin1String("top1")) || metric.contains(QLatin1String("top5")))
        return QStringLiteral("%");
    if (metric.endsWith(QLatin1String("_seconds")))
        return QStringLiteral("s");
    if (metric.endsWith(QLatin1String("images_per_second")))
        return QStringLiteral("images/s");
    if (metric.endsWith(QLatin1String("_share")))
        return QStringLiteral("share, 0-1");
    return {};
}

AxisSplit splitByUnit(const QStringList& metrics)
{
    AxisSplit split;
    for (const QString& m : metrics)
        (metricUnit(m) == metricUnit(metrics.front()) ? split.left : split.right) << m;
    return split;
}

QString curvesAxisTitle(const QStringList& metrics)
{
    if (metrics.isEmpty())
        return {};
    QString unit = metricUnit(metrics.front());
    for (const QString& m : metrics)
        if (metricUnit(m) != unit)
            unit.clear();
    const QString names = metrics.size() <= 3 ? metrics.join(QStringLiteral(", ")) : QObject::tr("value");
    return unit.isEmpty() ? names : QStringLiteral("%1 (%2)").arg(names, unit);
}

QCPAxis* CurvesView::valueAxisFor(const QString& metric, const AxisSplit& split) const
{
    return split.right.contains(metric) ? m_plot->yAxis2 : m_plot->yAxis;
}

}  // namespace scns
