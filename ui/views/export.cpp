#include "views/export.h"

#include <QAbstractItemModel>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSpinBox>
#include <QStringList>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>
#include "views/plot_style.h"
#include "views/qcp.h"

namespace scns {

QString savePlot(QCustomPlot& plot, const QString& path, int width, int height, double scale)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    bool ok = false;
    if (suffix != QLatin1String("png") && suffix != QLatin1String("pdf"))
        return QStringLiteral("cannot export '%1': use a .png or .pdf file name").arg(path);
    // Laid out for the figure's width (a narrow figure gets its legend below the data), then
    // back as it was on screen.
    fitLegend(plot, width > 0 ? width : plot.width());
    // Entries wider than the figure (less the margins and the empty legend column) get a
    // smaller font, down to 5 pt, rather than being cut.
    const QFont legendFont = plot.legend->font();
    for (int i = 0; i < 4 && width > 0 && legendFont.pointSizeF() > 0; ++i) {
        const int legendWidth = plot.legend->minimumOuterSizeHint().width();
        const QFont now = plot.legend->font();
        if (legendWidth <= width - 40 || now.pointSizeF() <= 5.0)
            break;
        QFont smaller = now;  // the entries' icons and padding do not shrink: aim a little lower
        smaller.setPointSizeF(std::max(5.0, now.pointSizeF() * 0.95 * (width - 40) / legendWidth));
        plot.legend->setFont(smaller);
    }
    if (suffix == QLatin1String("png"))
        ok = plot.savePng(path, width, height, scale, -1, static_cast<int>(std::lround(72 * scale)));
    else
        ok = plot.savePdf(path, width, height);
    plot.legend->setFont(legendFont);
    fitLegend(plot, plot.width());
    return ok ? QString() : QStringLiteral("could not write '%1'").arg(path);
}

