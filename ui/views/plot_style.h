#pragma once
// Shared look of the plots: one colour per run (the same run keeps its colour in every
// view), one line style per metric, and the common interactions (zoom, pan).
#include <QColor>
#include <Qt>

class QCustomPlot;

namespace scns {

// Tableau-10 colours, cycling.
QColor runColor(int index);
Qt::PenStyle metricPenStyle(int index);
// Drag to pan, wheel to zoom, select legend items; font and margins of the workbench.
void setupPlot(QCustomPlot& plot);

}  // namespace scns
