#pragma once
// A class-by-class matrix drawn as cells (QCPColorMap without interpolation): class names
// label both axes (row 0 at the top, as in a table), a colour scale beside it, and hovering a
// cell shows the pair and its value. Used by the similarity heat map and the confusion matrix.
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

class QCPColorMap;
class QCPColorScale;
class QCPItemText;
class QCPTextElement;
class QCustomPlot;

namespace scns {

class MatrixPlot : public QWidget {
    Q_OBJECT
public:
    explicit MatrixPlot(QWidget* parent = nullptr);

    // values: rows x columns, row-major, with rows = columns = classNames.size(). The range
    // of the colour scale is [low, high] (low == high: the data's range).
    void setMatrix(const QStringList& classNames, const QVector<double>& values, double low = 0, double high = 0);
    void clear();
    void setTitle(const QString& title);
    void setAxisLabels(const QString& rows, const QString& columns);
    void setScaleLabel(const QString& label);
    // "%1" row name, "%2" column name, "%3" value: how hover text reads, e.g. "%1 ↔ %2: %3".
    void setHoverFormat(const QString& format);
    void setValueDecimals(int decimals) { m_decimals = decimals; }
    // Writes each cell's value into it (matrices of at most 15 classes; larger ones only
    // by hover). Takes effect at the next setMatrix().
    void setCellLabels(bool on) { m_cellLabels = on; }
    // The texts written into the cells, row-major (empty when off).
    QStringList cellLabelTexts() const;

    int size() const { return static_cast<int>(m_classNames.size()); }
    double value(int row, int column) const;
    // The value the colour map holds for the cell (what is drawn).
    double cellValue(int row, int column) const;
    QString title() const;
    QStringList classNames() const { return m_classNames; }
    // Hover text for a cell; empty outside the matrix.
    QString hoverTextForCell(int row, int column) const;
    // Hover text at a pixel of the plot (what a tooltip shows there).
    QString hoverTextAt(const QPointF& pixel) const;
    QCustomPlot* plot() const { return m_plot; }
    QCPColorMap* colorMap() const { return m_map; }

private:
    QStringList m_classNames;
    QVector<double> m_values;
    QString m_hoverFormat = QStringLiteral("%1 ↔ %2: %3");
    int m_decimals = 3;
    bool m_cellLabels = false;
    QList<QCPItemText*> m_labels;
    QCustomPlot* m_plot;
    QCPColorMap* m_map;
    QCPColorScale* m_scale;
    QCPTextElement* m_title;
};

}  // namespace scns
