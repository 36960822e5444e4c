#pragma once
// Shared look of the plots: one colour per run (the same run keeps its colour in every
// view), one line style per metric, and the common interactions (zoom, pan).
#include <QColor>
#include <Qt>

class QCPAxis;
class QCustomPlot;
class QLabel;
class QPalette;
class QWidget;

namespace scns {

// Tableau-10 colours, cycling.
QColor runColor(int index);
Qt::PenStyle metricPenStyle(int index);
// Drag to pan, wheel to zoom, select legend items; font and margins of the workbench; the
// colours of the plot's palette (applyPalette).
void setupPlot(QCustomPlot& plot);
// Background, axes, tick labels, grid and legend in the palette's colours (Base, Text, Mid), so
// a dark desktop theme gets a dark plot; call again on QEvent::PaletteChange.
void applyPalette(QCustomPlot& plot, const QPalette& palette);
// A legend kept in a column of its own right of the axes (the curves' layout) moves to a row
// below the axes while its entries would take more than a third of `width` (long seed-group
// labels, a figure exported one paper column wide), and back beside them when there is room.
// Returns whether it is below. A legend inside the axes is left alone.
bool fitLegend(QCustomPlot& plot, int width);
// A logarithmic or linear value scale. Log ticks are labelled at every power of ten over
// ranges of two decades and more; narrower ranges (a loss from 0.3 to 2.5) get 1-2-5 (or
// 1..9) ticks per decade, and a range inside one decade linear ticks, so there are always a few
// labelled ticks.
void setLogScale(QCPAxis& axis, bool on);
// The bold line at the top of a single-run page naming the run it shows (hidden while empty).
QLabel* makeRunTitleLabel(QWidget* parent);

}  // namespace scns
