// scns-workbench: the desktop program. Thin: parses the command line, opens the main window
// on a run store and, with --screenshots, writes a PNG of each page and exits.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

#include <cstdio>

#include "common/errors.h"
#include "shell/main_window.h"
#include "shell/screenshot_tour.h"
#include "store/default_path.h"
#include "train/device.h"

int main(int argc, char** argv)
{
    scns::configureAllocatorForTraining();  // before any training thread exists
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("scns-workbench"));
    QApplication::setOrganizationName(QStringLiteral("scns"));
    QApplication::setApplicationDisplayName(QStringLiteral("SCNS Workbench"));
    QApplication::setApplicationVersion(QStringLiteral(SCNS_VERSION));

    QCommandLineParser cli;
    cli.setApplicationDescription(QStringLiteral("Configure, launch, watch, inspect and compare SCNS training runs."));
    cli.addHelpOption();
    cli.addVersionOption();
    const QCommandLineOption db(QStringLiteral("db"),
                                QStringLiteral("Run store (SQLite) to open; default: $SCNS_DB or the user's data folder."),
                                QStringLiteral("FILE"));
    const QCommandLineOption shots(QStringLiteral("screenshots"),
                                   QStringLiteral("Load the store, write one PNG per main view into DIR and exit."),
                                   QStringLiteral("DIR"));
    cli.addOption(db);
    cli.addOption(shots);
    cli.process(app);

    QString dbPath = cli.value(db);
    if (dbPath.isEmpty()) {
        try {
            dbPath = QString::fromStdString(scns::defaultDatabasePath().string());
        } catch (const scns::Error& e) {
            std::fprintf(stderr, "scns-workbench: %s (use --db FILE)\n", e.what());
            return 2;
        }
    }
    dbPath = QFileInfo(dbPath).absoluteFilePath();
    QDir().mkpath(QFileInfo(dbPath).absolutePath());

    scns::MainWindow window(dbPath);
    if (cli.isSet(shots)) {
        auto* tour = new scns::ScreenshotTour(&window, cli.value(shots), &window);
        QObject::connect(tour, &scns::ScreenshotTour::finished, &app, [tour](int code) {
            for (const QString& f : tour->written())
                std::printf("%s\n", qPrintable(f));
            QApplication::exit(code);
        });
        window.resize(1600, 1000);
        window.show();
        tour->start();
    } else {
        window.restoreSettings();
        window.show();
    }
    return app.exec();
}
