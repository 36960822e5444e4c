#include "views/matrix_plot.h"

#include <QMouseEvent>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "views/plot_style.h"
#include "views/qcp.h"

namespace scns {

MatrixPlot::MatrixPlot(QWidget* parent)
    : QWidget(parent), m_plot(new QCustomPlot(this))
{
    m_plot->setMinimumSize(360, 300);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->plotLayout()->insertRow(0);
    m_title = new QCPTextElement(m_plot, QString(), QFont(font().family(), font().pointSize() + 1, QFont::Bold));
    m_plot->plotLayout()->addElement(0, 0, m_title);
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setInterpolate(false);
    // Not tight: every cell, the outer ones included, is a whole cell centred on its tick
    // (a tight boundary would cut the outer rows and columns to half cells).
    m_map->setTightBoundary(false);
    m_scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(1, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_map->setColorScale(m_scale);
    // Viridis (perceptually uniform, readable in grey), which QCustomPlot 2.1 lacks.
    QCPColorGradient viridis;
    viridis.clearColorStops();
    viridis.setColorStopAt(0.0, QColor(68, 1, 84));
    viridis.setColorStopAt(0.25, QColor(59, 82, 139));
    viridis.setColorStopAt(0.5, QColor(33, 145, 140));
    viridis.setColorStopAt(0.75, QColor(94, 201, 98));
    viridis.setColorStopAt(1.0, QColor(253, 231, 37));
    m_map->setGradient(viridis);
    // The scale runs beside the matrix, not the whole widget height.
    auto* margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    m_plot->yAxis->setRangeReversed(true);  // row 0 at the top
    m_plot->xAxis->setTickLabelRotation(45);
    for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis}) {
        axis->grid()->setVisible(false);
        axis->setSubTicks(false);
        axis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    }
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    setMouseTracking(true);
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
        const QString text = hoverTextAt(e->position());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(m_plot->mapToGlobal(e->position().toPoint()), text, m_plot);
    });
}

void MatrixPlot::setMatrix(const QStringList& classNames, const QVector<double>& values, double low, double high)
{
    const int n = static_cast<int>(classNames.size());
    if (values.size() != static_cast<qsizetype>(n) * n) {
        clear();
        return;
    }
    m_classNames = classNames;
    m_values = values;
    // Cell (column c, row r) is centred on (c, r).
    m_map->data()->setSize(n, n);
    m_map->data()->setRange(QCPRange(0, std::max(0, n - 1)), QCPRange(0, std::max(0, n - 1)));
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c)
            m_map->data()->setCell(c, r, values[r * n + c]);
    if (low == high)
        m_map->rescaleDataRange(true);
    else
        m_map->setDataRange(QCPRange(low, high));
    QVector<double> ticks;
    QVector<QString> labels;
    for (int i = 0; i < n; ++i) {
        ticks << i;
        labels << classNames[i];
    }
    for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis}) {
        auto ticker = axis->ticker().dynamicCast<QCPAxisTickerText>();
        ticker->setTicks(ticks, labels);
        axis->setRange(-0.5, n - 0.5);
    }
    for (auto* label : m_labels)
        m_plot->removeItem(label);
    m_labels.clear();
    if (m_cellLabels && n <= 15) {
        const QCPRange range = m_map->dataRange();
        for (int r = 0; r < n; ++r)
            for (int c = 0; c < n; ++c) {
                auto* text = new QCPItemText(m_plot);
                text->position->setCoords(c, r);
                text->setText(QString::number(values[r * n + c], 'f', m_decimals));
                // Light text on the dark end of the gradient, dark text on the light end.
                const QColor cell(m_map->gradient().color(values[r * n + c], range));
                text->setColor(cell.lightness() < 128 ? Qt::white : Qt::black);
                text->setClipToAxisRect(true);
                m_labels << text;
            }
    }
    // Many classes (CIFAR-100): labels only as far as they can be read.
    const bool readable = n <= 40;
    m_plot->xAxis->setTickLabels(readable);
    m_plot->yAxis->setTickLabels(readable);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QStringList MatrixPlot::cellLabelTexts() const
{
    QStringList out;
    for (const auto* label : m_labels)
        out << label->text();
    return out;
}

void MatrixPlot::clear()
{
    for (auto* label : m_labels)
        m_plot->removeItem(label);
    m_labels.clear();
    m_classNames.clear();
    m_values.clear();
    m_map->data()->clear();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void MatrixPlot::setTitle(const QString& title)
{
    m_title->setText(title);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString MatrixPlot::title() const { return m_title->text(); }

void MatrixPlot::setAxisLabels(const QString& rows, const QString& columns)
{
    m_plot->yAxis->setLabel(rows);
    m_plot->xAxis->setLabel(columns);
}

void MatrixPlot::setScaleLabel(const QString& label) { m_scale->axis()->setLabel(label); }

void MatrixPlot::setHoverFormat(const QString& format) { m_hoverFormat = format; }

double MatrixPlot::value(int row, int column) const
{
    const int n = size();
    if (row < 0 || column < 0 || row >= n || column >= n)
        return std::nan("");
    return m_values[row * n + column];
}

double MatrixPlot::cellValue(int row, int column) const { return m_map->data()->cell(column, row); }

QString MatrixPlot::hoverTextForCell(int row, int column) const
{
    const int n = size();
    if (row < 0 || column < 0 || row >= n || column >= n)
        return {};
    return m_hoverFormat.arg(m_classNames[row], m_classNames[column], QString::number(value(row, column), 'f', m_decimals));
}

QString MatrixPlot::hoverTextAt(const QPointF& pixel) const
{
    if (size() == 0 || !m_plot->axisRect()->rect().contains(pixel.toPoint()))
        return {};
    const int column = static_cast<int>(std::lround(m_plot->xAxis->pixelToCoord(pixel.x())));
    const int row = static_cast<int>(std::lround(m_plot->yAxis->pixelToCoord(pixel.y())));
    return hoverTextForCell(row, column);
}

}  // namespace scns
