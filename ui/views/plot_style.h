#pragma once
// Shared look of the plots: one colour per run (the same run keeps its colour in every
// view), one line style per metric, and the common interactions (zoom, pan).
#include <QColor>
#include <Qt>

class QCustomPlot;
class QLabel;
class QWidget;

namespace scns {

// Tableau-10 colours, cycling.
QColor runColor(int index);
Qt::PenStyle metricPenStyle(int index);
// Drag to pan, wheel to zoom, select legend items; font and margins of the workbench.
void setupPlot(QCustomPlot& plot);
// The bold line at the top of a single-run page naming the run it shows (hidden while empty).
QLabel* makeRunTitleLabel(QWidget* parent);

}  // namespace scns
