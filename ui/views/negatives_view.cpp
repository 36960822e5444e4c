#include "views/negatives_view.h"

#include <QComboBox>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSlider>
#include <QVBoxLayout>

#include <cmath>
#include <map>
#include <set>

#include "common/qt_text.h"
#include "store/run_store.h"
#include "train/run_config.h"
#include "views/async_load.h"
#include "views/export.h"
#include "views/plot_style.h"
#include "views/qcp.h"
#include "views/training_set_cache.h"

namespace scns {

namespace {

constexpr int kColumns = 6;
// Images are magnified by whole factors (nearest neighbour, so pixels stay sharp) to about
// these sizes: 28 px Fashion-MNIST x3 and x6, 32 px CIFAR x3 and x5, 64 px Tiny-ImageNet x1 and x3.
constexpr int kTileSize = 84;
constexpr int kPseudoSize = 56;
constexpr int kAnchorSize = 168;
constexpr int kAnchorScale = 6;  // for the panel's width: 6 x 28 px

struct ProbeLoad {
    std::vector<ProbeNegativeRow> rows;
    QStringList classNames;  // from a recorded similarity matrix, if any (before images load)
    QString configJson;
};

}  // namespace

NegativesView::NegativesView(QWidget* parent)
    : QWidget(parent)
    , m_anchorCombo(new QComboBox(this))
    , m_epochSlider(new QSlider(Qt::Horizontal, this))
    , m_epochLabel(new QLabel(this))
    , m_anchorImage(new QLabel(this))
    , m_anchorText(new QLabel(this))
    , m_summary(new QLabel(this))
    , m_status(new QLabel(this))
    , m_title(makeRunTitleLabel(this))
    , m_history(new QCustomPlot(this))
    , m_epochLine(nullptr)
    , m_scroll(new QScrollArea(this))
    , m_grid(new QWidget)
    , m_gridLayout(new QGridLayout(m_grid))
{
    m_anchorCombo->setToolTip(tr("Probe anchor: training-set index and class"));
    m_anchorCombo->setMinimumContentsLength(18);
    m_epochSlider->setToolTip(tr("Epoch whose draws are shown"));
    m_epochSlider->setEnabled(false);
    m_anchorImage->setFixedSize(28 * kAnchorScale + 4, 28 * kAnchorScale + 4);
    m_anchorImage->setAlignment(Qt::AlignCenter);
    m_anchorImage->setFrameShape(QFrame::StyledPanel);
    m_anchorText->setAlignment(Qt::AlignHCenter);
    m_summary->setWordWrap(true);
    m_status->setWordWrap(true);
    m_status->setVisible(false);
    m_gridLayout->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_scroll->setWidget(m_grid);
    m_scroll->setWidgetResizable(true);

    m_history->setFixedSize(28 * kAnchorScale + 4, 170);
    m_history->setToolTip(tr("This anchor's draws per epoch: mean cosine of its negatives (blue) and the share "
                             "drawn from the top-k distribution (orange)"));
    m_history->xAxis->setLabel(tr("epoch"));
    m_history->yAxis->setRange(0, 1.05);
    m_history->xAxis->setTicker(QSharedPointer<QCPAxisTickerFixed>::create());
    m_history->xAxis->ticker().dynamicCast<QCPAxisTickerFixed>()->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    m_history->addGraph()->setPen(QPen(runColor(0), 1.6));
    m_history->addGraph()->setPen(QPen(runColor(1), 1.6));
    for (int i = 0; i < 2; ++i)
        m_history->graph(i)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
    m_epochLine = new QCPItemStraightLine(m_history);
    m_epochLine->setPen(QPen(Qt::gray, 1, Qt::DashLine));
    m_epochLine->setVisible(false);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Anchor:"), this));
    controls->addWidget(m_anchorCombo);
    controls->addSpacing(16);
    controls->addWidget(new QLabel(tr("Epoch:"), this));
    controls->addWidget(m_epochSlider, 1);
    controls->addWidget(m_epochLabel);
    controls->addWidget(makeWidgetExportButton(this, [this] { return this; }, QStringLiteral("negatives")));
    auto* anchorBox = new QVBoxLayout;
    anchorBox->addWidget(m_anchorImage);
    anchorBox->addWidget(m_anchorText);
    anchorBox->addWidget(m_summary);
    anchorBox->addWidget(m_history);
    anchorBox->addStretch(1);
    auto* body = new QHBoxLayout;
    body->addLayout(anchorBox);
    body->addWidget(m_scroll, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addLayout(controls);
    layout->addWidget(m_status);
    layout->addLayout(body, 1);

    connect(m_anchorCombo, &QComboBox::currentIndexChanged, this, &NegativesView::rebuildGrid);
    connect(m_anchorCombo, &QComboBox::currentIndexChanged, this, &NegativesView::rebuildHistory);
    connect(m_epochSlider, &QSlider::valueChanged, this, &NegativesView::rebuildGrid);
    rebuildGrid();
}

void NegativesView::setRunTitle(const QString& title)
{
    m_title->setText(title);
    m_title->setVisible(!title.isEmpty());
}

QString NegativesView::runTitle() const { return m_title->text(); }

void NegativesView::setRun(const QString& dbPath, qint64 runId)
{
    m_dbPath = dbPath;
    m_runId = runId;
    m_rows.clear();
    m_shownEpoch = -1;
    m_images.reset();
    m_configJson.clear();
    reload();
}

void NegativesView::reload()
{
    if (m_dbPath.isEmpty())
        return;
    const quint64 generation = ++m_generation;
    const std::filesystem::path path = m_dbPath.toStdString();
    const qint64 runId = m_runId;
    m_status->setText(tr("Loading probe negatives…"));
    m_status->setVisible(true);
    loadAsync(
        this,
        [path, runId] {
            RunStore store(path);
            ProbeLoad out;
            out.configJson = toQString(store.run(runId).configJson);
            out.rows = store.probeNegatives(runId);
            const auto sims = store.classSimilarities(runId);
            if (!sims.empty())
                out.classNames = toQStringList(sims.front().classNames);
            return out;
        },
        [this, generation](const Loaded<ProbeLoad>& result) {
            if (generation != m_generation)
                return;
            if (!result.value) {
                m_status->setText(result.error);
                Q_EMIT loadFailed(result.error);
                return;
            }
            applyRows(result.value->rows, result.value->classNames, result.value->configJson);
            Q_EMIT loaded();
        });
}

void NegativesView::applyRows(std::vector<ProbeNegativeRow> rows, QStringList classNames, const QString& configJson)
{
    m_rows = std::move(rows);
    if (!m_images)
        m_classNames = classNames;
    m_status->setText(m_rows.empty() ? tr("This run recorded no probe negatives (contrastive runs record them "
                                          "for probe_anchors anchors each epoch).")
                                     : QString());
    m_status->setVisible(m_rows.empty());
    rebuildControls();
    if (!m_images && !m_rows.empty() && configJson != m_configJson)
        loadImages(configJson);
    m_configJson = configJson;
}

void NegativesView::loadImages(const QString& configJson)
{
    const quint64 generation = m_generation;
    const std::string json = configJson.toStdString();
    loadAsync(
        this,
        [json] { return TrainingSetCache::instance().trainingSet(runConfigFromJsonText(json, "the run's configuration")); },
        [this, generation](const Loaded<std::shared_ptr<const ImageSet>>& result) {
            if (generation != m_generation)
                return;
            if (!result.value) {
                m_status->setText(tr("Images unavailable: %1").arg(result.error));
                m_status->setVisible(true);
                Q_EMIT imagesFailed(result.error);
                return;
            }
            m_images = *result.value;
            m_classNames = toQStringList(m_images->classNames);
            rebuildControls();
            Q_EMIT imagesLoaded();
        });
}

QString NegativesView::className(qint64 c) const
{
    if (c >= 0 && c < m_classNames.size())
        return m_classNames[c];
    return tr("class %1").arg(c);
}

QList<qint64> NegativesView::anchors() const
{
    std::set<qint64> set;
    for (const auto& r : m_rows)
        set.insert(r.anchorIndex);
    return QList<qint64>(set.begin(), set.end());
}

QList<qint64> NegativesView::epochs() const
{
    std::set<qint64> set;
    for (const auto& r : m_rows)
        set.insert(r.epoch);
    return QList<qint64>(set.begin(), set.end());
}

qint64 NegativesView::currentAnchor() const
{
    return m_anchorCombo->currentIndex() < 0 ? -1 : m_anchorCombo->currentData().toLongLong();
}

qint64 NegativesView::currentEpoch() const
{
    const auto e = epochs();
    const int i = m_epochSlider->value();
    return i >= 0 && i < e.size() ? e[i] : -1;
}

void NegativesView::setCurrentAnchor(qint64 anchorIndex)
{
    const int i = m_anchorCombo->findData(anchorIndex);
    if (i >= 0)
        m_anchorCombo->setCurrentIndex(i);
}

void NegativesView::setCurrentEpoch(qint64 epoch)
{
    const int i = static_cast<int>(epochs().indexOf(epoch));
    if (i >= 0)
        m_epochSlider->setValue(i);
}

void NegativesView::rebuildControls()
{
    const qint64 anchor = currentAnchor();
    const qint64 epoch = m_shownEpoch;
    {
        QSignalBlocker a(m_anchorCombo), s(m_epochSlider);
        std::map<qint64, qint64> anchorClass;
        for (const auto& r : m_rows)
            anchorClass.emplace(r.anchorIndex, r.anchorClass);
        m_anchorCombo->clear();
        for (const auto& [index, cls] : anchorClass)
            m_anchorCombo->addItem(tr("#%1 · %2").arg(index).arg(className(cls)), index);
        const int ai = m_anchorCombo->findData(anchor);
        m_anchorCombo->setCurrentIndex(ai >= 0 ? ai : (m_anchorCombo->count() > 0 ? 0 : -1));
        const auto e = epochs();
        m_epochSlider->setRange(0, std::max<int>(0, static_cast<int>(e.size()) - 1));
        const int ei = static_cast<int>(e.indexOf(epoch));
        // A new run starts at its latest epoch; a reload keeps the epoch looked at.
        m_epochSlider->setValue(ei >= 0 ? ei : static_cast<int>(e.size()) - 1);
        m_epochSlider->setEnabled(e.size() > 1);
    }
    rebuildGrid();
    rebuildHistory();
}

void NegativesView::rebuildHistory()
{
    const qint64 anchor = currentAnchor();
    struct Sums {
        double cos = 0;
        int negatives = 0, fromTopK = 0;
    };
    std::map<qint64, Sums> perEpoch;
    for (const auto& r : m_rows) {
        if (r.anchorIndex != anchor || r.kind == "pseudo")
            continue;
        auto& s = perEpoch[r.epoch];
        s.cos += r.similarity;
        ++s.negatives;
        s.fromTopK += r.fromTopK ? 1 : 0;
    }
    QVector<double> x, cos, topk;
    for (const auto& [epoch, s] : perEpoch) {
        x << static_cast<double>(epoch);
        cos << s.cos / s.negatives;
        topk << static_cast<double>(s.fromTopK) / s.negatives;
    }
    m_history->graph(0)->setData(x, cos, true);
    m_history->graph(1)->setData(x, topk, true);
    if (!x.isEmpty())
        m_history->xAxis->setRange(x.front() - 0.5, x.back() + 0.5);
    bool found = false;
    const QCPRange r = m_history->graph(0)->getValueRange(found);
    m_history->yAxis->setRange(found ? std::min(0.0, r.lower) : 0.0, 1.05);
    m_history->replot(QCustomPlot::rpQueuedReplot);
}

QPixmap NegativesView::tileImage(qint64 index, int size) const
{
    if (!m_images)
        return {};
    const QImage img = imageOf(*m_images, index);
    if (img.isNull())
        return {};
    const int scale = std::max(1, static_cast<int>(std::lround(static_cast<double>(size) / std::max(img.width(), img.height()))));
    return QPixmap::fromImage(img.scaled(img.width() * scale, img.height() * scale, Qt::IgnoreAspectRatio,
                                         Qt::FastTransformation));
}

void NegativesView::rebuildGrid()
{
    for (auto& t : m_tiles)
        delete t.widget;
    m_tiles.clear();
    const qint64 anchor = currentAnchor();
    const qint64 epoch = currentEpoch();
    m_shownEpoch = epoch;
    m_epochLabel->setText(epoch < 0 ? QString() : tr("%1").arg(epoch));
    m_epochLine->setVisible(epoch >= 0);
    m_epochLine->point1->setCoords(static_cast<double>(epoch), 0);
    m_epochLine->point2->setCoords(static_cast<double>(epoch), 1);
    m_history->replot(QCustomPlot::rpQueuedReplot);
    qint64 anchorClass = -1;
    int fromTopK = 0, pseudo = 0, sameClass = 0, count = 0;
    double cosSum = 0;
    for (const auto& r : m_rows) {
        if (r.anchorIndex != anchor || r.epoch != epoch)
            continue;
        anchorClass = r.anchorClass;
        auto* frame = new QFrame(m_grid);
        frame->setFrameShape(QFrame::StyledPanel);
        auto* v = new QVBoxLayout(frame);
        v->setContentsMargins(4, 4, 4, 4);
        auto* images = new QHBoxLayout;
        Tile tile;
        tile.widget = frame;
        QString text;
        const bool isPseudo = r.kind == "pseudo";
        if (isPseudo) {
            ++pseudo;
            // Source -1 is the anchor itself (mixup mode "anchor").
            for (const qint64 src : {r.sourceA, r.sourceB}) {
                const qint64 index = src < 0 ? anchor : src;
                auto* l = new QLabel(frame);
                l->setPixmap(tileImage(index, kPseudoSize));
                l->setToolTip(src < 0 ? tr("the anchor") : tr("training image #%1").arg(src));
                l->setMinimumSize(56, 56);
                images->addWidget(l);
                ++tile.images;
            }
            const QString a = r.sourceA < 0 ? tr("anchor") : QStringLiteral("#%1").arg(r.sourceA);
            const QString b = r.sourceB < 0 ? tr("anchor") : QStringLiteral("#%1").arg(r.sourceB);
            text = tr("pseudo: %1 ⊕ %2\nλ = %3\ncos %4").arg(a, b, QString::number(r.lambda, 'f', 2),
                                                             QString::number(r.similarity, 'f', 3));
        } else {
            auto* l = new QLabel(frame);
            l->setPixmap(tileImage(r.sampleIndex, kTileSize));
            l->setMinimumSize(84, 84);
            l->setToolTip(tr("training image #%1").arg(r.sampleIndex));
            images->addWidget(l);
            tile.images = 1;
            if (r.fromTopK)
                ++fromTopK;
            if (r.sampleClass == r.anchorClass)
                ++sameClass;
            text = tr("%1\ncos %2\n%3").arg(className(r.sampleClass), QString::number(r.similarity, 'f', 3),
                                            r.fromTopK ? tr("negative · top-k") : tr("negative · ε"));
        }
        ++count;
        cosSum += r.similarity;
        v->addLayout(images);
        auto* label = new QLabel(text, frame);
        label->setAlignment(Qt::AlignHCenter);
        if (!isPseudo && r.sampleClass == r.anchorClass)
            label->setStyleSheet(QStringLiteral("color: #b03030"));  // a false negative of the same class
        v->addWidget(label);
        tile.text = text;
        const int i = static_cast<int>(m_tiles.size());
        m_gridLayout->addWidget(frame, i / kColumns, i % kColumns);
        m_tiles.push_back(tile);
    }
    if (anchor < 0) {
        m_anchorImage->clear();
        m_anchorText->clear();
        m_summary->clear();
        return;
    }
    const QPixmap pm = tileImage(anchor, kAnchorSize);
    if (pm.isNull())
        m_anchorImage->setText(m_images ? tr("no image") : tr("loading image…"));
    else
        m_anchorImage->setPixmap(pm);
    m_anchorText->setText(tr("anchor #%1\n%2").arg(anchor).arg(className(anchorClass)));
    m_summary->setText(count == 0 ? tr("No draws recorded at this epoch.")
                                  : tr("%1 draws: %2 from the top-k distribution, %3 uniform (ε), %4 pseudo; "
                                       "%5 of the anchor's class; mean cosine %6")
                                        .arg(count)
                                        .arg(fromTopK)
                                        .arg(count - pseudo - fromTopK)
                                        .arg(pseudo)
                                        .arg(sameClass)
                                        .arg(QString::number(cosSum / count, 'f', 3)));
}

QString NegativesView::tileText(int i) const
{
    return i >= 0 && i < tileCount() ? m_tiles[static_cast<std::size_t>(i)].text : QString();
}

int NegativesView::tileImageCount(int i) const
{
    return i >= 0 && i < tileCount() ? m_tiles[static_cast<std::size_t>(i)].images : 0;
}

QString NegativesView::summaryText() const { return m_summary->text(); }

QPixmap NegativesView::anchorPixmap() const { return m_anchorImage->pixmap(); }

}  // namespace scns
