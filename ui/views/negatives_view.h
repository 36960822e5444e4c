#pragma once
// The negatives inspector: for a probe anchor (combo: training-set index and class) its image
// and a grid of the negatives drawn for it at one epoch, each with image, class, similarity
// and kind; pseudo-negatives show their two sources and lambda. A slider walks the epochs to
// show how the choice changed over training. Probe rows load first; the run's training set
// (rebuilt from its configuration) follows on a worker thread and fills in the images.
#include <QList>
#include <QPixmap>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <memory>
#include <vector>

#include "data/image_set.h"
#include "store/inspection_records.h"

class QComboBox;
class QCPItemStraightLine;
class QCustomPlot;
class QGridLayout;
class QLabel;
class QScrollArea;
class QSlider;

namespace scns {

class NegativesView : public QWidget {
    Q_OBJECT
public:
    explicit NegativesView(QWidget* parent = nullptr);

    // Loads the run's probe rows, then its training-set images; loaded() follows the rows,
    // imagesLoaded() the images (or imagesFailed() with the reason, e.g. a missing folder).
    void setRun(const QString& dbPath, qint64 runId);
    // The line above the page naming the run it shows.
    void setRunTitle(const QString& title);
    QString runTitle() const;
    qint64 runId() const { return m_runId; }

    QList<qint64> anchors() const;  // training-set indices of the probe anchors
    QList<qint64> epochs() const;
    qint64 currentAnchor() const;
    qint64 currentEpoch() const;
    void setCurrentAnchor(qint64 anchorIndex);
    void setCurrentEpoch(qint64 epoch);
    bool hasImages() const { return m_images != nullptr; }

    // What the grid shows now.
    int tileCount() const { return static_cast<int>(m_tiles.size()); }
    QString tileText(int i) const;
    int tileImageCount(int i) const;  // 1 for a negative, 2 for a pseudo-negative (its sources)
    QString summaryText() const;
    QPixmap anchorPixmap() const;
    // The anchor's draws over training: per epoch, the mean cosine of its negatives and the
    // share drawn from the top-k distribution (graphs 0 and 1), a line at the shown epoch.
    QCustomPlot* historyPlot() const { return m_history; }

public Q_SLOTS:
    // Reads the probe rows again (a running run finished an epoch); keeps anchor and epoch.
    void reload();

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString& message);
    void imagesLoaded();
    void imagesFailed(const QString& message);

private:
    void applyRows(std::vector<ProbeNegativeRow> rows, QStringList classNames, const QString& configJson);
    void loadImages(const QString& configJson);
    void rebuildControls();
    void rebuildGrid();
    void rebuildHistory();
    QString className(qint64 c) const;
    // The image magnified by a whole factor to about `size` pixels; null without images.
    QPixmap tileImage(qint64 index, int size) const;

    struct Tile {
        QWidget* widget = nullptr;
        QString text;
        int images = 0;
    };

    QString m_dbPath;
    qint64 m_runId = 0;
    quint64 m_generation = 0;
    qint64 m_shownEpoch = -1;  // what the grid shows, kept across reloads
    std::vector<ProbeNegativeRow> m_rows;
    QStringList m_classNames;
    QString m_configJson;
    std::shared_ptr<const ImageSet> m_images;
    std::vector<Tile> m_tiles;

    QComboBox* m_anchorCombo;
    QSlider* m_epochSlider;
    QLabel* m_epochLabel;
    QLabel* m_anchorImage;
    QLabel* m_anchorText;
    QLabel* m_summary;
    QLabel* m_status;
    QLabel* m_title;
    QCustomPlot* m_history;
    QCPItemStraightLine* m_epochLine;
    QScrollArea* m_scroll;
    QWidget* m_grid;
    QGridLayout* m_gridLayout;
};

}  // namespace scns
