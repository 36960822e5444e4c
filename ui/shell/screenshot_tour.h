#pragma once
// scns-workbench --screenshots DIR: once the store is loaded, opens representative runs in
// the inspection pages, shows each page and writes one PNG per page (NN-name.png), then
// quits with exit code 0 (1 when a PNG could not be written).
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

    MainWindow* m_window;
    QString m_dir;
    int m_page = 0;
    bool m_failed = false;
    QStringList m_written;
};

}  // namespace scns
