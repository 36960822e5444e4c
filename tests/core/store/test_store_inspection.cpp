// RunStore: class similarity matrices, probe negatives and test confusion matrices round-trip;
// resume clean-up.
#include <QTemporaryDir>
#include <QTest>

#include "common/errors.h"
#include "store/run_store.h"

using namespace scns;

class TestStoreInspection : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::filesystem::path db() const { return m_dir.filePath("runs.sqlite").toStdString(); }

private Q_SLOTS:
    void classSimilarityRoundTrip()
    {
        RunStore store(db());
        const auto id = store.createRun("s", "{}", 1);
        store.addClassSimilarity(id, 0, "wordnet", {"cat", "dog"}, {1.0f, 0.857f, 0.857f, 1.0f});
        store.addClassSimilarity(id, 2, "visual", {"cat", "dog"}, {1.0f, 0.25f, 0.25f, 1.0f});
        const auto all = store.classSimilarities(id);
        QCOMPARE(all.size(), std::size_t{2});
        QCOMPARE(all[0].source, std::string("wordnet"));
        QCOMPARE(all[0].classNames, (std::vector<std::string>{"cat", "dog"}));
        QCOMPARE(all[0].matrix[1], 0.857f);
        QCOMPARE(all[1].epoch, std::int64_t{2});
        QVERIFY_THROWS_EXCEPTION(StoreError, store.addClassSimilarity(id, 0, "x", {"a", "b"}, {1.0f, 2.0f, 3.0f}));
        QVERIFY_THROWS_EXCEPTION(StoreError, store.addClassSimilarity(999, 0, "x", {"a"}, {1.0f}));
    }

    void probeNegativesRoundTrip()
    {
        RunStore store(db());
        const auto id = store.createRun("p", "{}", 1);
        ProbeNegativeRow neg;
        neg.epoch = 1;
        neg.anchorIndex = 17;
        neg.anchorClass = 3;
        neg.slot = 0;
        neg.sampleIndex = 400;
        neg.sampleClass = 6;
        neg.similarity = 0.42;
        neg.fromTopK = true;
        ProbeNegativeRow pseudo = neg;
        pseudo.slot = 1;
        pseudo.kind = "pseudo";
        pseudo.sampleIndex = -1;
        pseudo.sampleClass = -1;
        pseudo.sourceA = -1;
        pseudo.sourceB = 400;
        pseudo.lambda = 0.3;
        ProbeNegativeRow later = neg;
        later.epoch = 2;
        store.appendProbeNegatives(id, {pseudo, neg, later});
        const auto rows = store.probeNegatives(id, 1);
        QCOMPARE(rows.size(), std::size_t{2});
        QCOMPARE(rows[0].slot, std::int64_t{0});
        QCOMPARE(rows[0].sampleClass, std::int64_t{6});
        QVERIFY(rows[0].fromTopK);
        QCOMPARE(rows[1].kind, std::string("pseudo"));
        QCOMPARE(rows[1].sourceB, std::int64_t{400});
        QCOMPARE(rows[1].lambda, 0.3);
        QCOMPARE(store.probeNegatives(id).size(), std::size_t{3});

        store.deleteRecordsAfterEpoch(id, 1);
        QCOMPARE(store.probeNegatives(id).size(), std::size_t{2});
    }

    void testConfusionRoundTripAndResumeCleanUp()
    {
        RunStore store(db());
        const auto id = store.createRun("c", "{}", 1);
        store.addTestConfusion(id, 1, {"a", "b"}, {5, 1, 2, 7});
        store.addTestConfusion(id, 2, {"a", "b"}, {6, 0, 1, 8});
        const auto all = store.testConfusions(id);
        QCOMPARE(all.size(), std::size_t{2});
        QCOMPARE(all[0].epoch, std::int64_t{1});
        QCOMPARE(all[0].classNames, (std::vector<std::string>{"a", "b"}));
        QCOMPARE(all[0].counts, (std::vector<std::int64_t>{5, 1, 2, 7}));
        QCOMPARE(all[1].counts[3], std::int64_t{8});
        bool threw = false;
        try {
            store.addTestConfusion(id, 3, {"a", "b"}, {1, 2, 3});
        } catch (const StoreError& e) {
            threw = true;
            QVERIFY2(std::string(e.what()).find("has 3 values, expected 2 x 2") != std::string::npos, e.what());
        }
        QVERIFY(threw);
        store.deleteRecordsAfterEpoch(id, 1);
        QCOMPARE(store.testConfusions(id).size(), std::size_t{1});
        store.deleteRun(id);
        QVERIFY(store.testConfusions(id).empty());
    }

    void deletedRunTakesItsRecords()
    {
        RunStore store(db());
        const auto id = store.createRun("d", "{}", 1);
        store.addClassSimilarity(id, 0, "wordnet", {"a"}, {1.0f});
        store.appendProbeNegatives(id, {ProbeNegativeRow{}});
        store.deleteRun(id);
        QVERIFY(store.classSimilarities(id).empty());
        QVERIFY(store.probeNegatives(id).empty());
    }
};

QTEST_GUILESS_MAIN(TestStoreInspection)
#include "test_store_inspection.moc"
