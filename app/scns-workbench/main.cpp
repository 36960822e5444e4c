// scns-workbench: the desktop program. Thin: parses the command line, opens the main window
// on a run store and, with --screenshots, writes a PNG of each page and exits.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>

#include <cstdio>
#include <cstring>
#include <memory>

#include "common/errors.h"
#include "shell/main_window.h"
#include "shell/screenshot_tour.h"
#include "store/default_path.h"
#include "train/device.h"

namespace {

// Whether an option is given, as "--name" or "--name=value".
bool hasArgument(int argc, char** argv, std::initializer_list<const char*> names)
{
    for (int i = 1; i < argc; ++i)
        for (const char* n : names) {
            const std::size_t len = std::strlen(n);
            if (std::strncmp(argv[i], n, len) == 0 && (argv[i][len] == '\0' || argv[i][len] == '='))
                return true;
        }
    return false;
}

void describeApplication()
{
    QCoreApplication::setApplicationName(QStringLiteral("scns-workbench"));
    QCoreApplication::setOrganizationName(QStringLiteral("scns"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SCNS_VERSION));
}

}  // namespace

int main(int argc, char** argv)
{
    // --help and --version need no display; --screenshots draws offscreen unless told otherwise.
    const bool infoOnly = hasArgument(argc, argv, {"--help", "-h", "--help-all", "--version", "-v"});
    if (!infoOnly && hasArgument(argc, argv, {"--screenshots"}) && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    std::unique_ptr<QCoreApplication> app;
    if (infoOnly)
        app = std::make_unique<QCoreApplication>(argc, argv);
    else {
        scns::configureAllocatorForTraining();  // before any training thread exists
        app = std::make_unique<QApplication>(argc, argv);
        QApplication::setApplicationDisplayName(QStringLiteral("SCNS Workbench"));
        QGuiApplication::setDesktopFileName(QStringLiteral(SCNS_APP_ID));  // its .desktop entry
        QIcon icon;
        for (const int size : {16, 32, 48, 64, 128, 256})
            icon.addFile(QStringLiteral(":/icons/scns-workbench-%1.png").arg(size), QSize(size, size));
        QApplication::setWindowIcon(icon);
    }
    describeApplication();

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
    cli.process(*app);  // exits after --help / --version

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
        QObject::connect(tour, &scns::ScreenshotTour::finished, app.get(), [tour](int code) {
            for (const QString& f : tour->written())
                std::printf("%s\n", qPrintable(f));
            QCoreApplication::exit(code);
        });
        window.resize(1500, 950);  // the size the docs' screenshots are checked at
        window.show();
        tour->start();
    } else {
        window.restoreSettings();
        window.show();
    }
    return app->exec();
}
