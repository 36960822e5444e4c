// NegativesView: probe rows of a generated store over a run whose configuration points at the
// real Fashion-MNIST with a per-class cap; anchors and epochs from the rows, one tile per draw
// (pseudo-negatives with their two sources and lambda), images equal to the run's capped
// training set, and the training set read once for runs that share it.
#include <QComboBox>
#include <QImage>
#include <QTemporaryDir>
#include <QSignalSpy>
#include <QSlider>
#include <QTest>
#include <cmath>
#include <filesystem>

#include "data/dataset_registry.h"
#include "data/subset.h"
#include "train/run_config.h"
#include "view_test_store.h"
#include "views/export.h"
#include "views/negatives_view.h"
#include "views/qcp.h"
#include "views/training_set_cache.h"

using namespace scns;
using namespace scns::test;

class TestNegativesView : public QObject {
    Q_OBJECT
    ViewStore m_store;
    std::int64_t m_run = 0, m_twin = 0;
    ImageSet m_train;  // the run's training set, built here independently
    // Three tests show the real images and fail without them; the others need no data and run
    // either way (a missing package is a failure that says what to install, never a skip).
    bool m_haveData = false;
    static constexpr const char* kNoData =
        "Fashion-MNIST is not installed (/usr/share/datasets/fashion-mnist): install the Debian package "
        "dataset-fashion-mnist (packaging/debian-packages.txt)";

    static ProbeNegativeRow negative(std::int64_t epoch, std::int64_t anchor, std::int64_t anchorClass, std::int64_t slot,
                                     std::int64_t sample, std::int64_t sampleClass, double sim, bool topk)
    {
        ProbeNegativeRow r;
        r.epoch = epoch;
        r.anchorIndex = anchor;
        r.anchorClass = anchorClass;
        r.slot = slot;
        r.sampleIndex = sample;
        r.sampleClass = sampleClass;
        r.similarity = sim;
        r.fromTopK = topk;
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_haveData = std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
        if (!m_haveData)
            return;
        RunConfig cfg;
        cfg.data.trainPerClass = 10;
        cfg.seed = 7;
        m_train = capPerClass(loadDataset("fashion-mnist", "", Split::Train), 10, 7);
        QCOMPARE(m_train.count, std::int64_t{100});
        RunStore store(m_store.fsPath());
        m_run = store.createRun("neg", toJsonText(cfg), 7);
        m_twin = store.createRun("neg twin", toJsonText(cfg), 7);
        std::vector<ProbeNegativeRow> rows;
        const std::int64_t a = 5, b = 42;
        const auto ca = m_train.labels[a], cb = m_train.labels[b];
        // Epoch 1: anchor a has 4 negatives and 1 pseudo; anchor b has 2. Epoch 2: anchor a has 3.
        for (int s = 0; s < 4; ++s)
            rows.push_back(negative(1, a, ca, s, 10 + 20 * s, m_train.labels[10 + 20 * s], 0.1 * s, s % 2 == 0));
        ProbeNegativeRow pseudo = negative(1, a, ca, 4, -1, -1, 0.25, true);
        pseudo.kind = "pseudo";
        pseudo.sourceA = -1;
        pseudo.sourceB = 61;
        pseudo.lambda = 0.3;
        rows.push_back(pseudo);
        for (int s = 0; s < 2; ++s)
            rows.push_back(negative(1, b, cb, s, 3 + s, m_train.labels[3 + s], 0.5, true));
        for (int s = 0; s < 3; ++s)
            rows.push_back(negative(2, a, ca, s, 90 + s, m_train.labels[90 + s], 0.2, true));
        store.appendProbeNegatives(m_run, rows);
        store.appendProbeNegatives(m_twin, rows);
    }

