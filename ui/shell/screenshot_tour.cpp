#include "shell/screenshot_tour.h"

#include <QDir>
#include <QTabWidget>
#include <QTimer>

#include "browser/run_browser.h"
#include "browser/run_list_model.h"
#include "shell/inspection_views.h"
#include "shell/main_window.h"
#include "views/curves_view.h"
#include "views/negatives_view.h"

namespace scns {

namespace {

constexpr int kLoadTimeoutMs = 30000;
constexpr int kSettleMs = 300;  // plots replot on a queued event; let them draw before grabbing

}  // namespace

ScreenshotTour::ScreenshotTour(MainWindow* window, QString dir, QObject* parent)
    : QObject(parent), m_window(window), m_dir(std::move(dir))
{
}

void ScreenshotTour::start()
{
    QDir().mkpath(m_dir);
    RunBrowser* browser = m_window->browser();
    auto once = std::make_shared<bool>(false);
    const auto go = [this, once] {
        if (*once)
            return;
        *once = true;
        openRuns();
    };
    connect(browser, &RunBrowser::finalAccuraciesLoaded, this, go);
    connect(browser, &RunBrowser::loadFailed, this, go);  // an unreadable store still gets pictures
    QTimer::singleShot(kLoadTimeoutMs, this, go);
}

void ScreenshotTour::openRuns()
{
    // The newest finished contrastive run (it has heat maps and negatives) first, then other
    // finished runs of the same data set for the overlay and comparison.
    const auto& runs = m_window->browser()->model()->runs();
    const RunSummary* lead = nullptr;
    const auto pick = [&](auto accept) {
        for (const auto& r : runs)
            if (!lead && r.status == RunStatus::Finished && accept(r))
                lead = &r;
    };
    pick([](const RunSummary& r) { return r.sampler == QLatin1String("class"); });
    pick([](const RunSummary& r) { return r.sampler != QLatin1String("none"); });
    pick([](const RunSummary&) { return true; });
    QList<qint64> ids;
    if (lead) {
        ids << lead->id;
        for (const auto& r : runs)
            if (ids.size() < 4 && r.id != lead->id && r.status == RunStatus::Finished && r.dataset == lead->dataset)
                ids << r.id;
        for (const auto& r : runs)
            if (r.status == RunStatus::Finished && r.dataset == lead->dataset)
                m_sameDataset << r.id;
        m_window->browser()->selectRun(lead->id);
    }
    InspectionViews* views = m_window->views();
    auto once = std::make_shared<int>(0);
    // Wait for the pages' data and the negatives' images (each with a time limit).
    const int needed = ids.isEmpty() ? 0 : 2;
    const auto step = [this, once, needed] {
        if (++*once == needed)
            QTimer::singleShot(kSettleMs, this, &ScreenshotTour::shootNext);
    };
    if (ids.isEmpty()) {
        QTimer::singleShot(kSettleMs, this, &ScreenshotTour::shootNext);
        return;
    }
    connect(views, &InspectionViews::allLoaded, this, step, Qt::SingleShotConnection);
    connect(views->negatives(), &NegativesView::imagesLoaded, this, step, Qt::SingleShotConnection);
    connect(views->negatives(), &NegativesView::imagesFailed, this, step, Qt::SingleShotConnection);
    QTimer::singleShot(kLoadTimeoutMs, this, [once, needed, this] {
        if (*once < needed) {
            *once = needed;
            shootNext();
        }
    });
    views->showRuns(ids);
}

void ScreenshotTour::shootNext()
{
    QTabWidget* tabs = m_window->tabs();
    if (m_page > 0) {
        QWidget* page = tabs->widget(m_page - 1);
        save(page->objectName().isEmpty() ? QStringLiteral("page") : page->objectName());
    }
    if (m_page >= tabs->count()) {
        shootExtra();
        return;
    }
    tabs->setCurrentIndex(m_page);
    ++m_page;
    QTimer::singleShot(kSettleMs, this, &ScreenshotTour::shootNext);
}

void ScreenshotTour::save(const QString& name)
{
    const int number = static_cast<int>(m_written.size()) + (m_failed ? 2 : 1);
    const QString file = QDir(m_dir).filePath(QStringLiteral("%1-%2.png").arg(number, 2, 10, QLatin1Char('0')).arg(name));
    if (m_window->grab().save(file))
        m_written << file;
    else
        m_failed = true;
}

void ScreenshotTour::shootExtra()
{
    constexpr int kLoadMs = 1500;  // the views read their series in the background
    InspectionViews* views = m_window->views();
    CurvesView* curves = views->curves();
    QTabWidget* tabs = m_window->tabs();
    switch (m_extra++) {
    case 0:
        tabs->setCurrentWidget(views->curvesPage());
        curves->setSelectedMetrics({QStringLiteral("test/top1"), QStringLiteral("train/loss")});
        QTimer::singleShot(kLoadMs, this, [this] {
            save(QStringLiteral("curves-two-axes"));
            shootExtra();
        });
        return;
    case 1:
        if (m_sameDataset.size() < 2)
            break;
        curves->setSeedGroups(true);
        curves->setBandKind(BandKind::Ci95);
        curves->setSelectedMetrics({QStringLiteral("test/top1")});
        views->showRuns(m_sameDataset);
        QTimer::singleShot(kLoadMs, this, [this] {
            save(QStringLiteral("curves-seed-groups"));
            shootExtra();
        });
        return;
    case 2: {
        RunBrowser* browser = m_window->browser();
        tabs->setCurrentWidget(browser);
        browser->setSettingColumns(browser->differingSettingKeys());
        QTimer::singleShot(kSettleMs, this, [this] {
            save(QStringLiteral("runs-setting-columns"));
            shootExtra();
        });
        return;
    }
    default:
        Q_EMIT finished(m_failed ? 1 : 0);
        return;
    }
    shootExtra();  // a view that did not apply
}

}  // namespace scns
