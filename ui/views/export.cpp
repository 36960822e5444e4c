#include "views/export.h"

#include <QAbstractItemModel>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QStringList>
#include <QToolButton>
#include "views/qcp.h"

namespace scns {

QString savePlot(QCustomPlot& plot, const QString& path, int width, int height)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    bool ok = false;
    if (suffix == QLatin1String("png"))
        ok = plot.savePng(path, width, height, 2.0);
    else if (suffix == QLatin1String("pdf"))
        ok = plot.savePdf(path, width, height);
    else
        return QStringLiteral("cannot export '%1': use a .png or .pdf file name").arg(path);
    return ok ? QString() : QStringLiteral("could not write '%1'").arg(path);
}

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
                             const QString path = QFileDialog::getSaveFileName(
                                 parent, QObject::tr("Export plot"), baseName + QLatin1Char('.') + suffix,
                                 suffix.toUpper() + QStringLiteral(" (*.") + suffix + QLatin1Char(')'));
                             if (path.isEmpty() || !plot())
                                 return;
                             reportIfError(parent, savePlot(*plot(), path));
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
