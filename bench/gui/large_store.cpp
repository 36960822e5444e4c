// Benchmark (b): opening a store of 10,000 runs and 10 million metric rows. The store is
// generated once at DB (reused when it already holds the runs): each run has a realistic
// configuration (data set, network, sampler and seed vary) and 1,000 metric rows (10 epochs of
// 45 steps x train/loss + train/lr, and 10 per-epoch rows). Timed, each from a cold start of
// the object involved:
//   browser_list_s       the run browser (ui/browser RunBrowser) from construction to its
//                        loaded() signal: every run listed in the table model
//   browser_top1_s       ... to finalAccuraciesLoaded(): the final test top-1 column filled
//   store_list_runs_s    RunStore open + listRuns() alone
//   curves_1_run_s       a CurvesView opening one run of the big store (setRuns -> loaded)
//   curves_20_runs_s     the same for 20 runs overlaid
//   compare_20_runs_s    the compare view's tables for 20 runs
// Prints JSON.   QT_QPA_PLATFORM=offscreen bench_gui_large_store [DB] [runs] [rows_per_run]
#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QTextStream>

#include <cstdlib>

#include "bench_util.h"
#include "browser/run_browser.h"
#include "store/run_store.h"
#include "train/run_config.h"
#include "views/compare_view.h"
#include "views/curves_view.h"

using namespace scns;
using namespace scns::bench;

namespace {

double generate(const QString& db, int runs, int rowsPerRun)
{
    const auto t0 = Clock::now();
    RunStore store(db.toStdString());
    const SamplerKind samplers[] = {SamplerKind::Uniform, SamplerKind::Class, SamplerKind::Instance};
    const char* archs[] = {"small-cnn", "resnet20", "resnet8x4"};
    const int perEpoch = 10, epochs = 10;
    const int steps = std::max(1, (rowsPerRun / epochs - perEpoch) / 2);
    for (int r = 0; r < runs; ++r) {
        RunConfig cfg;
        cfg.arch = archs[r % 3];
        cfg.seed = static_cast<std::uint64_t>(r % 5);
        cfg.epochs = epochs;
        cfg.contrastive.enabled = r % 4 != 0;
        cfg.contrastive.sampler = samplers[r % 3];
        cfg.name = "bench-" + std::to_string(r);
        const auto id = store.createRun(cfg.name, toJsonText(cfg), static_cast<std::int64_t>(cfg.seed));
        std::vector<MetricRow> rows;
        rows.reserve(static_cast<std::size_t>(rowsPerRun));
        std::int64_t step = 0;
        for (int e = 1; e <= epochs; ++e) {
            for (int b = 0; b < steps; ++b) {
                ++step;
                rows.push_back({e, step, "train/loss", 2.0 / (1 + 0.01 * step)});
                rows.push_back({e, step, "train/lr", 0.1});
            }
            for (const char* name : {"train/epoch_loss", "train/top1", "test/loss", "test/top1", "test/top5",
                                     "time/epoch_seconds", "time/images_per_second", "time/data_wait_share",
                                     "sampler/mean_negative_cosine", "sampler/same_class_share"})
                rows.push_back({e, step, name, 50.0 + e + 0.001 * r});
        }
        store.appendMetrics(id, rows);
        store.finishRun(id, RunStatus::Finished);
    }
    return secondsSince(t0);
}

}  // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    const QStringList a = app.arguments();
    const QString db = a.size() > 1 ? a[1] : QStringLiteral("/tmp/scns-bench-gui/runs-10k.sqlite");
    const int runs = a.size() > 2 ? a[2].toInt() : 10000;
    const int rowsPerRun = a.size() > 3 ? a[3].toInt() : 1000;
    QDir().mkpath(QFileInfo(db).absolutePath());

    double generated = 0;
    std::size_t existing = 0;
    {
        RunStore store(db.toStdString());
        existing = store.listRuns().size();
    }
    if (existing == 0)
        generated = generate(db, runs, rowsPerRun);

    // 1. The run browser, cold: construction to loaded().
    double browserList = 0, browserTop1 = 0;
    int listed = 0;
    {
        const auto t0 = Clock::now();
        RunBrowser browser(db);
        browser.resize(1200, 800);
        browser.show();
        QObject::connect(&browser, &RunBrowser::loaded, [&](int n, double) {
            listed = n;
            browserList = secondsSince(t0);
        });
        if (!browser.isLoading())
            browser.reload();
        if (!waitForSignal(&browser, &RunBrowser::finalAccuraciesLoaded))
            return 1;
        browserTop1 = secondsSince(t0);
    }

    // 2. The store alone.
    const auto t1 = Clock::now();
    std::vector<RunRecord> records;
    {
        RunStore store(db.toStdString());
        records = store.listRuns();
    }
    const double listRuns = secondsSince(t1);
    QList<qint64> twenty;
    for (std::size_t i = 0; i < records.size() && twenty.size() < 20; i += std::max<std::size_t>(1, records.size() / 20))
        twenty << records[i].id;

    // 3. Views opening runs of the big store.
    CurvesView curves;
    curves.resize(1200, 800);
    curves.show();
    auto t2 = Clock::now();
    curves.setRuns(db, {twenty.front()});
    waitForSignal(&curves, &CurvesView::loaded);
    const double curves1 = secondsSince(t2);
    t2 = Clock::now();
    curves.setRuns(db, twenty);
    waitForSignal(&curves, &CurvesView::loaded);
    const double curves20 = secondsSince(t2);
    CompareView compare;
    t2 = Clock::now();
    compare.setRuns(db, twenty);
    waitForSignal(&compare, &CompareView::loaded);
    const double compare20 = secondsSince(t2);

    QTextStream(stdout) << "{\"benchmark\": \"gui_large_store\", \"db\": \"" << db << "\", \"runs\": " << records.size()
                        << ", \"rows_per_run\": " << rowsPerRun << ", \"generated_s\": " << generated
                        << ", \"browser_runs_listed\": " << listed << ", \"browser_list_s\": " << browserList
                        << ", \"browser_top1_s\": " << browserTop1 << ", \"store_list_runs_s\": " << listRuns
                        << ", \"curves_1_run_s\": " << curves1 << ", \"curves_20_runs_s\": " << curves20
                        << ", \"compare_20_runs_s\": " << compare20 << "}\n";
    return 0;
}
