// Benchmark (a): the curves of 20 runs overlaid. A temporary store gets `runs` runs of
// `epochs` x `steps` optimiser steps (train/loss and train/lr per step, test/top1 and
// train/top1 per epoch); a CurvesView showing train/loss and test/top1 of all of them is
// timed from setRuns() to loaded() (store read on a worker thread + graphs built), then a
// full synchronous replot, `repeats` times. Prints JSON.
//   QT_QPA_PLATFORM=offscreen bench_gui_overlay_draw [runs] [epochs] [steps] [repeats]
#include <QApplication>
#include <QCoreApplication>
#include <QTemporaryDir>
#include <QTextStream>

#include "bench_util.h"
#include "store/run_store.h"
#include "views/curves_view.h"
#include "views/qcp.h"

using namespace scns;
using namespace scns::bench;

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    const QStringList a = app.arguments();
    const int runs = a.size() > 1 ? a[1].toInt() : 20;
    const int epochs = a.size() > 2 ? a[2].toInt() : 30;
    const int steps = a.size() > 3 ? a[3].toInt() : 400;
    const int repeats = a.size() > 4 ? a[4].toInt() : 5;

    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("runs.sqlite"));
    QList<qint64> ids;
    std::int64_t rowsWritten = 0;
    {
        RunStore store(db.toStdString());
        for (int r = 0; r < runs; ++r) {
            const auto id = store.createRun("run-" + std::to_string(r), "{}", r);
            std::vector<MetricRow> rows;
            std::int64_t step = 0;
            for (int e = 1; e <= epochs; ++e) {
                for (int b = 0; b < steps; ++b) {
                    ++step;
                    rows.push_back({e, step, "train/loss", 2.0 / (1 + 0.001 * step) + 0.05 * std::sin(step * 0.1 + r)});
                    rows.push_back({e, step, "train/lr", 0.1});
                }
                rows.push_back({e, step, "test/top1", 90.0 - 40.0 / e - 0.1 * r});
                rows.push_back({e, step, "train/top1", 92.0 - 40.0 / e});
            }
            store.appendMetrics(id, rows);
            rowsWritten += static_cast<std::int64_t>(rows.size());
            ids << id;
        }
    }

    CurvesView view;
    view.resize(1200, 800);
    view.show();
    view.setSelectedMetrics({QStringLiteral("train/loss"), QStringLiteral("test/top1")});
    std::vector<double> load, replot, total;
    int points = 0;
    for (int i = 0; i < repeats; ++i) {
        view.setRuns(db, {});
        const auto t0 = Clock::now();
        view.setRuns(db, ids);
        if (!waitForSignal(&view, &CurvesView::loaded))
            return 1;
        const double tl = secondsSince(t0);
        const auto t1 = Clock::now();
        view.plot()->replot(QCustomPlot::rpImmediateRefresh);
        const double tr = secondsSince(t1);
        load.push_back(tl);
        replot.push_back(tr);
        total.push_back(tl + tr);
        points = 0;
        for (int g = 0; g < view.plot()->graphCount(); ++g)
            points += view.plot()->graph(g)->data()->size();
    }
    // A live batch on top of this: a running run (its first 100 steps stored) shown beside
    // the others gets 10 new rows, then the batched redraw (what the view's 100 ms timer does
    // while a run trains) and the resulting paint, with all curves on screen.
    qint64 liveId = 0;
    {
        RunStore store(db.toStdString());
        liveId = store.createRun("live", "{}", 99);
        std::vector<MetricRow> rows;
        for (std::int64_t st = 1; st <= 100; ++st)
            rows.push_back({1, st, "train/loss", 1.0});
        store.appendMetrics(liveId, rows);
    }
    QList<qint64> withLive = ids;
    withLive << liveId;
    view.setRuns(db, withLive);
    if (!waitForSignal(&view, &CurvesView::loaded))
        return 1;
    QApplication::processEvents();
    std::vector<double> liveMs;
    std::int64_t step = 100;
    for (int i = 0; i < 20; ++i) {
        QList<MetricRow> rows;
        for (int k = 0; k < 10; ++k) {
            ++step;
            rows.push_back({1, step, "train/loss", 1.0});
        }
        const auto t = Clock::now();
        view.appendMetrics(liveId, rows);
        view.flushPending();
        QApplication::processEvents();
        liveMs.push_back(1000 * secondsSince(t));
    }
    // SCNS_BENCH_GRAB=file.png: the view after the live batches (a look at the drawing).
    if (qEnvironmentVariableIsSet("SCNS_BENCH_GRAB"))
        view.grab().save(qEnvironmentVariable("SCNS_BENCH_GRAB"));
    QTextStream(stdout) << "{\"benchmark\": \"gui_overlay_draw\", \"runs\": " << runs << ", \"rows_in_store\": " << rowsWritten
                        << ", \"graphs\": " << view.plot()->graphCount() << ", \"points_drawn\": " << points
                        << ", \"load_and_build_s_median\": " << percentile(load, 0.5)
                        << ", \"replot_s_median\": " << percentile(replot, 0.5)
                        << ", \"total_s_median\": " << percentile(total, 0.5) << ", \"total_s_max\": " << percentile(total, 1.0)
                        << ", \"repeats\": " << repeats << ", \"live_update_and_replot_ms_median\": " << percentile(liveMs, 0.5)
                        << ", \"live_update_and_replot_ms_max\": " << percentile(liveMs, 1.0) << "}\n";
    return 0;
}
