#include "views/confusion_matrix_view.h"

#include <QCheckBox>

#include <numeric>

#include "common/qt_text.h"
#include "store/run_store.h"
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
    : MatrixRecordsView(tr("Epoch:"), tr("Epoch"), QStringLiteral("confusion"), parent)
    , m_normalize(new QCheckBox(tr("Percent of true class"), this))
{
    matrix()->setAxisLabels(tr("true class"), tr("predicted class"));
    matrix()->setCellLabels(true);
    addControl(m_normalize);
    connect(m_normalize, &QCheckBox::toggled, this, [this] { showRecord(currentIndex()); });
    setRecords({});
}

void ConfusionMatrixView::load(const std::filesystem::path& path, qint64 runId)
{
    loadRecords([path, runId] { return RunStore(path).testConfusions(runId); },
                [this](const std::vector<TestConfusionRecord>& records) { setRecords(records); });
}

void ConfusionMatrixView::setRecords(std::vector<TestConfusionRecord> records)
{
    m_records = std::move(records);
    setRecordCount(static_cast<int>(m_records.size()), tr("No confusion matrix recorded for this run yet."));
}

void ConfusionMatrixView::setNormalized(bool on) { m_normalize->setChecked(on); }

bool ConfusionMatrixView::normalized() const { return m_normalize->isChecked(); }

void ConfusionMatrixView::showRecord(int index)
{
    if (index < 0 || index >= recordCount()) {
        matrix()->clear();
        matrix()->setTitle(tr("Test confusion matrix"));
        setPositionText(QString());
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
    matrix()->setValueDecimals(percent ? 1 : 0);
    matrix()->setHoverFormat(percent ? tr("true %1, predicted %2: %3 %") : tr("true %1, predicted %2: %3"));
    matrix()->setScaleLabel(percent ? tr("% of true class") : tr("images"));
    matrix()->setMatrix(toQStringList(rec.classNames), values, 0, percent ? 100.0 : 0.0);
    matrix()->setTitle(tr("Test confusion after epoch %1 (top-1 %2 %)")
                           .arg(rec.epoch)
                           .arg(QString::number(confusionAccuracy(rec), 'f', 2)));
    setPositionText(tr("%1 / %2").arg(index + 1).arg(recordCount()));
}

}  // namespace scns
