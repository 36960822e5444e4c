#include "views/matrix_records_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QVBoxLayout>

#include "views/export.h"
#include "views/matrix_plot.h"
#include "views/plot_style.h"

namespace scns {

MatrixRecordsView::MatrixRecordsView(const QString& sliderLabel, const QString& sliderToolTip,
                                     const QString& exportName, QWidget* parent)
    : QWidget(parent)
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_title(makeRunTitleLabel(this))
    , m_position(new QLabel(this))
    , m_status(new QLabel(this))
    , m_matrix(new MatrixPlot(this))
    , m_controls(new QHBoxLayout)
{
    m_slider->setRange(0, 0);
    m_slider->setEnabled(false);
    m_slider->setToolTip(sliderToolTip);
    m_status->setWordWrap(true);
    m_controls->addWidget(new QLabel(sliderLabel, this));
    m_controls->addWidget(m_slider, 1);
    m_controls->addWidget(m_position);
    const auto plot = [this] { return m_matrix->plot(); };
    m_controls->addWidget(makePlotExportButton(this, plot, exportName));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addLayout(m_controls);
    layout->addWidget(m_status);
    layout->addWidget(m_matrix, 1);
    // showRecord is virtual: the connection calls the page's override.
    connect(m_slider, &QSlider::valueChanged, this, [this](int index) { showRecord(index); });
}

void MatrixRecordsView::setRunTitle(const QString& title)
{
    m_title->setText(title);
    m_title->setVisible(!title.isEmpty());
}

QString MatrixRecordsView::runTitle() const { return m_title->text(); }

void MatrixRecordsView::setRun(const QString& dbPath, qint64 runId)
{
    m_dbPath = dbPath;
    m_runId = runId;
    m_count = 0;
    reload();
}

void MatrixRecordsView::reload()
{
    if (m_dbPath.isEmpty())
        return;
    load(m_dbPath.toStdString(), m_runId);
}

int MatrixRecordsView::currentIndex() const { return m_count == 0 ? -1 : m_slider->value(); }

void MatrixRecordsView::setCurrentIndex(int index)
{
    if (index >= 0 && index < recordCount())
        m_slider->setValue(index);
}

void MatrixRecordsView::setRecordCount(int count, const QString& emptyText)
{
    m_count = count;
    {
        QSignalBlocker block(m_slider);
        m_slider->setRange(0, std::max(0, count - 1));
        m_slider->setValue(std::max(0, count - 1));
        m_slider->setEnabled(count > 1);
    }
    m_status->setText(count == 0 ? emptyText : QString());
    m_status->setVisible(count == 0);
    showRecord(count - 1);
}

void MatrixRecordsView::showStatus(const QString& text)
{
    m_status->setText(text);
    m_status->setVisible(true);
}

void MatrixRecordsView::failLoad(const QString& error)
{
    showStatus(error);
    Q_EMIT loadFailed(error);
}

void MatrixRecordsView::setPositionText(const QString& text) { m_position->setText(text); }

void MatrixRecordsView::addControl(QWidget* control) { m_controls->insertWidget(m_controls->count() - 1, control); }

}  // namespace scns
