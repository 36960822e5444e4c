#include "views/confusion_matrix_view.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QVBoxLayout>

#include <numeric>

#include "common/qt_text.h"
#include "store/run_store.h"
#include "views/async_load.h"
#include "views/export.h"
#include "views/matrix_plot.h"

namespace scns {

double confusionAccuracy(const TestConfusionRecord& record)
{
    const auto n = record.classNames.size();
    if (record.counts.size() != n * n)
        return 0;
    std::int64_t total = 0, correct = 0;
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t c = 0; c < n; ++c) {
            total += record.counts[r * n + c];
            if (r == c)
                correct += record.counts[r * n + c];
        }
    return total == 0 ? 0.0 : 100.0 * static_cast<double>(correct) / static_cast<double>(total);
}

ConfusionMatrixView::ConfusionMatrixView(QWidget* parent)
    : QWidget(parent)
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_position(new QLabel(this))
    , m_normalize(new QCheckBox(tr("Percent of true class"), this))
    , m_status(new QLabel(this))
    , m_matrix(new MatrixPlot(this))
{
    m_slider->setEnabled(false);
    m_slider->setToolTip(tr("Epoch"));
    m_status->setWordWrap(true);
    m_status->setVisible(false);
    m_matrix->setAxisLabels(tr("true class"), tr("predicted class"));
    m_matrix->setCellLabels(true);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Epoch:"), this));
    controls->addWidget(m_slider, 1);
    controls->addWidget(m_position);
    controls->addWidget(m_normalize);
    controls->addWidget(makePlotExportButton(this, [this] { return m_matrix->plot(); }, QStringLiteral("confusion")));
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_status);
    layout->addWidget(m_matrix, 1);
    connect(m_slider, &QSlider::valueChanged, this, &ConfusionMatrixView::showRecord);
    connect(m_normalize, &QCheckBox::toggled, this, [this] { showRecord(currentIndex()); });
    setRecords({});
}

void ConfusionMatrixView::setRun(const QString& dbPath, qint64 runId)
{
    m_dbPath = dbPath;
    m_runId = runId;
    m_records.clear();
    reload();
}

void ConfusionMatrixView::reload()
{
    if (m_dbPath.isEmpty())
        return;
    const quint64 generation = ++m_generation;
    const std::filesystem::path path = m_dbPath.toStdString();
    const qint64 runId = m_runId;
    loadAsync(
        this, [path, runId] { return RunStore(path).testConfusions(runId); },
        [this, generation](const Loaded<std::vector<TestConfusionRecord>>& result) {
            if (generation != m_generation)
                return;
            if (!result.value) {
                m_status->setText(result.error);
                m_status->setVisible(true);
                Q_EMIT loadFailed(result.error);
                return;
            }
            setRecords(*result.value);
            Q_EMIT loaded();
        });
}

void ConfusionMatrixView::setRecords(std::vector<TestConfusionRecord> records)
{
    m_records = std::move(records);
    const int n = recordCount();
    {
        QSignalBlocker block(m_slider);
        m_slider->setRange(0, std::max(0, n - 1));
        m_slider->setValue(std::max(0, n - 1));
        m_slider->setEnabled(n > 1);
    }
    m_status->setText(n == 0 ? tr("No confusion matrix recorded for this run yet.") : QString());
    m_status->setVisible(n == 0);
    showRecord(n - 1);
}

int ConfusionMatrixView::currentIndex() const { return m_records.empty() ? -1 : m_slider->value(); }

void ConfusionMatrixView::setCurrentIndex(int index)
{
    if (index >= 0 && index < recordCount())
        m_slider->setValue(index);
}

void ConfusionMatrixView::setNormalized(bool on) { m_normalize->setChecked(on); }

bool ConfusionMatrixView::normalized() const { return m_normalize->isChecked(); }

void ConfusionMatrixView::showRecord(int index)
{
    if (index < 0 || index >= recordCount()) {
        m_matrix->clear();
        m_matrix->setTitle(tr("Test confusion matrix"));
        m_position->clear();
        return;
    }
    const auto& rec = m_records[static_cast<std::size_t>(index)];
    const int n = static_cast<int>(rec.classNames.size());
    QVector<double> values(static_cast<qsizetype>(n) * n, 0.0);
    const bool percent = normalized();
    for (int r = 0; r < n && rec.counts.size() == static_cast<std::size_t>(n) * n; ++r) {
        const auto rowBegin = rec.counts.begin() + static_cast<std::ptrdiff_t>(r) * n;
        const double rowSum = static_cast<double>(std::accumulate(rowBegin, rowBegin + n, std::int64_t{0}));
        for (int c = 0; c < n; ++c) {
            const double count = static_cast<double>(rec.counts[static_cast<std::size_t>(r * n + c)]);
            values[r * n + c] = percent ? (rowSum > 0 ? 100.0 * count / rowSum : 0.0) : count;
        }
    }
    m_matrix->setValueDecimals(percent ? 1 : 0);
    m_matrix->setHoverFormat(percent ? tr("true %1, predicted %2: %3 %") : tr("true %1, predicted %2: %3"));
    m_matrix->setScaleLabel(percent ? tr("% of true class") : tr("images"));
    m_matrix->setMatrix(toQStringList(rec.classNames), values, 0, percent ? 100.0 : 0.0);
    m_matrix->setTitle(tr("Test confusion after epoch %1 (top-1 %2 %)")
                           .arg(rec.epoch)
                           .arg(QString::number(confusionAccuracy(rec), 'f', 2)));
    m_position->setText(tr("%1 / %2").arg(index + 1).arg(recordCount()));
}

}  // namespace scns
