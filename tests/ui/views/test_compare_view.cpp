// CompareView and its models: accuracy table (final, best, epochs to a threshold), config
// diff with only differing keys, seed groups (mean ± SD) and Welch's t-test between groups
// checked against mpmath's incomplete beta and textbook closed forms, CSV export; every model
// under QAbstractItemModelTester.
#include <QAbstractItemModelTester>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <cmath>
#include <nlohmann/json.hpp>

#include "view_test_store.h"
#include "views/compare_view.h"
#include "views/curves_view.h"
#include "views/export.h"
#include "views/qcp.h"
#include "views/welch_test.h"

using namespace scns;
using namespace scns::test;

namespace {

std::string config(const std::string& sampler, std::int64_t seed)
{
    return nlohmann::json{{"name", "run-" + std::to_string(seed)},
                          {"seed", seed},
                          {"epochs", 3},
                          {"contrastive", {{"sampler", sampler}, {"tau", 0.07}}}}
        .dump();
}

// Final test top-1 of each generated run: group "uniform" and group "class".
const std::vector<double> kUniform = {80.1, 81.3, 79.8};
const std::vector<double> kClass = {83.0, 84.2, 82.1, 83.7};

}  // namespace

class TestCompareView : public QObject {
    Q_OBJECT
    ViewStore m_store;
    QList<qint64> m_ids;

private Q_SLOTS:
    void initTestCase()
    {
        RunStore store(m_store.fsPath());
        auto add = [&](const std::string& sampler, std::int64_t seed, double final) {
            const auto id = store.createRun("r" + std::to_string(seed), config(sampler, seed), seed);
            // Epoch accuracies: final - 10, final - 2 (best when "dip"), final.
            store.appendMetrics(id, {{1, 10, "test/top1", final - 10}, {2, 20, "test/top1", final + 1},
                                     {3, 30, "test/top1", final}, {1, 10, "train/loss", 1.0}});
            m_ids << id;
        };
        std::int64_t seed = 1;
        for (double v : kUniform)
            add("uniform", seed++, v);
        for (double v : kClass)
            add("class", seed++, v);
    }

