// Benchmark (c): event-loop latency of the GUI thread while a run trains at full speed with
// live plots open. A worker thread runs executeRun (a small CNN on a Fashion-MNIST subset,
// all cores); its observer posts every batch's and epoch's rows to a CurvesView (train/loss,
// train/lr, test/top1 on screen) and to a SamplerStatsView, the way the workbench's queue
// does. On the GUI thread a 5 ms precise QTimer records how late each tick is (time since
// the previous tick minus 5 ms): the event loop's latency. Prints JSON with percentiles.
//   QT_QPA_PLATFORM=offscreen bench_gui_live_latency [train_per_class] [epochs] [threads] [sampler] [overlay]
// sampler: class (default, a contrastive run) or none (cross-entropy only: more batches/s).
// overlay: that many finished runs (12,000 loss steps each) drawn beside the live one.
#include <QApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <atomic>
#include <thread>

#include "bench_util.h"
#include "store/run_store.h"
#include "train/run_config.h"
#include "train/run_settings.h"
#include "train/run_job.h"
#include "views/curves_view.h"
#include "views/live_metrics.h"
#include "views/qcp.h"
#include "views/sampler_stats_view.h"

using namespace scns;
using namespace scns::bench;

namespace {

// Forwards observer calls to the GUI thread as queued calls (the training thread never
// touches a widget).
class LiveForwarder : public TrainingObserver {
public:
    LiveForwarder(CurvesView* curves, SamplerStatsView* sampler, qint64 runId)
        : m_curves(curves), m_sampler(sampler), m_runId(runId)
    {
    }
    void onBatchEnd(const BatchProgress& b) override
    {
        ++batches;
        post(metricRowsFromBatch(b));
    }
    void onEpochEnd(const EpochSummary& s) override
    {
        imagesPerSecond = s.imagesPerSecond;
        post(metricRowsFromEpoch(s));
    }
    std::atomic<int> batches{0};
    std::atomic<double> imagesPerSecond{0};

private:
    void post(QList<MetricRow> rows)
    {
        QMetaObject::invokeMethod(
            m_curves, [c = m_curves, s = m_sampler, id = m_runId, rows] {
                c->appendMetrics(id, rows);
                s->appendMetrics(id, rows);
            },
            Qt::QueuedConnection);
    }
    CurvesView* m_curves;
    SamplerStatsView* m_sampler;
    qint64 m_runId;
};

}  // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    const QStringList a = app.arguments();
    const int perClass = a.size() > 1 ? a[1].toInt() : 1000;
    const int epochs = a.size() > 2 ? a[2].toInt() : 2;
    const int threads = a.size() > 3 ? a[3].toInt() : 0;
    const QString samplerName = a.size() > 4 ? a[4] : QStringLiteral("class");
    const int overlay = a.size() > 5 ? a[5].toInt() : 0;

    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("runs.sqlite"));
    RunConfig cfg;
    cfg.data.trainPerClass = perClass;
    cfg.data.testPerClass = 100;
    cfg.epochs = epochs;
    cfg.threads = threads;
    cfg.batchSize = 64;
    cfg.contrastive.enabled = samplerName != QLatin1String("none");
    if (cfg.contrastive.enabled)
        applySettingText(cfg, "contrastive.sampler", samplerName.toStdString());
    cfg.contrastive.negatives = 256;
    qint64 runId = 0;
    QList<qint64> shown;
    {
        RunStore store(db.toStdString());
        for (int r = 0; r < overlay; ++r) {
            const auto id = store.createRun("finished-" + std::to_string(r), "{}", r);
            std::vector<MetricRow> rows;
            for (std::int64_t step = 1; step <= 12000; ++step) {
                rows.push_back({1 + (step - 1) / 400, step, "train/loss", 2.0 / (1 + 0.001 * step)});
                rows.push_back({1 + (step - 1) / 400, step, "train/lr", 0.1});
            }
            store.appendMetrics(id, rows);
            shown << id;
        }
        runId = createRun(store, cfg);
        shown << runId;
    }

    QWidget window;
    auto* curves = new CurvesView(&window);
    auto* sampler = new SamplerStatsView(&window);
    curves->setGeometry(0, 0, 1000, 500);
    sampler->setGeometry(0, 500, 1000, 400);
    window.resize(1000, 900);
    window.show();
    curves->setSelectedMetrics({QStringLiteral("train/loss"), QStringLiteral("train/lr"), QStringLiteral("test/top1")});
    curves->setRuns(db, shown);
    sampler->setRuns(db, {runId});
    waitForSignal(curves, &CurvesView::loaded);

    std::vector<double> lateMs;
    QElapsedTimer clock;
    clock.start();
    qint64 last = clock.nsecsElapsed();
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(5);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        lateMs.push_back(std::max(0.0, (now - last) / 1e6 - 5.0));
        last = now;
    });

    LiveForwarder forwarder(curves, sampler, runId);
    RunResult result;
    const auto t0 = Clock::now();
    std::jthread worker([&](std::stop_token stop) {
        result = executeRun(db.toStdString(), runId, false, forwarder, stop);
        QMetaObject::invokeMethod(
            &app,
            [&window] {
                // SCNS_BENCH_GRAB=file.png: what the window shows at the end (a look at the live drawing).
                if (qEnvironmentVariableIsSet("SCNS_BENCH_GRAB"))
                    window.grab().save(qEnvironmentVariable("SCNS_BENCH_GRAB"));
                QApplication::quit();
            },
            Qt::QueuedConnection);
    });
    probe.start();
    app.exec();
    probe.stop();
    worker.join();
    const double seconds = secondsSince(t0);
    const int drawn = curves->graphFor(runId, QStringLiteral("train/loss")) ? curves->graphFor(runId, QStringLiteral("train/loss"))->dataCount() : 0;

    QTextStream(stdout) << "{\"benchmark\": \"gui_live_latency\", \"sampler\": \"" << samplerName
                        << "\", \"overlaid_finished_runs\": " << overlay << ", \"outcome\": \""
                        << (result.outcome == RunOutcome::Finished ? "finished" : QString::fromStdString(result.message))
                        << "\", \"train_seconds\": " << seconds << ", \"batches\": " << forwarder.batches.load()
                        << ", \"images_per_second\": " << forwarder.imagesPerSecond.load()
                        << ", \"loss_points_drawn\": " << drawn << ", \"ticks\": " << lateMs.size()
                        << ", \"latency_ms_p50\": " << percentile(lateMs, 0.5)
                        << ", \"latency_ms_p99\": " << percentile(lateMs, 0.99)
                        << ", \"latency_ms_max\": " << percentile(lateMs, 1.0) << "}\n";
    return 0;
}
