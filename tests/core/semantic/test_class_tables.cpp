// Shipped class-to-synset tables resolve for their data sets; table errors; resource lookup;
// class-similarity source names.
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <set>

#include "common/errors.h"
#include "data/fashion_mnist.h"
#include "semantic/class_similarity_source.h"
#include "semantic/class_synsets.h"
#include "semantic/resource_path.h"
#include "semantic/wordnet.h"

using namespace scns;

namespace {

const std::vector<std::string> cifar10Names{"airplane", "automobile", "bird",  "cat",  "deer",
                                            "dog",      "frog",       "horse", "ship", "truck"};

// fine_label_names of the official cifar-100-python meta file, in label order.
const std::vector<std::string> cifar100Names{
    "apple",       "aquarium_fish", "baby",        "bear",       "beaver",      "bed",        "bee",
    "beetle",      "bicycle",       "bottle",      "bowl",       "boy",         "bridge",     "bus",
    "butterfly",   "camel",         "can",         "castle",     "caterpillar", "cattle",     "chair",
    "chimpanzee",  "clock",         "cloud",       "cockroach",  "couch",       "crab",       "crocodile",
    "cup",         "dinosaur",      "dolphin",     "elephant",   "flatfish",    "forest",     "fox",
    "girl",        "hamster",       "house",       "kangaroo",   "keyboard",    "lamp",       "lawn_mower",
    "leopard",     "lion",          "lizard",      "lobster",    "man",         "maple_tree", "motorcycle",
    "mountain",    "mouse",         "mushroom",    "oak_tree",   "orange",      "orchid",     "otter",
    "palm_tree",   "pear",          "pickup_truck", "pine_tree", "plain",       "plate",      "poppy",
    "porcupine",   "possum",        "rabbit",      "raccoon",    "ray",         "road",       "rocket",
    "rose",        "sea",           "seal",        "shark",      "shrew",       "skunk",      "skyscraper",
    "snail",       "snake",         "spider",      "squirrel",   "streetcar",   "sunflower",  "sweet_pepper",
    "table",       "tank",          "telephone",   "television", "tiger",       "tractor",    "train",
    "trout",       "tulip",         "turtle",      "wardrobe",   "whale",       "willow_tree", "wolf",
    "woman",       "worm"};

void writeFile(const QString& path, const std::string& text)
{
    std::ofstream(path.toStdString()) << text;
}

template <typename F>
QString dataErrorOf(F&& f)
{
    try {
        f();
    } catch (const DataError& e) {
        return e.what();
    }
    return {};
}

}  // namespace

