// WordNet 3.0 reader and Wu-Palmer similarity against NLTK's values (wup_nltk_reference.tsv,
// written by make_wup_reference.py with NLTK 3.8), lookups, errors and load time.
#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <fstream>
#include <future>
#include <sstream>

#include "common/errors.h"
#include "semantic/wordnet.h"

using namespace scns;

namespace {

const WordNet& wn()
{
    return WordNet::system();
}

void writeFile(const QString& path, const std::string& text)
{
    std::ofstream(path.toStdString(), std::ios::binary) << text;
}

// The licence header lines start with two spaces; records follow (offsets are not checked
// against byte positions, as NLTK does not either).
const char* tinyData =
    "  1 header line\n"
    "00000001 03 n 01 entity 0 000 | root\n"
    "00000002 03 n 02 thing 0 Thing 1 001 @ 00000001 n 0000 | a thing\n"
    "00000003 05 n 01 Rex 0 001 @i 00000002 n 0000 | an instance\n";
const char* tinyIndex =
    "  1 header line\n"
    "entity n 1 0 1 0 00000001\n"
    "thing n 1 1 @ 1 0 00000002\n"
    "rex n 1 1 @i 1 0 00000003\n";

}  // namespace

class TestWordNet : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void loadsWholeNounDatabaseQuickly()
    {
        const auto t0 = std::chrono::steady_clock::now();
        const WordNet fresh = WordNet::load(WordNet::defaultFolder());
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        QCOMPARE(fresh.size(), std::size_t(82115));  // WordNet 3.0 noun synsets
        // About 0.3 s here; generous bound for a loaded two-core machine.
        QVERIFY2(seconds < 3.0, qPrintable(QString::number(seconds)));
    }

    void lookups_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("wnid");
        QTest::newRow("name") << "dog.n.01" << "dog.n.01" << "n02084071";
        QTest::newRow("other lemma") << "domestic_dog.n.01" << "dog.n.01" << "n02084071";
        QTest::newRow("case and space") << "Domestic Dog.N.1" << "dog.n.01" << "n02084071";
        QTest::newRow("wnid") << "n02084071" << "dog.n.01" << "n02084071";
        QTest::newRow("later sense") << "dog.n.03" << "dog.n.03" << "n10023039";
        QTest::newRow("first lemma names it") << "tee_shirt.n.01" << "jersey.n.03" << "n03595614";
        QTest::newRow("instance") << "einstein.n.01" << "einstein.n.01" << "n10954498";
        QTest::newRow("root") << "entity.n.01" << "entity.n.01" << "n00001740";
        QTest::newRow("tiny-imagenet goldfish") << "n01443537" << "goldfish.n.01" << "n01443537";
    }
    void lookups()
    {
        QFETCH(QString, query);
        const SynsetId id = wn().lookup(query.toStdString());
        QFETCH(QString, name);
        QCOMPARE(QString::fromStdString(wn().name(id)), name);
    }

    void lookupsWnid_data() { lookups_data(); }
    void lookupsWnid()
    {
        QFETCH(QString, query);
        QFETCH(QString, wnid);
        const SynsetId id = wn().lookup(query.toStdString());
        QCOMPARE(QString::fromStdString(wn().wnid(id)), wnid);
        QCOMPARE(wn().lookup(wnid.toStdString()), id);
    }

    void depths()
    {
        const SynsetId dog = wn().lookup("dog.n.01");
        QCOMPARE(wn().maxDepth(dog), 13);  // NLTK: dog.n.01 max_depth 13, min_depth 8
        QCOMPARE(wn().minDepth(dog), 8);
        QCOMPARE(wn().maxDepth(wn().lookup("entity.n.01")), 0);
        QVERIFY(wn().parents(wn().lookup("einstein.n.01")).size() >= 1);  // via @i
    }

    void knownValues_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<double>("expected");
        QTest::newRow("dog cat") << "dog.n.01" << "cat.n.01" << 0.8571428571428571;
        QTest::newRow("car truck") << "car.n.01" << "truck.n.01" << 0.9166666666666666;
        QTest::newRow("dog domestic cat") << "dog.n.01" << "n02121808" << 0.8275862068965517;
        // NLTK's quirk (nltk issue #1030): the LCS of dog with itself is canine.n.02 (greater
        // min depth), so the value is 26/28, not 1.
        QTest::newRow("dog dog") << "dog.n.01" << "dog.n.01" << 0.9285714285714286;
        QTest::newRow("car car") << "car.n.01" << "car.n.01" << 1.0;
        QTest::newRow("entity entity") << "entity.n.01" << "entity.n.01" << 1.0;
    }
    void knownValues()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(double, expected);
        const double got = wn().wupSimilarity(wn().lookup(a.toStdString()), wn().lookup(b.toStdString()));
        QVERIFY2(std::abs(got - expected) < 1e-12, qPrintable(QString::number(got, 'g', 17)));
    }

    void matchesNltkReference()
    {
        std::ifstream in(SCNS_SOURCE_DIR "/tests/core/semantic/wup_nltk_reference.tsv");
        QVERIFY(in.good());
        std::string line;
        int rows = 0, selfBelowOne = 0;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#')
                continue;
            std::istringstream fields(line);
            std::string a, b;
            double expected = 0;
            fields >> a >> b >> expected;
            const SynsetId ia = wn().lookup(a), ib = wn().lookup(b);
            QCOMPARE(QString::fromStdString(wn().name(ia)), QString::fromStdString(a));
            const double got = wn().wupSimilarity(ia, ib);
            QVERIFY2(std::abs(got - expected) < 1e-12,
                     qPrintable(QString::fromStdString(line) + " got " + QString::number(got, 'g', 17)));
            selfBelowOne += (ia == ib && expected < 1.0);
            ++rows;
        }
        QVERIFY2(rows > 300, qPrintable(QString::number(rows)));
        QVERIFY(selfBelowOne >= 10);  // the reference exercises NLTK's self-similarity quirk
    }

    void unknownSynsetsName_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("no lemma") << "qwzx.n.01" << "qwzx";
        QTest::newRow("sense too high") << "dog.n.99" << "only 7";
        QTest::newRow("not a noun") << "run.v.01" << "part of speech 'v'";
        QTest::newRow("no sense") << "dog" << "dog.n.01";
        QTest::newRow("sense zero") << "dog.n.00" << "sense number";
        QTest::newRow("no such offset") << "n00000002" << "offset 00000002";
    }
    void unknownSynsetsName()
    {
        QFETCH(QString, query);
        QFETCH(QString, mentions);
        QVERIFY(!wn().find(query.toStdString()).has_value());
        try {
            wn().lookup(query.toStdString());
            QFAIL("no exception");
        } catch (const DataError& e) {
            const QString what = e.what();
            QVERIFY2(what.contains(query) && what.contains(mentions), qPrintable(what));
        }
    }

    void systemIsLoadedOnceAcrossThreads()
    {
        std::vector<std::future<const WordNet*>> calls;
        for (int i = 0; i < 4; ++i)
            calls.push_back(std::async(std::launch::async, [] { return &WordNet::system(); }));
        for (auto& c : calls)
            QCOMPARE(c.get(), &WordNet::system());
    }

    void readsSmallDatabaseWithInstanceEdge()
    {
        QTemporaryDir dir;
        writeFile(dir.filePath("data.noun"), tinyData);
        writeFile(dir.filePath("index.noun"), tinyIndex);
        const WordNet w = WordNet::load(dir.path().toStdString());
        QCOMPARE(w.size(), std::size_t(3));
        const SynsetId rex = w.lookup("rex.n.01");
        QCOMPARE(QString::fromStdString(w.name(rex)), QString("rex.n.01"));
        QCOMPARE(w.maxDepth(rex), 2);
        QCOMPARE(w.lemmas(w.lookup("thing.n.1")), (std::vector<std::string>{"thing", "Thing"}));
        // LCS thing (depth 2 counting the node): 2*2 / ((1+2) + (0+2)).
        QCOMPARE(w.wupSimilarity(rex, w.lookup("n00000002")), 0.8);
    }

    void malformedFilesNameFileAndLine_data()
    {
        QTest::addColumn<QString>("data");
        QTest::addColumn<QString>("index");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("bad word count") << "00000001 03 n zz entity 0 000 | x\n" << "" << "data.noun:1";
        QTest::newRow("truncated pointers")
            << "  header\n00000001 03 n 01 entity 0 002 @ 00000001 n 0000\n" << "" << "data.noun:2";
        QTest::newRow("verb file") << "00000001 29 v 01 go 0 000 | x\n" << "" << "synset type n";
        QTest::newRow("dangling hypernym")
            << "00000001 03 n 01 entity 0 001 @ 00000009 n 0000 | x\n" << "" << "00000009";
        QTest::newRow("index offset unknown")
            << "00000001 03 n 01 entity 0 000 | x\n" << "entity n 1 0 1 0 00000005\n" << "index.noun:1";
        QTest::newRow("cycle") << "00000001 03 n 01 a 0 001 @ 00000002 n 0000 | x\n"
                                  "00000002 03 n 01 b 0 001 @ 00000001 n 0000 | x\n"
                               << "" << "cycle";
    }
    void malformedFilesNameFileAndLine()
    {
        QFETCH(QString, data);
        QFETCH(QString, index);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        writeFile(dir.filePath("data.noun"), data.toStdString());
        writeFile(dir.filePath("index.noun"), index.toStdString());
        try {
            WordNet::load(dir.path().toStdString());
            QFAIL("no exception");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains(mentions), e.what());
        }
    }

    void missingFolderIsDataError()
    {
        QVERIFY_THROWS_EXCEPTION(DataError, WordNet::load("/nonexistent/wordnet"));
    }
};

QTEST_GUILESS_MAIN(TestWordNet)
#include "test_wordnet.moc"
