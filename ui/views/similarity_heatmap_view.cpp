#include "views/similarity_heatmap_view.h"

#include "common/qt_text.h"
#include "store/run_store.h"
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
    : MatrixRecordsView(tr("Refresh:"), tr("Step through the matrix refreshes"), QStringLiteral("similarity"), parent)
{
    matrix()->setAxisLabels(tr("class"), tr("class"));
    matrix()->setScaleLabel(tr("similarity"));
    matrix()->setHoverFormat(tr("%1 ↔ %2: %3"));
    setRecords({});
}

void SimilarityHeatmapView::load(const std::filesystem::path& path, qint64 runId)
{
    const bool followNewest = recordCount() == 0 || currentIndex() == recordCount() - 1;
    showStatus(tr("Loading…"));
    loadRecords([path, runId] { return RunStore(path).classSimilarities(runId); },
                [this, followNewest](const std::vector<ClassSimilarityRecord>& records) {
                    const int keep = currentIndex();
                    setRecords(records);
                    if (!followNewest && keep < recordCount())
                        setCurrentIndex(keep);
                });
}

void SimilarityHeatmapView::setRecords(std::vector<ClassSimilarityRecord> records)
{
    m_records = std::move(records);
    setRecordCount(static_cast<int>(m_records.size()),
                   tr("This run recorded no class similarity (only contrastive runs with a class "
                      "sampler or a similarity source do)."));
}

const ClassSimilarityRecord* SimilarityHeatmapView::currentRecord() const
{
    const int i = currentIndex();
    return i < 0 ? nullptr : &m_records[static_cast<std::size_t>(i)];
}

void SimilarityHeatmapView::showRecord(int index)
{
    if (index < 0 || index >= recordCount()) {
        matrix()->clear();
        matrix()->setTitle(tr("Class similarity"));
        setPositionText(QString());
        return;
    }
    const auto& rec = m_records[static_cast<std::size_t>(index)];
    QVector<double> values(rec.matrix.begin(), rec.matrix.end());
    matrix()->setMatrix(toQStringList(rec.classNames), values);
    const QString when = rec.epoch == 0 ? tr("built before training") : tr("after epoch %1").arg(rec.epoch);
    matrix()->setTitle(tr("Class similarity: %1, %2").arg(similaritySourceTitle(toQString(rec.source)), when));
    setPositionText(tr("%1 / %2 (epoch %3)").arg(index + 1).arg(recordCount()).arg(rec.epoch));
}

}  // namespace scns
