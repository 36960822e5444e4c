#include "views/compare_view.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include "common/qt_text.h"
#include "store/run_status.h"
#include "store/run_store.h"
#include "train/metric_names.h"
#include "views/async_load.h"
#include "views/curves_view.h"
#include "views/export.h"

namespace scns {

std::vector<CompareRun> loadCompareRuns(const QString& dbPath, const QList<qint64>& runIds)
{
    RunStore store(dbPath.toStdString());
    std::vector<CompareRun> out;
    for (const qint64 id : runIds) {
        RunRecord rec;
        try {
            rec = store.run(id);
        } catch (const std::exception&) {
            continue;
        }
        CompareRun r;
        r.id = id;
        r.name = toQString(rec.name);
        r.status = toQString(toString(rec.status));
        r.seed = rec.seed;
        r.config = flattenConfigText(rec.configJson);
        r.top1 = store.metrics(id, metric::kTestTop1);
        out.push_back(std::move(r));
    }
    return out;
}

namespace {

// A sortable, read-only table with its CSV export button above it.
QWidget* tablePage(QWidget* parent, QAbstractItemModel* model, const QString& csvName, QWidget* extra = nullptr)
{
    auto* page = new QWidget(parent);
    auto* view = new QTableView(page);
    auto* proxy = new QSortFilterProxyModel(page);
    proxy->setSourceModel(model);
    proxy->setSortRole(Qt::UserRole);
    view->setModel(proxy);
    view->setSortingEnabled(true);
    view->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);  // the model's order until a header is clicked
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->horizontalHeader()->setStretchLastSection(true);
    view->verticalHeader()->setVisible(false);
    view->setAlternatingRowColors(true);
    QObject::connect(model, &QAbstractItemModel::modelReset, view, [view] { view->resizeColumnsToContents(); });
    auto* bar = new QHBoxLayout;
    if (extra)
        bar->addWidget(extra);
    bar->addStretch(1);
    bar->addWidget(makeCsvExportButton(page, model, csvName));
    auto* layout = new QVBoxLayout(page);
    layout->addLayout(bar);
    layout->addWidget(view, 1);
    return page;
}

}  // namespace

CompareView::CompareView(QWidget* parent)
    : QWidget(parent)
    , m_curves(new CurvesView(this))
    , m_summary(new RunSummaryModel(this))
    , m_diff(new ConfigDiffModel(this))
    , m_groups(new SeedGroupModel(this))
    , m_tests(new GroupTestModel(this))
    , m_threshold(new QDoubleSpinBox(this))
    , m_statistic(new QComboBox(this))
    , m_status(new QLabel(this))
{
    m_threshold->setRange(0, 100);
    m_threshold->setDecimals(1);
    m_threshold->setSuffix(QStringLiteral(" %"));
    m_threshold->setValue(m_summary->threshold());
    m_threshold->setToolTip(tr("Test accuracy for the \"epochs to\" column"));
    m_statistic->addItem(tr("Final test top-1"));
    m_statistic->addItem(tr("Best test top-1"));
    m_status->setWordWrap(true);
    m_curves->setAxis(CurveAxis::Epoch);  // runs of different batch sizes line up by epoch

    auto* thresholdBox = new QWidget(this);
    auto* tl = new QHBoxLayout(thresholdBox);
    tl->setContentsMargins(0, 0, 0, 0);
    tl->addWidget(new QLabel(tr("Epochs to accuracy:"), thresholdBox));
    tl->addWidget(m_threshold);

    auto* statisticBox = new QWidget(this);
    auto* sl = new QHBoxLayout(statisticBox);
    sl->setContentsMargins(0, 0, 0, 0);
    sl->addWidget(new QLabel(tr("Compare:"), statisticBox));
    sl->addWidget(m_statistic);

    auto* groupsPage = new QWidget(this);
    auto* gl = new QVBoxLayout(groupsPage);
    gl->setContentsMargins(0, 0, 0, 0);
    auto* groupSplit = new QSplitter(Qt::Vertical, groupsPage);
    groupSplit->addWidget(tablePage(groupSplit, m_groups, QStringLiteral("seed-groups"), statisticBox));
    groupSplit->addWidget(tablePage(groupSplit, m_tests, QStringLiteral("welch-tests"),
                                    new QLabel(tr("Welch's t-test between groups (unequal variances, two-sided)"))));
    gl->addWidget(groupSplit);

    auto* tabs = new QTabWidget(this);
    tabs->addTab(tablePage(tabs, m_summary, QStringLiteral("run-summary"), thresholdBox), tr("Accuracy"));
    tabs->addTab(tablePage(tabs, m_diff, QStringLiteral("config-diff")), tr("Configuration diff"));
    tabs->addTab(groupsPage, tr("Seed groups"));

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_curves);
    split->addWidget(tabs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(split, 1);
    m_status->setVisible(false);

    connect(m_threshold, &QDoubleSpinBox::valueChanged, m_summary, &RunSummaryModel::setThreshold);
    connect(m_statistic, &QComboBox::currentIndexChanged, this, [this](int i) {
        setGroupStatistic(i == 0 ? GroupStatistic::FinalTop1 : GroupStatistic::BestTop1);
    });
}

void CompareView::setRuns(const QString& dbPath, const QList<qint64>& runIds)
{
    m_curves->setRuns(dbPath, runIds);
    const quint64 generation = ++m_generation;
    loadAsync(
        this, [dbPath, runIds] { return loadCompareRuns(dbPath, runIds); },
        [this, generation](const Loaded<std::vector<CompareRun>>& result) {
            if (generation != m_generation)
                return;
            if (!result.value) {
                m_status->setText(result.error);
                m_status->setVisible(true);
                Q_EMIT loadFailed(result.error);
                return;
            }
            m_status->setVisible(false);
            applyRuns(*result.value);
            Q_EMIT loaded();
        });
}

void CompareView::applyRuns(std::vector<CompareRun> runs)
{
    m_runs = std::move(runs);
    m_summary->setRuns(m_runs);
    m_diff->setRuns(m_runs);
    setGroupStatistic(m_statistic->currentIndex() == 0 ? GroupStatistic::FinalTop1 : GroupStatistic::BestTop1);
}

void CompareView::setThreshold(double percent) { m_threshold->setValue(percent); }

void CompareView::setGroupStatistic(GroupStatistic statistic)
{
    m_statistic->setCurrentIndex(statistic == GroupStatistic::FinalTop1 ? 0 : 1);
    m_groups->setRuns(m_runs, statistic);
    m_tests->setGroups(m_groups->groups());
}

}  // namespace scns
