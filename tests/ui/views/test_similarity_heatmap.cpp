// SimilarityHeatmapView and MatrixPlot: the stored matrices appear cell by cell (no
// interpolation), class names label both axes, the slider steps through refreshes, the title
// names source and epoch, hover text names the pair and value, reload follows a new refresh.
#include <QSignalSpy>
#include <QSlider>
#include <QTest>
#include <cmath>

#include "view_test_store.h"
#include "views/matrix_plot.h"
#include "views/qcp.h"
#include "views/similarity_heatmap_view.h"

using namespace scns;
using namespace scns::test;

class TestSimilarityHeatmap : public QObject {
    Q_OBJECT
    ViewStore m_store;
    std::int64_t m_run = 0, m_empty = 0;
    const std::vector<std::string> m_names{"T-shirt", "Trouser", "Pullover"};
    // Epoch e's matrix: 1 on the diagonal, (r + c) / 10 + e / 100 elsewhere.
    static std::vector<float> matrixAt(int e)
    {
        std::vector<float> m(9);
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 3; ++c)
                m[r * 3 + c] = r == c ? 1.0f : static_cast<float>((r + c) / 10.0 + e / 100.0);
        return m;
    }

    void load(SimilarityHeatmapView& view, qint64 run)
    {
        QSignalSpy spy(&view, &SimilarityHeatmapView::loaded);
        view.setRun(m_store.path(), run);
        QTRY_COMPARE(spy.count(), 1);
    }

private Q_SLOTS:
    void initTestCase()
    {
        RunStore store(m_store.fsPath());
        m_run = store.createRun("sim", "{}", 1);
        store.addClassSimilarity(m_run, 0, "wordnet", m_names, matrixAt(0));
        store.addClassSimilarity(m_run, 2, "wordnet", m_names, matrixAt(2));
        m_empty = store.createRun("plain", "{}", 1);
    }

    void showsNewestMatrixCellByCell()
    {
        SimilarityHeatmapView view;
        load(view, m_run);
        QCOMPARE(view.recordCount(), 2);
        QCOMPARE(view.currentIndex(), 1);
        MatrixPlot* m = view.matrix();
        QVERIFY(!m->colorMap()->interpolate());
        QCOMPARE(m->size(), 3);
        const auto expected = matrixAt(2);
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 3; ++c)
                QCOMPARE(m->cellValue(r, c), double(expected[static_cast<std::size_t>(r * 3 + c)]));
        QVERIFY2(m->title().contains("WordNet") && m->title().contains("epoch 2"), qPrintable(m->title()));
        // Class names on both axes.
        for (QCPAxis* axis : {m->plot()->xAxis, m->plot()->yAxis}) {
            auto ticker = axis->ticker().dynamicCast<QCPAxisTickerText>();
            QVERIFY(ticker);
            QCOMPARE(ticker->ticks().value(1), QString("Trouser"));
        }
    }

    void cellsAreWholeAndCentredOnTheirTicks()
    {
        SimilarityHeatmapView view;
        view.resize(700, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        load(view, m_run);
        MatrixPlot* m = view.matrix();
        m->plot()->replot();
        QCPColorMap* map = m->colorMap();
        QVERIFY(!map->tightBoundary());
        const QImage image = m->plot()->toPixmap().toImage();
        const auto values = matrixAt(2);
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 3; ++c) {
                int keyCell = -1, valueCell = -1;
                map->data()->coordToCell(c, r, &keyCell, &valueCell);
                QCOMPARE(keyCell, c);
                QCOMPARE(valueCell, r);
                // Drawn: the cell's colour fills +-0.4 cells around its tick, outer cells too.
                const QColor expected(map->gradient().color(values[static_cast<std::size_t>(r * 3 + c)], map->dataRange()));
                for (const double dx : {-0.4, 0.0, 0.4})
                    for (const double dy : {-0.4, 0.0, 0.4}) {
                        const int px = static_cast<int>(m->plot()->xAxis->coordToPixel(c + dx));
                        const int py = static_cast<int>(m->plot()->yAxis->coordToPixel(r + dy));
                        const QColor got = image.pixelColor(px, py);
                        QVERIFY2(std::abs(got.red() - expected.red()) <= 3 && std::abs(got.green() - expected.green()) <= 3
                                     && std::abs(got.blue() - expected.blue()) <= 3,
                                 qPrintable(QString("cell (%1,%2) at %3,%4: %5 vs %6")
                                                .arg(r).arg(c).arg(dx).arg(dy).arg(got.name(), expected.name())));
                    }
            }
    }

    void sliderStepsThroughRefreshes()
    {
        SimilarityHeatmapView view;
        load(view, m_run);
        view.findChild<QSlider*>()->setValue(0);
        QCOMPARE(view.currentRecord()->epoch, std::int64_t{0});
        QCOMPARE(view.matrix()->cellValue(0, 1), double(matrixAt(0)[1]));
        QVERIFY(view.matrix()->title().contains("before training"));
    }

    void hoverNamesPairAndValue()
    {
        SimilarityHeatmapView view;
        view.resize(700, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        load(view, m_run);
        MatrixPlot* m = view.matrix();
        m->plot()->replot();
        // Row 2 (Pullover), column 0 (T-shirt).
        const QPointF at(m->plot()->xAxis->coordToPixel(0), m->plot()->yAxis->coordToPixel(2));
        const QString text = m->hoverTextAt(at);
        QCOMPARE(text, QString("Pullover ↔ T-shirt: %1").arg(QString::number(matrixAt(2)[6], 'f', 3)));
        QVERIFY(m->hoverTextAt(QPointF(1, 1)).isEmpty());
    }

    void reloadFollowsNewRefresh()
    {
        SimilarityHeatmapView view;
        load(view, m_run);
        {
            RunStore store(m_store.fsPath());
            store.addClassSimilarity(m_run, 4, "visual", m_names, matrixAt(4));
        }
        QSignalSpy spy(&view, &SimilarityHeatmapView::loaded);
        view.reload();
        QTRY_COMPARE(spy.count(), 1);
        QCOMPARE(view.recordCount(), 3);
        QCOMPARE(view.currentRecord()->epoch, std::int64_t{4});
        QVERIFY(view.matrix()->title().contains("visual"));
    }

    void runWithoutMatricesSaysSo()
    {
        SimilarityHeatmapView view;
        load(view, m_empty);
        QCOMPARE(view.recordCount(), 0);
        QCOMPARE(view.matrix()->size(), 0);
    }
};

QTEST_MAIN(TestSimilarityHeatmap)
#include "test_similarity_heatmap.moc"
