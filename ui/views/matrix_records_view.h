#pragma once
// The frame both matrix pages share (the class similarity heat map, the test confusion
// matrix): a MatrixPlot, which owns the QCustomPlot and its colour map, under a slider that
// steps through the run's recorded matrices, a position label, a status line and an export
// button. A page derives from it, holds its own records, and says how to load and show one.
#include <QString>
#include <QWidget>

#include <filesystem>

#include "views/async_load.h"

class QHBoxLayout;
class QLabel;
class QSlider;

namespace scns {

class MatrixPlot;

class MatrixRecordsView : public QWidget {
    Q_OBJECT
public:
    // Reads the run's records from the store on a worker thread; loaded() or loadFailed()
    // follows.
    void setRun(const QString& dbPath, qint64 runId);
    qint64 runId() const { return m_runId; }

    int recordCount() const { return m_count; }
    int currentIndex() const;
    void setCurrentIndex(int index);
    MatrixPlot* matrix() const { return m_matrix; }
    // The line above the page naming the run it shows ("Run 3 · fashion-mnist-small-cnn-seed0").
    void setRunTitle(const QString& title);
    QString runTitle() const;

public Q_SLOTS:
    // Reads the store again (no-op before setRun()).
    void reload();

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString& message);

protected:
    // sliderLabel: the text before the slider; exportName: the export file's default stem.
    MatrixRecordsView(const QString& sliderLabel, const QString& sliderToolTip, const QString& exportName,
                      QWidget* parent);

    // Starts reading the records of (path, runId), normally through loadRecords().
    virtual void load(const std::filesystem::path& path, qint64 runId) = 0;
    // Draws record `index`, or the empty state for an index outside [0, recordCount()).
    virtual void showRecord(int index) = 0;

    // After the page replaced its records: the slider spans them and shows the newest; the
    // status line shows `emptyText` when there are none.
    void setRecordCount(int count, const QString& emptyText);
    // Runs `work` off the GUI thread; a result that is not stale goes to `apply` (then
    // loaded()), an error to the status line (then loadFailed()).
    template <class Work, class Apply>
    void loadRecords(Work work, Apply apply);
    void showStatus(const QString& text);
    void setPositionText(const QString& text);
    // Adds a control after the position label (before the export button).
    void addControl(QWidget* control);

private:
    void failLoad(const QString& error);

    QString m_dbPath;
    qint64 m_runId = 0;
    quint64 m_generation = 0;
    int m_count = 0;
    QSlider* m_slider;
    QLabel* m_title;
    QLabel* m_position;
    QLabel* m_status;
    MatrixPlot* m_matrix;
    QHBoxLayout* m_controls;
};

template <class Work, class Apply>
void MatrixRecordsView::loadRecords(Work work, Apply apply)
{
    const quint64 generation = ++m_generation;
    loadAsync(this, std::move(work), [this, generation, apply = std::move(apply)](const auto& result) mutable {
        if (generation != m_generation)
            return;
        if (!result.value) {
            failLoad(result.error);
            return;
        }
        apply(*result.value);
        Q_EMIT loaded();
    });
}

}  // namespace scns