PlotExportDialog::PlotExportDialog(QSize shown, bool raster, QWidget* parent)
    : QDialog(parent), m_presets(new QComboBox(this)), m_width(new QSpinBox(this)), m_height(new QSpinBox(this)),
      m_scale(new QComboBox(this))
{
    setWindowTitle(tr("Export plot"));
    // Sizes in points (1/72 in): a paper column is about 3.5 in wide, two columns 7 in.
    const struct {
        QString label;
        QSize size;
    } presets[] = {
        {tr("As shown (%1 × %2)").arg(shown.width()).arg(shown.height()), shown},
        {tr("One paper column (3.5 × 2.6 in)"), {252, 187}},
        {tr("Two paper columns (7 × 3 in)"), {504, 216}},
        {tr("Slide, 16:9 (960 × 540)"), {960, 540}},
        {tr("Square (600 × 600)"), {600, 600}},
    };
    for (const auto& p : presets)
        m_presets->addItem(p.label, p.size);
    m_presets->addItem(tr("Custom"), QSize());
    for (QSpinBox* box : {m_width, m_height}) {
        box->setRange(100, 4000);
        box->setSuffix(tr(" pt"));
    }
    m_width->setValue(shown.width());
    m_height->setValue(shown.height());
    for (const int s : {1, 2, 3, 4})
        m_scale->addItem(tr("%1× (%2 dpi)").arg(s).arg(72 * s), s);
    m_scale->setCurrentIndex(1);
    m_scale->setEnabled(raster);
    connect(m_presets, &QComboBox::currentIndexChanged, this, [this] {
        const QSize s = m_presets->currentData().toSize();
        const bool custom = !s.isValid();
        m_width->setEnabled(custom);
        m_height->setEnabled(custom);
        if (!custom) {
            m_width->setValue(s.width());
            m_height->setValue(s.height());
        }
    });
    m_width->setEnabled(false);
    m_height->setEnabled(false);
    auto* form = new QFormLayout;
    form->addRow(tr("Size:"), m_presets);
    form->addRow(tr("Width:"), m_width);
    form->addRow(tr("Height:"), m_height);
    form->addRow(tr("Pixel density (PNG):"), m_scale);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

QSize PlotExportDialog::figureSize() const { return {m_width->value(), m_height->value()}; }

double PlotExportDialog::scale() const { return m_scale->currentData().toDouble(); }

QString saveWidget(QWidget& widget, const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return widget.grab().save(path, "PNG") ? QString() : QStringLiteral("could not write '%1'").arg(path);
    if (suffix != QLatin1String("pdf"))
        return QStringLiteral("cannot export '%1': use a .png or .pdf file name").arg(path);
    QPdfWriter pdf(path);
    pdf.setPageSize(QPageSize(widget.size(), QPageSize::Point));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    pdf.setResolution(72);
    QPainter painter;
    if (!painter.begin(&pdf))
        return QStringLiteral("could not write '%1'").arg(path);
    widget.render(&painter);
    painter.end();
    return {};
}

namespace {

QString csvField(QString s)
{
    if (s.contains(QLatin1Char(',')) || s.contains(QLatin1Char('"')) || s.contains(QLatin1Char('\n'))
        || s.contains(QLatin1Char('\r'))) {
        s.replace(QLatin1String("\""), QLatin1String("\"\""));
        return QLatin1Char('"') + s + QLatin1Char('"');
    }
    return s;
}

}  // namespace

QString modelToCsv(const QAbstractItemModel& model)
{
    QString out;
    QStringList fields;
    for (int c = 0; c < model.columnCount(); ++c)
        fields << csvField(model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString());
    out += fields.join(QLatin1Char(',')) + QLatin1String("\r\n");
    for (int r = 0; r < model.rowCount(); ++r) {
        fields.clear();
        for (int c = 0; c < model.columnCount(); ++c)
            fields << csvField(model.data(model.index(r, c), Qt::DisplayRole).toString());
        out += fields.join(QLatin1Char(',')) + QLatin1String("\r\n");
    }
    return out;
}

QString saveCsv(const QAbstractItemModel& model, const QString& path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("could not open '%1': %2").arg(path, file.errorString());
    file.write(modelToCsv(model).toUtf8());
    if (!file.commit())
        return QStringLiteral("could not write '%1': %2").arg(path, file.errorString());
    return {};
}

namespace {

void reportIfError(QWidget* parent, const QString& error)
{
    if (!error.isEmpty())
        QMessageBox::warning(parent, QObject::tr("Export"), error);
}

}  // namespace

QToolButton* makePlotExportButton(QWidget* parent, std::function<QCustomPlot*()> plot, const QString& baseName)
{
    auto* button = new QToolButton(parent);
    button->setText(QObject::tr("Export"));
    button->setToolTip(QObject::tr("Save the plot as PNG or PDF"));
    button->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(button);
    for (const QString& suffix : {QStringLiteral("png"), QStringLiteral("pdf")}) {
        QObject::connect(menu->addAction(QObject::tr("Save as %1…").arg(suffix.toUpper())), &QAction::triggered, button,
                         [parent, plot, baseName, suffix] {
                             QCustomPlot* shown = plot();
                             if (!shown)
                                 return;
                             PlotExportDialog size(shown->size(), suffix == QLatin1String("png"), parent);
                             if (size.exec() != QDialog::Accepted)
                                 return;
                             const QString path = QFileDialog::getSaveFileName(
                                 parent, QObject::tr("Export plot"), baseName + QLatin1Char('.') + suffix,
                                 suffix.toUpper() + QStringLiteral(" (*.") + suffix + QLatin1Char(')'));
                             if (path.isEmpty() || !plot())
                                 return;
                             const QSize figure = size.figureSize();
                             reportIfError(parent, savePlot(*plot(), path, figure.width(), figure.height(), size.scale()));
                         });
    }
    button->setMenu(menu);
    return button;
}

QToolButton* makeWidgetExportButton(QWidget* parent, std::function<QWidget*()> widget, const QString& baseName)
{
    auto* button = new QToolButton(parent);
    button->setText(QObject::tr("Export"));
    button->setToolTip(QObject::tr("Save what is shown as PNG or PDF"));
    button->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(button);
    for (const QString& suffix : {QStringLiteral("png"), QStringLiteral("pdf")}) {
        QObject::connect(menu->addAction(QObject::tr("Save as %1…").arg(suffix.toUpper())), &QAction::triggered, button,
                         [parent, widget, baseName, suffix] {
                             const QString path = QFileDialog::getSaveFileName(
                                 parent, QObject::tr("Export"), baseName + QLatin1Char('.') + suffix,
                                 suffix.toUpper() + QStringLiteral(" (*.") + suffix + QLatin1Char(')'));
                             if (path.isEmpty() || !widget())
                                 return;
                             reportIfError(parent, saveWidget(*widget(), path));
                         });
    }
    button->setMenu(menu);
    return button;
}

QToolButton* makeCsvExportButton(QWidget* parent, const QAbstractItemModel* model, const QString& baseName)
{
    auto* button = new QToolButton(parent);
    button->setText(QObject::tr("Export CSV…"));
    button->setToolTip(QObject::tr("Save the table as CSV"));
    QObject::connect(button, &QToolButton::clicked, button, [parent, model, baseName] {
        const QString path = QFileDialog::getSaveFileName(parent, QObject::tr("Export table"), baseName + QStringLiteral(".csv"),
                                                          QObject::tr("CSV (*.csv)"));
        if (!path.isEmpty())
            reportIfError(parent, saveCsv(*model, path));
    });
    return button;
}

}  // namespace scns
