#pragma once
// The class similarity matrices a contrastive run recorded (built before training, then at
// each refresh), as a heat map with class names on both axes. A slider steps through the
// refreshes; the title names the similarity source and the epoch.
#include <QString>

#include <vector>

#include "store/inspection_records.h"
#include "views/matrix_records_view.h"

namespace scns {

class SimilarityHeatmapView : public MatrixRecordsView {
    Q_OBJECT
public:
    explicit SimilarityHeatmapView(QWidget* parent = nullptr);

    // Shows matrices directly (no store).
    void setRecords(std::vector<ClassSimilarityRecord> records);
    const ClassSimilarityRecord* currentRecord() const;

protected:
    // Stays on the newest matrix if it was showing the newest (a running run refreshed it).
    void load(const std::filesystem::path& path, qint64 runId) override;
    void showRecord(int index) override;

private:
    std::vector<ClassSimilarityRecord> m_records;
};

// "wordnet" -> "WordNet (Wu-Palmer)" etc.; unknown sources as they are.
QString similaritySourceTitle(const QString& source);

}  // namespace scns
