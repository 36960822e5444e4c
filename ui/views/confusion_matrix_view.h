#pragma once
// The confusion matrix of the test split after each epoch (rows: true class, columns:
// predicted), as counts or as each true class's share in percent, with an epoch slider.
#include <QString>
#include <QWidget>

#include <vector>

#include "store/inspection_records.h"

class QCheckBox;
class QLabel;
class QSlider;

namespace scns {

class MatrixPlot;

class ConfusionMatrixView : public QWidget {
    Q_OBJECT
public:
    explicit ConfusionMatrixView(QWidget* parent = nullptr);

    void setRun(const QString& dbPath, qint64 runId);
    void setRecords(std::vector<TestConfusionRecord> records);
    int recordCount() const { return static_cast<int>(m_records.size()); }
    int currentIndex() const;
    void setCurrentIndex(int index);
    // Rows as percent of the true class instead of counts.
    void setNormalized(bool on);
    bool normalized() const;
    MatrixPlot* matrix() const { return m_matrix; }

public Q_SLOTS:
    void reload();

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString& message);

private:
    void showRecord(int index);

    QString m_dbPath;
    qint64 m_runId = 0;
    quint64 m_generation = 0;
    std::vector<TestConfusionRecord> m_records;
    QSlider* m_slider;
    QLabel* m_position;
    QCheckBox* m_normalize;
    QLabel* m_status;
    MatrixPlot* m_matrix;
};

// Overall accuracy (trace / total) of a C x C count matrix, in percent; 0 for an empty one.
double confusionAccuracy(const TestConfusionRecord& record);

}  // namespace scns
