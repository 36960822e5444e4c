// Benchmark (c), the whole program: event-loop latency of the workbench window while a run
// it launched trains. MainWindow on a temporary store; the run is launched through its queue
// (worker thread, observer forwarded as queued signals, batches thinned by the queue), the
// curves page is open and follows it; at each epoch end the inspection pages reload from the
// store (heat map, negatives with the training-set images, confusion, sampler statistics).
// A 5 ms precise QTimer on the GUI thread records how late each tick is. Prints JSON.
//   QT_QPA_PLATFORM=offscreen bench_gui_workbench_latency [train_per_class] [epochs] [sampler] [overlay]
// sampler: class (default) | uniform | none; overlay: finished runs (12,000 steps each) shown beside it.
#include <QApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include "bench_util.h"
#include "queue/run_queue.h"
#include "shell/inspection_views.h"
#include "shell/main_window.h"
#include "store/run_store.h"
#include "train/run_config.h"
#include "train/run_settings.h"

using namespace scns;
using namespace scns::bench;

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    const QStringList a = app.arguments();
    const int perClass = a.size() > 1 ? a[1].toInt() : 1000;
    const int epochs = a.size() > 2 ? a[2].toInt() : 2;
    const QString samplerName = a.size() > 3 ? a[3] : QStringLiteral("class");
    const int overlay = a.size() > 4 ? a[4].toInt() : 0;

    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("runs.sqlite"));
    QList<qint64> shown;
    {
        RunStore store(db.toStdString());
        for (int r = 0; r < overlay; ++r) {
            const auto id = store.createRun("finished-" + std::to_string(r), "{}", r);
            std::vector<MetricRow> rows;
            for (std::int64_t step = 1; step <= 12000; ++step)
                rows.push_back({1 + (step - 1) / 400, step, "test/top1", 90.0 - 1000.0 / (10 + step)});
            store.appendMetrics(id, rows);
            shown << id;
        }
    }
    RunConfig cfg;
    cfg.data.trainPerClass = perClass;
    cfg.data.testPerClass = 100;
    cfg.epochs = epochs;
    cfg.batchSize = 64;
    cfg.contrastive.enabled = samplerName != QLatin1String("none");
    if (cfg.contrastive.enabled)
        applySettingText(cfg, "contrastive.sampler", samplerName.toStdString());
    cfg.contrastive.negatives = 256;

    MainWindow window(db);
    window.resize(1400, 900);
    window.show();

    std::vector<double> lateMs;
    QElapsedTimer clock;
    clock.start();
    qint64 last = clock.nsecsElapsed();
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(5);
    // Ticks later than 40 ms, with when they happened and the last event seen before them,
    // to tell which part of the program stalled.
    QStringList spikes;
    QString lastEvent = QStringLiteral("start");
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        const double late = std::max(0.0, (now - last) / 1e6 - 5.0);
        lateMs.push_back(late);
        if (late > 40)
            spikes << QStringLiteral("\"%1 ms at %2 s after %3\"").arg(late, 0, 'f', 1).arg(now / 1e9, 0, 'f', 2).arg(lastEvent);
        last = now;
    });
    int batches = 0;
    double imagesPerSecond = 0;
    QString outcome;
    QObject::connect(window.queue(), &RunQueue::runBatchEnded, [&](qint64, const BatchProgress&) { ++batches; });
    QObject::connect(window.queue(), &RunQueue::runEpochEnded, [&](qint64, const EpochSummary& s) {
        imagesPerSecond = s.imagesPerSecond;
        lastEvent = QStringLiteral("epoch %1 end at %2 s").arg(s.epoch).arg(clock.nsecsElapsed() / 1e9, 0, 'f', 2);
    });
    QObject::connect(window.queue(), &RunQueue::runEnded, [&](qint64, JobState, const QString& message) {
        outcome = message.isEmpty() ? QStringLiteral("ended") : message;
        lastEvent = QStringLiteral("run end at %1 s").arg(clock.nsecsElapsed() / 1e9, 0, 'f', 2);
        // Let the end-of-run reloads run while still measuring, then stop.
        QTimer::singleShot(2000, &app, &QApplication::quit);
    });

    const auto t0 = Clock::now();
    const std::vector<qint64> ids = window.queue()->launch({cfg});
    if (ids.empty())
        return 1;
    shown.prepend(ids.front());
    window.views()->showRuns(shown);
    window.showPage(window.views()->curvesPage());
    probe.start();
    app.exec();
    probe.stop();
    const double seconds = secondsSince(t0);

    QTextStream(stdout) << "{\"benchmark\": \"gui_workbench_latency\", \"sampler\": \"" << samplerName
                        << "\", \"overlaid_finished_runs\": " << overlay << ", \"outcome\": \"" << outcome
                        << "\", \"seconds\": " << seconds << ", \"batch_signals\": " << batches
                        << ", \"images_per_second\": " << imagesPerSecond << ", \"ticks\": " << lateMs.size()
                        << ", \"latency_ms_p50\": " << percentile(lateMs, 0.5)
                        << ", \"latency_ms_p99\": " << percentile(lateMs, 0.99)
                        << ", \"latency_ms_max\": " << percentile(lateMs, 1.0) << ", \"spikes_over_40ms\": ["
                        << spikes.join(QStringLiteral(", ")) << "]}\n";
    return 0;
}
