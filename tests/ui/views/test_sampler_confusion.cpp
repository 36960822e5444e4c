// SamplerStatsView plots every "sampler/..." series of the runs (one plot each, runs
// overlaid, x = epoch); ConfusionMatrixView shows the stored test confusion counts, as counts
// or row percentages, per epoch.
#include <QSignalSpy>
#include <QTest>

#include "view_test_store.h"
#include "views/confusion_matrix_view.h"
#include "views/matrix_plot.h"
#include "views/qcp.h"
#include "views/sampler_stats_view.h"

using namespace scns;
using namespace scns::test;

class TestSamplerConfusion : public QObject {
    Q_OBJECT
    ViewStore m_store;
    std::int64_t m_a = 0, m_b = 0;
    static double stat(int run, int k, int epoch) { return 0.1 * k + 0.01 * epoch + run; }
    static std::vector<std::int64_t> countsAt(int epoch)
    {
        // 2 classes; row = true class.
        return {40 + epoch, 10 - epoch, 5, 45};
    }

private Q_SLOTS:
    void initTestCase()
    {
        RunStore store(m_store.fsPath());
        m_a = m_store.addRun(store, "a", 0, 3, 4);
        m_b = m_store.addRun(store, "b", 1, 3, 4);
        const char* names[] = {"sampler/mean_negative_cosine", "sampler/same_class_share", "sampler/from_topk_share"};
        for (const auto [id, r] : {std::pair{m_a, 0}, std::pair{m_b, 1}}) {
            std::vector<MetricRow> rows;
            for (int e = 1; e <= 3; ++e)
                for (int k = 0; k < 3; ++k)
                    if (!(r == 1 && k == 2))  // run b lacks one statistic
                        rows.push_back({e, 4 * e, names[k], stat(r, k, e)});
            store.appendMetrics(id, rows);
        }
        for (int e = 1; e <= 2; ++e)
            store.addTestConfusion(m_a, e, {"cat", "dog"}, countsAt(e));
    }

    void samplerStatisticsPerEpoch()
    {
        SamplerStatsView view;
        QSignalSpy spy(&view, &SamplerStatsView::loaded);
        view.setRuns(m_store.path(), {m_a, m_b});
        QTRY_COMPARE(spy.count(), 1);
        QCOMPARE(view.statistics(), (QStringList{"sampler/from_topk_share", "sampler/mean_negative_cosine",
                                                 "sampler/same_class_share"}));
        QCOMPARE(view.plot()->axisRectCount(), 3);
        QCOMPARE(view.plot()->graphCount(), 5);
        QVERIFY(!view.graphFor(m_b, "sampler/from_topk_share"));
        QCPGraph* g = view.graphFor(m_b, "sampler/same_class_share");
        QCOMPARE(g->data()->size(), 3);
        for (int e = 1; e <= 3; ++e) {
            QCOMPARE(g->data()->at(e - 1)->key, double(e));
            QCOMPARE(g->data()->at(e - 1)->value, stat(1, 1, e));
        }
        // Live: a fourth epoch's statistic arrives.
        view.appendMetrics(m_a, {{4, 16, "sampler/mean_negative_cosine", 0.9}, {4, 16, "train/loss", 1}});
        QCOMPARE(view.graphFor(m_a, "sampler/mean_negative_cosine")->data()->size(), 4);
    }

    void noStatisticsForSupervisedRun()
    {
        RunStore store(m_store.fsPath());
        const auto id = m_store.addRun(store, "plain", 0, 1, 2);
        SamplerStatsView view;
        QSignalSpy spy(&view, &SamplerStatsView::loaded);
        view.setRuns(m_store.path(), {id});
        QTRY_COMPARE(spy.count(), 1);
        QVERIFY(view.statistics().isEmpty());
        QCOMPARE(view.plot()->graphCount(), 0);
    }

    void confusionCountsAndPercentages()
    {
        ConfusionMatrixView view;
        QSignalSpy spy(&view, &ConfusionMatrixView::loaded);
        view.setRun(m_store.path(), m_a);
        QTRY_COMPARE(spy.count(), 1);
        QCOMPARE(view.recordCount(), 2);
        MatrixPlot* m = view.matrix();
        const auto c2 = countsAt(2);
        for (int i = 0; i < 4; ++i)
            QCOMPARE(m->cellValue(i / 2, i % 2), double(c2[static_cast<std::size_t>(i)]));
        // Accuracy in the title: (42 + 45) / 100.
        QVERIFY2(m->title().contains("epoch 2") && m->title().contains("87.00"), qPrintable(m->title()));
        QCOMPARE(m->cellLabelTexts(), (QStringList{"42", "8", "5", "45"}));
        view.setNormalized(true);
        QCOMPARE(m->cellValue(0, 1), 100.0 * 8 / 50);
        QCOMPARE(m->cellLabelTexts().at(1), QString("16.0"));
        QCOMPARE(m->cellValue(1, 0), 100.0 * 5 / 50);
        QCOMPARE(m->hoverTextForCell(1, 0), QString("true dog, predicted cat: 10.0 %"));
        view.setCurrentIndex(0);
        QCOMPARE(m->cellValue(0, 0), 100.0 * 41 / 50);
    }

    void confusionFromPlainRecords()
    {
        ConfusionMatrixView view;
        TestConfusionRecord r;
        r.epoch = 7;
        r.classNames = {"a", "b", "c"};
        r.counts = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        view.setRecords({r});
        QCOMPARE(view.matrix()->cellValue(2, 1), 8.0);
        QCOMPARE(confusionAccuracy(r), 100.0 * 15 / 45);
    }
};

QTEST_MAIN(TestSamplerConfusion)
#include "test_sampler_confusion.moc"