    void gridFollowsAnchorAndEpoch()
    {
        if (!m_haveData)
            QFAIL(kNoData);
        NegativesView view;
        QSignalSpy rows(&view, &NegativesView::loaded), images(&view, &NegativesView::imagesLoaded);
        view.setRun(m_store.path(), m_run);
        QTRY_COMPARE(rows.count(), 1);
        QCOMPARE(view.anchors(), (QList<qint64>{5, 42}));
        QCOMPARE(view.epochs(), (QList<qint64>{1, 2}));
        // Starts at the latest epoch, first anchor.
        QCOMPARE(view.currentEpoch(), qint64{2});
        QCOMPARE(view.currentAnchor(), qint64{5});
        QCOMPARE(view.tileCount(), 3);
        view.setCurrentEpoch(1);
        QCOMPARE(view.tileCount(), 5);
        QCOMPARE(view.tileImageCount(0), 1);
        QCOMPARE(view.tileImageCount(4), 2);  // the pseudo-negative's two sources
        QVERIFY2(view.tileText(4).contains("λ = 0.30") && view.tileText(4).contains("anchor")
                     && view.tileText(4).contains("#61"),
                 qPrintable(view.tileText(4)));
        QVERIFY(view.tileText(1).contains("cos 0.100"));
        QVERIFY(view.tileText(0).contains("top-k") && view.tileText(1).contains("ε"));
        QVERIFY2(view.summaryText().startsWith("5 draws: 2 from the top-k distribution, 2 uniform (ε), 1 pseudo"), qPrintable(view.summaryText()));
        // History of anchor 5: epoch 1 negatives cos 0, .1, .2, .3 (2 of 4 top-k), epoch 2 three at .2 (all top-k).
        QCPGraph* cos = view.historyPlot()->graph(0);
        QCPGraph* topk = view.historyPlot()->graph(1);
        QCOMPARE(cos->data()->size(), 2);
        QVERIFY(std::abs(cos->data()->at(0)->value - 0.15) < 1e-12);
        QVERIFY(std::abs(cos->data()->at(1)->value - 0.2) < 1e-12);
        QCOMPARE(topk->data()->at(0)->value, 0.5);
        QCOMPARE(topk->data()->at(1)->value, 1.0);
        view.findChild<QComboBox*>()->setCurrentIndex(1);
        QCOMPARE(view.historyPlot()->graph(0)->data()->size(), 1);
        QCOMPARE(view.currentAnchor(), qint64{42});
        QCOMPARE(view.tileCount(), 2);

        // Images: the run's capped training set, class names from it.
        QTRY_COMPARE_WITH_TIMEOUT(images.count(), 1, 60000);  // reads Fashion-MNIST (slow on a busy machine)
        view.setCurrentAnchor(5);
        const QString cls = QString::fromStdString(m_train.classNames[static_cast<std::size_t>(m_train.labels[10])]);
        QVERIFY2(view.tileText(0).startsWith(cls), qPrintable(view.tileText(0)));
        const QImage shown = view.anchorPixmap().toImage().convertToFormat(QImage::Format_Grayscale8);
        QCOMPARE(shown.width(), 28 * 6);
        for (int y = 0; y < 28; ++y)
            for (int x = 0; x < 28; ++x)
                QCOMPARE(qGray(shown.pixel(x * 6 + 2, y * 6 + 2)), int(m_train.pixels[5 * 784 + y * 28 + x]));
    }

    void exportsGridAsPngAndPdf()
    {
        if (!m_haveData)
            QFAIL(kNoData);
        NegativesView view;
        view.resize(900, 600);
        QSignalSpy images(&view, &NegativesView::imagesLoaded);
        view.setRun(m_store.path(), m_run);
        QTRY_COMPARE_WITH_TIMEOUT(images.count(), 1, 60000);  // reads Fashion-MNIST (slow on a busy machine)
        QTemporaryDir dir;
        QCOMPARE(saveWidget(view, dir.filePath("grid.png")), QString());
        QCOMPARE(QImage(dir.filePath("grid.png")).size(), view.grab().size());
        QCOMPARE(saveWidget(view, dir.filePath("grid.pdf")), QString());
        QFile pdf(dir.filePath("grid.pdf"));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5).startsWith("%PDF"));
    }

    void trainingSetIsReadOncePerConfiguration()
    {
        if (!m_haveData)
            QFAIL(kNoData);
        const int before = TrainingSetCache::instance().readCount();
        NegativesView a, b;
        QSignalSpy ia(&a, &NegativesView::imagesLoaded), ib(&b, &NegativesView::imagesLoaded);
        a.setRun(m_store.path(), m_run);
        b.setRun(m_store.path(), m_twin);
        QTRY_COMPARE_WITH_TIMEOUT(ia.count(), 1, 60000);  // reads Fashion-MNIST (slow on a busy machine)
        QTRY_COMPARE_WITH_TIMEOUT(ib.count(), 1, 60000);  // reads Fashion-MNIST (slow on a busy machine)
        QVERIFY(TrainingSetCache::instance().readCount() - before <= 1);
        QVERIFY(a.hasImages() && b.hasImages());
    }

    void rgbImagesFromPlanarPixels()
    {
        // CIFAR layout: C x H x W per image. Image 1 of 2, 2 x 1 pixels.
        ImageSet set;
        set.count = 2;
        set.channels = 3;
        set.height = 1;
        set.width = 2;
        set.pixels = {0, 0, 0, 0, 0, 0,  // image 0
                      10, 20, 30, 40, 50, 60};  // image 1: R plane, G plane, B plane
        const QImage img = imageOf(set, 1);
        QCOMPARE(img.size(), QSize(2, 1));
        QCOMPARE(img.pixelColor(0, 0), QColor(10, 30, 50));
        QCOMPARE(img.pixelColor(1, 0), QColor(20, 40, 60));
        QVERIFY(imageOf(set, 2).isNull());
        QVERIFY(imageOf(set, -1).isNull());
    }

    void missingDataSetReportsAndKeepsRows()
    {
        RunConfig cfg;
        cfg.data.folder = "/nonexistent/fmnist";
        std::int64_t id = 0;
        {
            RunStore store(m_store.fsPath());
            id = store.createRun("nodata", toJsonText(cfg), 1);
            store.appendProbeNegatives(id, {negative(1, 0, 0, 0, 1, 1, 0.1, true)});
        }
        NegativesView view;
        QSignalSpy failed(&view, &NegativesView::imagesFailed);
        view.setRun(m_store.path(), id);
        QTRY_COMPARE(failed.count(), 1);
        QVERIFY(failed.at(0).at(0).toString().contains("nonexistent"));
        QCOMPARE(view.tileCount(), 1);
    }
};

QTEST_MAIN(TestNegativesView)
#include "test_negatives_view.moc"
