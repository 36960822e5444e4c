#include "views/plot_style.h"

#include <QLabel>
#include <QPalette>

#include "views/qcp.h"
#include <array>
#include <cmath>

namespace scns {

namespace {

class ReadableLogTicker : public QCPAxisTickerLog {
protected:
    QVector<double> createTickVector(double tickStep, const QCPRange& range) override
    {
        if (!(range.lower > 0) || !(range.upper > range.lower))
            return QCPAxisTickerLog::createTickVector(tickStep, range);
        const double decades = std::log10(range.upper / range.lower);
        if (decades >= 2)
            return QCPAxisTickerLog::createTickVector(tickStep, range);
        static const std::array<double, 3> few = {1, 2, 5};
        static const std::array<double, 9> many = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        QVector<double> ticks;
        const auto add = [&](const auto& mantissas) {
            ticks.clear();
            for (int k = static_cast<int>(std::floor(std::log10(range.lower)));
                 k <= static_cast<int>(std::ceil(std::log10(range.upper))); ++k)
                for (double m : mantissas) {
                    const double v = m * std::pow(10.0, k);
                    if (v >= range.lower && v <= range.upper)
                        ticks << v;
                }
        };
        add(few);
        if (ticks.size() < 3)
            add(many);
        if (ticks.size() < 3) {
            // Inside one decade: evenly spaced ticks, as on a linear axis.
            const double step = QCPAxisTicker::getTickStep(range);
            return QCPAxisTicker::createTickVector(step, range);
        }
        return ticks;
    }
    int getSubTickCount(double tickStep) override { return 0; }
};

}  // namespace

QColor runColor(int index)
{
    static const std::array<QRgb, 10> colors = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                                0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
    return QColor(colors[static_cast<std::size_t>(index) % colors.size()]);
}

Qt::PenStyle metricPenStyle(int index)
{
    static const std::array<Qt::PenStyle, 4> styles = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
    return styles[static_cast<std::size_t>(index) % styles.size()];
}

void setupPlot(QCustomPlot& plot)
{
    plot.setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot.setNoAntialiasingOnDrag(true);
    plot.setMinimumSize(320, 220);
    plot.xAxis->grid()->setSubGridVisible(false);
    plot.yAxis->grid()->setSubGridVisible(false);
    applyPalette(plot, plot.palette());
}

void applyPalette(QCustomPlot& plot, const QPalette& palette)
{
    const QColor text = palette.color(QPalette::Text), base = palette.color(QPalette::Base);
    QColor grid = palette.color(QPalette::Mid);
    grid.setAlpha(140);
    plot.setBackground(base);
    for (QCPAxisRect* rect : plot.axisRects()) {
        rect->setBackground(base);
        for (QCPAxis* axis : rect->axes()) {
            axis->setBasePen(QPen(text, 1));
            axis->setTickPen(QPen(text, 1));
            axis->setSubTickPen(QPen(text, 1));
            axis->setTickLabelColor(text);
            axis->setLabelColor(text);
            axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
            axis->grid()->setZeroLinePen(Qt::NoPen);
        }
    }
    if (plot.legend) {
        QColor fill = base;
        fill.setAlpha(220);
        plot.legend->setBrush(fill);
        plot.legend->setBorderPen(QPen(text, 1));
        plot.legend->setTextColor(text);
    }
}

void setLogScale(QCPAxis& axis, bool on)
{
    axis.setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on)
        axis.setTicker(QSharedPointer<ReadableLogTicker>::create());
    else
        axis.setTicker(QSharedPointer<QCPAxisTicker>::create());
}

QLabel* makeRunTitleLabel(QWidget* parent)
{
    auto* title = new QLabel(parent);
    title->setObjectName(QStringLiteral("runTitle"));
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    title->setVisible(false);
    return title;
}

bool fitLegend(QCustomPlot& plot, int width)
{
    QCPLegend* legend = plot.legend;
    QCPLayoutGrid* main = plot.plotLayout();
    auto* column = main->columnCount() > 1 ? qobject_cast<QCPLayoutGrid*>(main->element(0, 1)) : nullptr;
    if (!legend || !column || (legend->layout() != column && legend->layout() != main))
        return false;
    const bool isBelow = legend->layout() == main;
    const bool below = legend->minimumOuterSizeHint().width() > width / 3;
    if (below == isBelow)
        return below;
    if (below) {
        column->take(legend);
        main->addElement(1, 0, legend);
        main->setRowStretchFactor(1, 0.001);
        main->setMargins(QMargins(0, 0, 10, 6));  // the legend's frame clear of the widget's edges
    } else {
        main->take(legend);
        main->simplify();
        main->setMargins(QMargins());
        column->addElement(0, 0, legend);
    }
    return below;
}

}  // namespace scns