class TestClassTables : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shippedTablesResolve_data()
    {
        QTest::addColumn<QString>("dataset");
        QTest::addColumn<int>("count");
        QTest::newRow("fashion-mnist") << "fashion-mnist" << 10;
        QTest::newRow("cifar10") << "cifar10" << 10;
        QTest::newRow("cifar100") << "cifar100" << 100;
    }
    void shippedTablesResolve()
    {
        QFETCH(QString, dataset);
        QFETCH(int, count);
        const auto& names = dataset == "fashion-mnist" ? fashionMnistClassNames()
                            : dataset == "cifar10"     ? cifar10Names
                                                       : cifar100Names;
        QCOMPARE(int(names.size()), count);
        const auto synsets = classSynsets(dataset.toStdString(), names);
        QCOMPARE(int(synsets.size()), count);
        std::set<SynsetId> distinct;
        for (std::size_t c = 0; c < synsets.size(); ++c) {
            const auto id = WordNet::system().find(synsets[c]);
            QVERIFY2(id.has_value(), qPrintable(QString::fromStdString(names[c] + " -> " + synsets[c])));
            // Tables use canonical names, so they read the same as NLTK prints them.
            QCOMPARE(QString::fromStdString(WordNet::system().name(*id)), QString::fromStdString(synsets[c]));
            distinct.insert(*id);
        }
        QCOMPARE(int(distinct.size()), count);
        // Exactly one row per class: no extra rows for classes the data set lacks.
        QCOMPARE(int(readClassSynsetTable(classSynsetTablePath(dataset.toStdString())).size()), count);
    }

    void chosenSenses_data()
    {
        QTest::addColumn<QString>("dataset");
        QTest::addColumn<QString>("cls");
        QTest::addColumn<QString>("synset");
        QTest::newRow("T-shirt") << "fashion-mnist" << "T-shirt/top" << "jersey.n.03";
        QTest::newRow("Ankle boot") << "fashion-mnist" << "Ankle boot" << "boot.n.01";
        QTest::newRow("automobile") << "cifar10" << "automobile" << "car.n.01";
        QTest::newRow("beaver animal") << "cifar100" << "beaver" << "beaver.n.07";
        QTest::newRow("maple tree") << "cifar100" << "maple_tree" << "maple.n.02";
    }
    void chosenSenses()
    {
        QFETCH(QString, dataset);
        QFETCH(QString, cls);
        QFETCH(QString, synset);
        QCOMPARE(QString::fromStdString(classSynsets(dataset.toStdString(), {cls.toStdString()}).front()), synset);
    }

    void missingClassesAreNamed()
    {
        const QString what = dataErrorOf([] { classSynsets("cifar10", {"cat", "unicorn", "dragon"}); });
        QVERIFY2(what.contains("cifar10.tsv") && what.contains("'unicorn'") && what.contains("'dragon'")
                     && !what.contains("'cat'"),
                 qPrintable(what));
    }

    void tinyImageNetUsesWnids()
    {
        ImageSet set;
        set.classNames = {"goldfish, Carassius auratus", "European fire salamander"};
        set.classIds = {"n01443537", "n01629819"};
        QCOMPARE(classSynsets("tiny-imagenet", set), set.classIds);
        ImageSet cifar;
        cifar.classNames = {"dog", "cat"};
        QCOMPARE(classSynsets("cifar10", cifar), (std::vector<std::string>{"dog.n.01", "cat.n.01"}));
    }

    void unknownDatasetListsPlacesLooked()
    {
        const QString what = dataErrorOf([] { classSynsets("mnist-of-unicorns", {"a"}); });
        QVERIFY2(what.contains("wordnet/mnist-of-unicorns.tsv") && what.contains("SCNS_RESOURCE_DIR"), qPrintable(what));
    }

    void environmentOverridesResourceFolder()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkdir("wordnet"));
        writeFile(dir.filePath("wordnet/cifar10.tsv"), "# mine\ncat\tlion.n.01\n");
        qputenv("SCNS_RESOURCE_DIR", dir.path().toUtf8());
        const auto synsets = classSynsets("cifar10", {"cat"});
        const auto path = classSynsetTablePath("cifar10");
        qunsetenv("SCNS_RESOURCE_DIR");
        QCOMPARE(QString::fromStdString(synsets.front()), QString("lion.n.01"));
        QVERIFY(QString::fromStdString(path.string()).startsWith(dir.path()));
        QCOMPARE(QString::fromStdString(classSynsets("cifar10", {"cat"}).front()), QString("cat.n.01"));
    }

    void malformedTables_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("no tab") << "# c\ncat cat.n.01\n" << "t.tsv:2";
        QTest::newRow("empty synset") << "cat\t \n" << "t.tsv:1";
        QTest::newRow("three fields") << "cat\tcat.n.01\textra\n" << "t.tsv:1";
        QTest::newRow("duplicate") << "cat\tcat.n.01\n\ncat\tlion.n.01\n" << "first on line 1";
    }
    void malformedTables()
    {
        QFETCH(QString, text);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        writeFile(dir.filePath("t.tsv"), text.toStdString());
        const QString what = dataErrorOf([&] { readClassSynsetTable(dir.filePath("t.tsv").toStdString()); });
        QVERIFY2(what.contains(mentions), qPrintable(what));
    }

    void similaritySourceNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("source");
        QTest::newRow("wordnet") << "wordnet" << int(ClassSimilaritySource::WordNet);
        QTest::newRow("visual") << "visual" << int(ClassSimilaritySource::Visual);
        QTest::newRow("confusion") << "confusion" << int(ClassSimilaritySource::Confusion);
        QTest::newRow("file") << "file" << int(ClassSimilaritySource::File);
    }
    void similaritySourceNames()
    {
        QFETCH(QString, name);
        QFETCH(int, source);
        QCOMPARE(int(parseClassSimilaritySource(name.toStdString())), source);
        QCOMPARE(QString::fromStdString(toString(static_cast<ClassSimilaritySource>(source))), name);
    }

    void unknownSimilaritySourceIsConfigError()
    {
        try {
            parseClassSimilaritySource("WordNet");
            QFAIL("no exception");
        } catch (const ConfigError& e) {
            QCOMPARE(int(e.problems().size()), 1);
            QCOMPARE(QString::fromStdString(e.problems()[0].field), QString("contrastive.class.similarity"));
            QCOMPARE(QString::fromStdString(e.problems()[0].value), QString("WordNet"));
            QVERIFY(QString::fromStdString(e.problems()[0].expected).contains("confusion"));
        }
    }
};

QTEST_GUILESS_MAIN(TestClassTables)
#include "test_class_tables.moc"
