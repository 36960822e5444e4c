#pragma once
// The class similarity matrices a contrastive run recorded (built before training, then at
// each refresh), as a heat map with class names on both axes. A slider steps through the
// refreshes; the title names the similarity source and the epoch.
#include <QList>
#include <QString>
#include <QWidget>

#include <vector>

#include "store/inspection_records.h"

class QLabel;
class QSlider;

namespace scns {

class MatrixPlot;

class SimilarityHeatmapView : public QWidget {
    Q_OBJECT
public:
    explicit SimilarityHeatmapView(QWidget* parent = nullptr);

    // Loads the run's matrices on a worker thread; loaded() or loadFailed() follows.
    void setRun(const QString& dbPath, qint64 runId);
    qint64 runId() const { return m_runId; }
    // Shows matrices directly (no store).
    void setRecords(std::vector<ClassSimilarityRecord> records);

    int recordCount() const { return static_cast<int>(m_records.size()); }
    int currentIndex() const;
    void setCurrentIndex(int index);
    const ClassSimilarityRecord* currentRecord() const;
    MatrixPlot* matrix() const { return m_matrix; }

public Q_SLOTS:
    // Reads the store again (a running run refreshed its matrix); stays on the newest matrix
    // if it was showing the newest.
    void reload();

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString& message);

private:
    void showRecord(int index);

    QString m_dbPath;
    qint64 m_runId = 0;
    quint64 m_generation = 0;
    std::vector<ClassSimilarityRecord> m_records;
    QSlider* m_slider;
    QLabel* m_position;
    QLabel* m_status;
    MatrixPlot* m_matrix;
};

// "wordnet" -> "WordNet (Wu-Palmer)" etc.; unknown sources as they are.
QString similaritySourceTitle(const QString& source);

}  // namespace scns
