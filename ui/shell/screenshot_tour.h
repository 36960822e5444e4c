#pragma once
// scns-workbench --screenshots DIR: once the store is loaded, opens representative runs in
// the inspection pages, shows each page and writes one PNG per page (NN-name.png), then the
// views a page can switch to (NN-curves-two-axes.png: an accuracy and a loss on their own y
// axes; NN-curves-seed-groups.png: every finished run of the data set as seed groups with 95%
// bands; NN-runs-setting-columns.png: the browser with the settings that differ as columns),
// then quits with exit code 0 (1 when a PNG could not be written).
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

namespace scns {

class MainWindow;

class ScreenshotTour : public QObject {
    Q_OBJECT
public:
    ScreenshotTour(MainWindow* window, QString dir, QObject* parent = nullptr);
    void start();
    const QStringList& written() const { return m_written; }

Q_SIGNALS:
    void finished(int exitCode);

private:
    void openRuns();
    void shootNext();
    // After the pages: set up the next extra view, wait, grab it.
    void shootExtra();
    void save(const QString& name);

    MainWindow* m_window;
    QString m_dir;
    int m_page = 0;
    int m_extra = 0;
    QList<qint64> m_sameDataset;  // every finished run of the lead run's data set
    bool m_failed = false;
    QStringList m_written;
};

}  // namespace scns
