#include "views/similarity_heatmap_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QVBoxLayout>

#include "common/qt_text.h"
#include "store/run_store.h"
#include "views/async_load.h"
#include "views/export.h"
#include "views/matrix_plot.h"

namespace scns {

QString similaritySourceTitle(const QString& source)
{
    if (source == QLatin1String("wordnet"))
        return QObject::tr("WordNet (Wu-Palmer)");
    if (source == QLatin1String("visual"))
        return QObject::tr("visual (class-mean embeddings)");
    if (source == QLatin1String("confusion"))
        return QObject::tr("confusion (model predictions)");
    if (source == QLatin1String("file"))
        return QObject::tr("file");
    return source;
}

SimilarityHeatmapView::SimilarityHeatmapView(QWidget* parent)
    : QWidget(parent)
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_position(new QLabel(this))
    , m_status(new QLabel(this))
    , m_matrix(new MatrixPlot(this))
{
    m_slider->setRange(0, 0);
    m_slider->setEnabled(false);
    m_slider->setToolTip(tr("Step through the matrix refreshes"));
    m_status->setWordWrap(true);
    m_matrix->setAxisLabels(tr("class"), tr("class"));
    m_matrix->setScaleLabel(tr("similarity"));
    m_matrix->setHoverFormat(tr("%1 ↔ %2: %3"));
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Refresh:"), this));
    controls->addWidget(m_slider, 1);
    controls->addWidget(m_position);
    controls->addWidget(makePlotExportButton(this, [this] { return m_matrix->plot(); }, QStringLiteral("similarity")));
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_status);
    layout->addWidget(m_matrix, 1);
    connect(m_slider, &QSlider::valueChanged, this, &SimilarityHeatmapView::showRecord);
    setRecords({});
}

void SimilarityHeatmapView::setRun(const QString& dbPath, qint64 runId)
{
    m_dbPath = dbPath;
    m_runId = runId;
    m_records.clear();
    reload();
}

void SimilarityHeatmapView::reload()
{
    if (m_dbPath.isEmpty())
        return;
    const quint64 generation = ++m_generation;
    const bool followNewest = m_records.empty() || currentIndex() == recordCount() - 1;
    const std::filesystem::path path = m_dbPath.toStdString();
    const qint64 runId = m_runId;
    m_status->setText(tr("Loading…"));
    m_status->setVisible(true);
    loadAsync(
        this, [path, runId] { return RunStore(path).classSimilarities(runId); },
        [this, generation, followNewest](const Loaded<std::vector<ClassSimilarityRecord>>& result) {
            if (generation != m_generation)
                return;
            if (!result.value) {
                m_status->setText(result.error);
                Q_EMIT loadFailed(result.error);
                return;
            }
            const int keep = currentIndex();
            setRecords(*result.value);
            if (!followNewest && keep < recordCount())
                setCurrentIndex(keep);
            Q_EMIT loaded();
        });
}

void SimilarityHeatmapView::setRecords(std::vector<ClassSimilarityRecord> records)
{
    m_records = std::move(records);
    const int n = recordCount();
    {
        QSignalBlocker block(m_slider);
        m_slider->setRange(0, std::max(0, n - 1));
        m_slider->setValue(std::max(0, n - 1));
        m_slider->setEnabled(n > 1);
    }
    m_status->setText(n == 0 ? tr("This run recorded no class similarity (only contrastive runs with a class "
                                  "sampler or a similarity source do).")
                             : QString());
    m_status->setVisible(n == 0);
    showRecord(n - 1);
}

int SimilarityHeatmapView::currentIndex() const { return m_records.empty() ? -1 : m_slider->value(); }

void SimilarityHeatmapView::setCurrentIndex(int index)
{
    if (index >= 0 && index < recordCount())
        m_slider->setValue(index);
}

const ClassSimilarityRecord* SimilarityHeatmapView::currentRecord() const
{
    const int i = currentIndex();
    return i < 0 ? nullptr : &m_records[static_cast<std::size_t>(i)];
}

void SimilarityHeatmapView::showRecord(int index)
{
    if (index < 0 || index >= recordCount()) {
        m_matrix->clear();
        m_matrix->setTitle(tr("Class similarity"));
        m_position->clear();
        return;
    }
    const auto& rec = m_records[static_cast<std::size_t>(index)];
    QVector<double> values(rec.matrix.begin(), rec.matrix.end());
    m_matrix->setMatrix(toQStringList(rec.classNames), values);
    const QString when = rec.epoch == 0 ? tr("built before training") : tr("after epoch %1").arg(rec.epoch);
    m_matrix->setTitle(tr("Class similarity: %1, %2").arg(similaritySourceTitle(toQString(rec.source)), when));
    m_position->setText(tr("%1 / %2 (epoch %3)").arg(index + 1).arg(recordCount()).arg(rec.epoch));
}

}  // namespace scns
