#pragma once
// Export of what a view shows: plots as PNG or PDF (by file suffix), item models as CSV.
#include <QDialog>
#include <QSize>
#include <QString>
#include <QToolButton>
#include <functional>

class QAbstractItemModel;
class QComboBox;
class QCustomPlot;
class QSpinBox;

class QWidget;

namespace scns {

// Saves the plot as PNG or PDF, chosen by the suffix of `path` (case-insensitive); width and
// height (points; 0 keeps the widget's size) set the layout the plot is drawn at, so fonts keep
// their size and a small figure gets room for its labels; a PNG has `scale` pixels per point
// (2: twice the pixel density, 144 dpi). Returns an error message, empty on success.
QString savePlot(QCustomPlot& plot, const QString& path, int width = 0, int height = 0, double scale = 2.0);

// What the plot export asks before it writes: the figure's size (as shown, a paper column, two
// columns, a 16:9 slide, a square, or custom width x height in points) and, for PNG, the pixel
// density. The preset sizes are the aspect ratios figures are usually wanted in.
class PlotExportDialog : public QDialog {
    Q_OBJECT
public:
    PlotExportDialog(QSize shown, bool raster, QWidget* parent = nullptr);
    QSize figureSize() const;  // points
    double scale() const;  // PNG pixels per point
    QComboBox* presets() const { return m_presets; }
    QSpinBox* widthBox() const { return m_width; }
    QSpinBox* heightBox() const { return m_height; }
    QComboBox* scaleBox() const { return m_scale; }

private:
    QComboBox* m_presets;
    QSpinBox *m_width, *m_height;
    QComboBox* m_scale;
};

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
