#pragma once
// The confusion matrix of the test split after each epoch (rows: true class, columns:
// predicted), as counts or as each true class's share in percent, with an epoch slider.
#include <vector>

#include "store/inspection_records.h"
#include "views/matrix_records_view.h"

class QCheckBox;

namespace scns {

class ConfusionMatrixView : public MatrixRecordsView {
    Q_OBJECT
public:
    explicit ConfusionMatrixView(QWidget* parent = nullptr);

    void setRecords(std::vector<TestConfusionRecord> records);
    // Rows as percent of the true class instead of counts.
    void setNormalized(bool on);
    bool normalized() const;

protected:
    void load(const std::filesystem::path& path, qint64 runId) override;
    void showRecord(int index) override;

private:
    std::vector<TestConfusionRecord> m_records;
    QCheckBox* m_normalize;
};

// Overall accuracy (trace / total) of a C x C count matrix, in percent; 0 for an empty one.
double confusionAccuracy(const TestConfusionRecord& record);

}  // namespace scns
