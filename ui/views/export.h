#pragma once
// Export of what a view shows: plots as PNG or PDF (by file suffix), item models as CSV.
#include <QString>
#include <QToolButton>
#include <functional>

class QAbstractItemModel;
class QCustomPlot;

class QWidget;

namespace scns {

// Saves the plot as PNG or PDF, chosen by the suffix of `path` (case-insensitive); width and
// height 0 keep the widget's size (PNG at twice the pixel density). Returns an error message,
// empty on success.
QString savePlot(QCustomPlot& plot, const QString& path, int width = 0, int height = 0);

// A widget as drawn on screen (the negatives grid), PNG or PDF by suffix. Returns an error
// message, empty on success.
QString saveWidget(QWidget& widget, const QString& path);

// The model's table as CSV (RFC 4180): a header row from the horizontal header data, then one
// line per row of DisplayRole text; fields with commas, quotes or line breaks are quoted.
QString modelToCsv(const QAbstractItemModel& model);
// Writes modelToCsv to `path`. Returns an error message, empty on success.
QString saveCsv(const QAbstractItemModel& model, const QString& path);

// A tool button "Export" whose menu saves the plot (PNG, PDF) through a file dialog.
// `plot` is asked at click time, so views that swap plots still export the visible one.
QToolButton* makePlotExportButton(QWidget* parent, std::function<QCustomPlot*()> plot, const QString& baseName);
// The same for any widget (saveWidget).
QToolButton* makeWidgetExportButton(QWidget* parent, std::function<QWidget*()> widget, const QString& baseName);
// A tool button that saves the model as CSV through a file dialog.
QToolButton* makeCsvExportButton(QWidget* parent, const QAbstractItemModel* model, const QString& baseName);

}  // namespace scns
