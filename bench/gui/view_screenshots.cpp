// Saves a PNG of each plot/inspection view (curves, heat map, negatives, sampler statistics,
// confusion matrix, compare) for a store: how docs/images/ are made and how a developer looks
// at the views without a display.
//   QT_QPA_PLATFORM=offscreen bench_gui_view_screenshots DB OUTDIR [RUN_ID ...]
// The first run id is the one inspected (default: the newest run); all ids are compared.
#include <QApplication>
#include <QDir>
#include "bench_util.h"
#include <QTabWidget>
#include <QTextStream>
#include <QTimer>

#include "store/run_store.h"
#include "views/compare_view.h"
#include "views/confusion_matrix_view.h"
#include "views/curves_view.h"
#include "views/export.h"
#include "views/hyperparameter_view.h"
#include "views/negatives_view.h"
#include "views/sampler_stats_view.h"
#include "views/similarity_heatmap_view.h"

using namespace scns;

namespace {

// Waits (running the event loop) for `signal`; false after 60 s.
template <class W, class S>
bool waitFor(W* w, S signal)
{
    return bench::waitForSignal(w, signal, 60000);
}

void save(QWidget& w, const QString& dir, const QString& name)
{
    w.resize(1100, 700);
    w.show();
    QApplication::processEvents();
    w.grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
    QTextStream(stdout) << "wrote " << dir << '/' << name << ".png\n";
}

}  // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 3) {
        QTextStream(stderr) << "usage: " << args[0] << " DB OUTDIR [RUN_ID ...]\n";
        return 2;
    }
    const QString db = args[1], out = args[2];
    QDir().mkpath(out);
    QList<qint64> ids;
    for (int i = 3; i < args.size(); ++i)
        ids << args[i].toLongLong();
    if (ids.isEmpty()) {
        const auto runs = RunStore(db.toStdString()).listRuns();
        for (const auto& r : runs)
            ids.prepend(r.id);
    }
    if (ids.isEmpty())
        return 1;
    const qint64 inspected = ids.first();

    CurvesView curves;
    curves.setSelectedMetrics({QStringLiteral("train/loss")});
    curves.setRuns(db, ids);
    waitFor(&curves, &CurvesView::loaded);
    curves.setSmoothing(0.6);
    save(curves, out, QStringLiteral("curves"));
    curves.setSeedGroups(true);  // runs equal but for the seed: mean and band per setting
    save(curves, out, QStringLiteral("curves-seed-groups"));
    // What Export gives for one paper column (3.5 x 2.6 in) at 3x: the figure laid out at that size.
    if (savePlot(*curves.plot(), out + QStringLiteral("/curves-column.png"), 252, 187, 3.0).isEmpty())
        QTextStream(stdout) << "wrote " << out << "/curves-column.png\n";
    // An accuracy beside a loss: the loss on the right axis (docs/gui.md).
    curves.setSeedGroups(false);
    curves.setSelectedMetrics({QStringLiteral("test/top1"), QStringLiteral("train/loss")});
    waitFor(&curves, &CurvesView::seriesLoaded);
    save(curves, out, QStringLiteral("curves-two-axes"));
    // The same against the time since each run's start.
    curves.setAxis(CurveAxis::RelativeTime);
    save(curves, out, QStringLiteral("curves-relative-time"));
    curves.setAxis(CurveAxis::Step);

    SimilarityHeatmapView heat;
    heat.setRun(db, inspected);
    waitFor(&heat, &SimilarityHeatmapView::loaded);
    save(heat, out, QStringLiteral("heatmap"));

    NegativesView neg;
    neg.setRun(db, inspected);
    waitFor(&neg, &NegativesView::imagesLoaded);
    save(neg, out, QStringLiteral("negatives"));

    SamplerStatsView sampler;
    sampler.setRuns(db, ids);
    waitFor(&sampler, &SamplerStatsView::loaded);
    save(sampler, out, QStringLiteral("sampler"));

    ConfusionMatrixView confusion;
    confusion.setRun(db, inspected);
    waitFor(&confusion, &ConfusionMatrixView::loaded);
    save(confusion, out, QStringLiteral("confusion"));

    CompareView compare;
    compare.setRuns(db, ids);
    waitFor(&compare, &CompareView::loaded);
    if (compare.curves()->isLoading())
        waitFor(compare.curves(), &CurvesView::loaded);
    compare.resize(1100, 900);
    save(compare, out, QStringLiteral("compare"));
    if (auto* tabs = compare.findChild<QTabWidget*>()) {
        tabs->setCurrentIndex(2);  // seed groups and Welch's t-test
        save(compare, out, QStringLiteral("compare-groups"));
        tabs->setCurrentIndex(1);
        save(compare, out, QStringLiteral("compare-diff"));
    }

    // Hyperparameters: the runs' differing settings against the final test top-1, the upper half
    // of the accuracy axis brushed.
    HyperparameterView hyper;
    hyper.setRuns(db, ids);
    waitFor(&hyper, &HyperparameterView::loaded);
    save(hyper, out, QStringLiteral("hyperparameters"));
    if (!hyper.axes().empty())
        hyper.brushAxis(static_cast<int>(hyper.axes().size()) - 1, 0.5, 1.0);
    save(hyper, out, QStringLiteral("hyperparameters-brushed"));
    return 0;
}