    void tablesFromStore()
    {
        CompareView view;
        QAbstractItemModelTester t1(view.summaryModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(view.diffModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t3(view.groupModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t4(view.testModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy spy(&view, &CompareView::loaded), curves(view.curves(), &CurvesView::loaded);
        view.curves()->setSmoothing(0);  // one graph per run and metric, no faint raw copies
        view.setRuns(m_store.path(), m_ids);
        QTRY_COMPARE(spy.count(), 1);
        QTRY_COMPARE(curves.count(), 1);
        QCOMPARE(view.curves()->plot()->graphCount(), 7);

        auto* s = view.summaryModel();
        QCOMPARE(s->rowCount(), 7);
        QCOMPARE(s->index(0, RunSummaryModel::FinalTop1).data().toString(), QString("80.10"));
        QCOMPARE(s->index(0, RunSummaryModel::BestTop1).data(Qt::UserRole).toDouble(), 81.1);
        QCOMPARE(s->index(0, RunSummaryModel::BestEpoch).data().toLongLong(), qint64{2});
        view.setThreshold(83.5);
        // Run 4 (final 83.0) reaches 84.0 at epoch 2; run 1 (max 81.1) never does.
        QCOMPARE(s->index(3, RunSummaryModel::EpochsToThreshold).data().toLongLong(), qint64{2});
        QCOMPARE(s->index(0, RunSummaryModel::EpochsToThreshold).data().toString(), QString("not reached"));
        QCOMPARE(s->headerData(RunSummaryModel::EpochsToThreshold, Qt::Horizontal).toString(), QString("Epochs to 83.5 %"));

        // Only differing keys: the sampler (seed and name differ too, and are shown).
        auto* d = view.diffModel();
        QStringList keys;
        for (int r = 0; r < d->rowCount(); ++r)
            keys << d->index(r, 0).data().toString();
        QCOMPARE(keys, (QStringList{"contrastive.sampler", "name", "seed"}));
        QCOMPARE(d->columnCount(), 8);
        QCOMPARE(d->index(0, 1).data().toString(), QString("\"uniform\""));

        // Seed groups.
        auto* g = view.groupModel();
        QCOMPARE(g->rowCount(), 2);
        QCOMPARE(g->index(0, SeedGroupModel::Group).data().toString(), QString("contrastive.sampler=\"uniform\""));
        QCOMPARE(g->index(1, SeedGroupModel::Runs).data().toInt(), 4);
        QCOMPARE(g->index(1, SeedGroupModel::Seeds).data().toString(), QString("4, 5, 6, 7"));
        const double meanClass = (83.0 + 84.2 + 82.1 + 83.7) / 4;
        QVERIFY(std::abs(g->index(1, SeedGroupModel::Mean).data(Qt::UserRole).toDouble() - meanClass) < 1e-9);
        double ss = 0;
        for (double v : kClass)
            ss += (v - meanClass) * (v - meanClass);
        QVERIFY(std::abs(g->index(1, SeedGroupModel::Sd).data(Qt::UserRole).toDouble() - std::sqrt(ss / 3)) < 1e-9);

        auto* w = view.testModel();
        QCOMPARE(w->rowCount(), 1);
        const WelchResult r = welchTTest(kUniform, kClass);
        QCOMPARE(w->index(0, GroupTestModel::P).data(Qt::UserRole).toDouble(), r.p);
        QVERIFY(r.p < 0.05);

        // Best accuracy instead of final: every value + 1, same spread, same t.
        view.setGroupStatistic(GroupStatistic::BestTop1);
        QVERIFY(std::abs(g->index(1, SeedGroupModel::Mean).data(Qt::UserRole).toDouble() - (meanClass + 1)) < 1e-9);
        QVERIFY(std::abs(w->index(0, GroupTestModel::T).data(Qt::UserRole).toDouble() - r.t) < 1e-9);
    }

    void csvExportOfSummary()
    {
        CompareView view;
        QSignalSpy spy(&view, &CompareView::loaded);
        view.setRuns(m_store.path(), m_ids.mid(0, 2));
        QTRY_COMPARE(spy.count(), 1);
        QTemporaryDir dir;
        const QString path = dir.filePath("summary.csv");
        QCOMPARE(saveCsv(*view.summaryModel(), path), QString());
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split("\r\n", Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0], QString("Run,Status,Seed,Epochs,Final test top-1 (%),Best test top-1 (%),Best at epoch,Epochs to 80 %"));
        QCOMPARE(lines[1], QString("r1 (#%1),queued,1,3,80.10,81.10,2,2").arg(m_ids[0]));
        // Fields with commas and quotes are quoted.
        const QString diff = modelToCsv(*view.diffModel());
        QVERIFY2(diff.contains("\r\nname,\"\"\"run-1\"\"\",\"\"\"run-2\"\"\"\r\n"), qPrintable(diff));
        QVERIFY(!diff.contains("sampler"));  // equal in both runs
    }

    void welchAgainstMpmath()
    {
        const std::vector<double> a = {12.1, 14.3, 13.8, 15.0, 12.9}, b = {16.2, 15.1, 17.9, 16.6};
        const WelchResult r = welchTTest(a, b);
        QVERIFY(r.valid);
        // Independent: Python statistics for t/df, mpmath's regularised incomplete beta for p.
        const QString script = QStringLiteral(
            "import statistics as s, mpmath as m\n"
            "a=[12.1,14.3,13.8,15.0,12.9]; b=[16.2,15.1,17.9,16.6]\n"
            "va=s.variance(a)/len(a); vb=s.variance(b)/len(b)\n"
            "t=(s.mean(a)-s.mean(b))/(va+vb)**0.5\n"
            "df=(va+vb)**2/(va**2/(len(a)-1)+vb**2/(len(b)-1))\n"
            "p=m.betainc(df/2, 0.5, 0, df/(df+t*t), regularized=True)\n"
            "print(repr(t), repr(df), m.nstr(p, 17))\n");
        QProcess py;
        py.start(QStringLiteral(SCNS_TEST_PYTHON), {QStringLiteral("-c"), script});
        // The independent check is the point of this test: without python3 and mpmath it fails
        // and says what to install, rather than skipping and passing.
        const QString install = QStringLiteral(
            "install the Debian packages python3 and python3-mpmath (packaging/debian-packages.txt)");
        QVERIFY2(py.waitForFinished(30000), qPrintable(QStringLiteral(SCNS_TEST_PYTHON) + " did not run: " + install));
        if (py.exitCode() != 0)
            QFAIL(qPrintable("python3 with mpmath unavailable ("
                             + QString::fromUtf8(py.readAllStandardError()).trimmed().section('\n', -1) + "): " + install));
        const QStringList out = QString::fromUtf8(py.readAllStandardOutput()).split(' ');
        QCOMPARE(out.size(), 3);
        QVERIFY(std::abs(r.t - out[0].toDouble()) < 1e-12);
        QVERIFY(std::abs(r.df - out[1].toDouble()) < 1e-9);
        QVERIFY2(std::abs(r.p - out[2].toDouble()) < 1e-12, qPrintable(QString::number(r.p, 'g', 17) + " vs " + out[2]));
    }

    void studentTClosedForms_data()
    {
        QTest::addColumn<double>("t");
        for (double t : {0.0, 0.3, 1.0, 2.5, 7.0, -4.2})
            QTest::addRow("t=%g", t) << t;
    }

    void studentTClosedForms()
    {
        QFETCH(double, t);
        // df = 1 (Cauchy): p = 1 - 2 atan|t| / pi; df = 2: p = 1 - |t| / sqrt(2 + t^2).
        QVERIFY(std::abs(studentTTwoSidedP(t, 1) - (1 - 2 * std::atan(std::abs(t)) / M_PI)) < 1e-12);
        QVERIFY(std::abs(studentTTwoSidedP(t, 2) - (1 - std::abs(t) / std::sqrt(2 + t * t))) < 1e-12);
    }

    void welchEdgeCases()
    {
        QVERIFY(!welchTTest({1.0}, {2.0, 3.0}).valid);
        QCOMPARE(welchTTest({1.0, 1.0}, {1.0, 1.0}).p, 1.0);
        QCOMPARE(welchTTest({1.0, 1.0}, {2.0, 2.0}).p, 0.0);
        // Equal sizes and variances: Welch's df is 2n - 2 (textbook).
        const WelchResult r = welchTTest({1, 2, 3}, {4, 5, 6});
        QCOMPARE(r.df, 4.0);
        QVERIFY(std::abs(r.t - (-3 / std::sqrt(2.0 / 3.0))) < 1e-12);
    }
};

QTEST_MAIN(TestCompareView)
#include "test_compare_view.moc"
