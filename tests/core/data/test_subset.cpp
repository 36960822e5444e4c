// capPerClass and takeIndices.
#include "common/errors.h"
#include "data/subset.h"

#include <QProcess>
#include <QTest>

#include <map>
#include <random>

using namespace scns;

namespace {

// Image i has all pixels equal to i, so a subset's pixels tell which images it holds.
// Labels: 10 of class 0, 5 of class 1, 2 of class 2, interleaved.
ImageSet makeSet()
{
    ImageSet set;
    set.channels = 1;
    set.height = 2;
    set.width = 2;
    set.classNames = {"a", "b", "c"};
    set.coarseClassNames = {"x", "y"};
    const std::vector<std::int64_t> labels{0, 1, 0, 2, 0, 1, 0, 0, 1, 0, 2, 0, 1, 0, 0, 1, 0};
    for (std::size_t i = 0; i < labels.size(); ++i) {
        set.labels.push_back(labels[i]);
        set.coarseLabels.push_back(labels[i] == 0 ? 0 : 1);
        for (int k = 0; k < 4; ++k)
            set.pixels.push_back(static_cast<std::uint8_t>(i));
    }
    set.count = static_cast<std::int64_t>(labels.size());
    return set;
}

std::vector<std::int64_t> imagesOf(const ImageSet& set)
{
    std::vector<std::int64_t> ids;
    for (std::int64_t i = 0; i < set.count; ++i)
        ids.push_back(set.pixels[static_cast<std::size_t>(i * set.imageBytes())]);
    return ids;
}

// A plain-Python MT19937-64 and the same rejection-sampled Fisher-Yates shuffle: an
// independent statement of what capPerClass must pick. argv: cap, then seeds; prints one
// line of sorted indices per seed.
const char* referenceScript = R"PY(
import sys
M64 = 0xFFFFFFFFFFFFFFFF

class MT64:
    def __init__(self, seed):
        self.mt = [0] * 312
        self.i = 312
        self.mt[0] = seed & M64
        for i in range(1, 312):
            self.mt[i] = (6364136223846793005 * (self.mt[i - 1] ^ (self.mt[i - 1] >> 62)) + i) & M64

    def __call__(self):
        if self.i >= 312:
            for k in range(312):
                x = (self.mt[k] & 0xFFFFFFFF80000000) | (self.mt[(k + 1) % 312] & 0x7FFFFFFF)
                xa = x >> 1
                if x & 1:
                    xa ^= 0xB5026F5AA96619E9
                self.mt[k] = self.mt[(k + 156) % 312] ^ xa
            self.i = 0
        y = self.mt[self.i]
        self.i += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & M64

labels = [0, 1, 0, 2, 0, 1, 0, 0, 1, 0, 2, 0, 1, 0, 0, 1, 0]
cap = int(sys.argv[1])
for seed in sys.argv[2:]:
    rng = MT64(int(seed))
    order = list(range(len(labels)))
    for i in range(len(order), 1, -1):
        limit = M64 - M64 % i
        x = rng()
        while x >= limit:
            x = rng()
        j = x % i
        order[i - 1], order[j] = order[j], order[i - 1]
    count, taken = {}, []
    for i in order:
        if count.get(labels[i], 0) < cap:
            count[labels[i]] = count.get(labels[i], 0) + 1
            taken.append(i)
    print(' '.join(str(i) for i in sorted(taken)))
)PY";

template <typename F>
QString errorOf(F&& f)
{
    try {
        f();
    } catch (const DataError& e) {
        return QString::fromStdString(e.what());
    }
    return QStringLiteral("no error");
}

}  // namespace

class TestSubset : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void caps_data()
    {
        QTest::addColumn<qint64>("cap");
        QTest::addColumn<int>("class0");
        QTest::addColumn<int>("class1");
        QTest::addColumn<int>("class2");
        QTest::newRow("1") << qint64(1) << 1 << 1 << 1;
        QTest::newRow("3") << qint64(3) << 3 << 3 << 2;
        QTest::newRow("5") << qint64(5) << 5 << 5 << 2;
        QTest::newRow("above every class") << qint64(100) << 10 << 5 << 2;
    }

    void caps()
    {
        QFETCH(qint64, cap);
        QFETCH(int, class0);
        QFETCH(int, class1);
        QFETCH(int, class2);
        const ImageSet set = makeSet();
        const ImageSet sub = capPerClass(set, cap, 7);
        std::map<std::int64_t, int> perClass;
        for (const auto l : sub.labels)
            ++perClass[l];
        QCOMPARE(perClass[0], class0);
        QCOMPARE(perClass[1], class1);
        QCOMPARE(perClass[2], class2);
        QCOMPARE(sub.count, std::int64_t(class0 + class1 + class2));
        QCOMPARE(sub.labels.size(), std::size_t(sub.count));
        QCOMPARE(sub.pixels.size(), std::size_t(sub.count * 4));
        QCOMPARE(sub.classNames, set.classNames);
        QCOMPARE(sub.coarseClassNames, set.coarseClassNames);

        // Original relative order, and labels and coarse labels still belong to their image.
        const auto ids = imagesOf(sub);
        QVERIFY(std::is_sorted(ids.begin(), ids.end()));
        QVERIFY(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
        for (std::size_t k = 0; k < ids.size(); ++k) {
            QCOMPARE(sub.labels[k], set.labels[static_cast<std::size_t>(ids[k])]);
            QCOMPARE(sub.coarseLabels[k], set.coarseLabels[static_cast<std::size_t>(ids[k])]);
        }
    }

    void seedDecides()
    {
        const ImageSet set = makeSet();
        const auto a = imagesOf(capPerClass(set, 2, 42));
        QCOMPARE(imagesOf(capPerClass(set, 2, 42)), a);
        // Over many seeds the choice must vary (10 images of class 0, 2 kept: 45 subsets).
        int different = 0;
        for (std::uint64_t seed = 0; seed < 20; ++seed)
            different += imagesOf(capPerClass(set, 2, seed)) != a ? 1 : 0;
        QVERIFY2(different >= 15, qPrintable(QString::number(different)));
        // Every class-0 image is picked by some seed: no image is starved by the shuffle.
        std::vector<int> picked(static_cast<std::size_t>(set.count), 0);
        for (std::uint64_t seed = 0; seed < 200; ++seed)
            for (const auto i : imagesOf(capPerClass(set, 2, seed)))
                ++picked[static_cast<std::size_t>(i)];
        for (std::size_t i = 0; i < picked.size(); ++i)
            QVERIFY2(picked[i] > 0, qPrintable(QString::number(i)));
    }

    // Pins the subset a seed picks: stored runs name their seed, and the same seed must give
    // the same images in later versions and with other standard libraries.
    void subsetIsPinned()
    {
        QCOMPARE(std::mt19937_64().operator()(), std::uint64_t(14514284786278117030ull));
        const auto ids = imagesOf(capPerClass(makeSet(), 2, 1234));
        QCOMPARE(ids, m_pinned);
    }

    void matchesPythonReference()
    {
        const std::vector<std::uint64_t> seeds{0, 1, 1234, 987654321, 18446744073709551615ull};
        for (const qint64 cap : {1, 3}) {
            QStringList args{QString::number(cap)};
            for (const auto seed : seeds)
                args << QString::number(seed);
            QProcess python;
            python.start(QStringLiteral(SCNS_TEST_PYTHON), QStringList{QStringLiteral("-c"), QString::fromUtf8(referenceScript)} + args);
            QVERIFY(python.waitForFinished(60000));
            QCOMPARE(python.exitCode(), 0);
            const QStringList lines = QString::fromUtf8(python.readAllStandardOutput()).trimmed().split(QLatin1Char('\n'));
            QCOMPARE(lines.size(), qsizetype(seeds.size()));
            for (std::size_t k = 0; k < seeds.size(); ++k) {
                QStringList ours;
                for (const auto i : imagesOf(capPerClass(makeSet(), cap, seeds[k])))
                    ours << QString::number(i);
                QCOMPARE(ours.join(QLatin1Char(' ')), lines[static_cast<qsizetype>(k)].trimmed());
            }
        }
    }

    void takeIndices()
    {
        const ImageSet set = makeSet();
        const ImageSet sub = scns::takeIndices(set, {4, 0, 4, 16});
        QCOMPARE(imagesOf(sub), (std::vector<std::int64_t>{4, 0, 4, 16}));
        QCOMPARE(sub.labels, (std::vector<std::int64_t>{0, 0, 0, 0}));
        QCOMPARE(sub.height, std::int64_t(2));
        QCOMPARE(scns::takeIndices(set, {}).count, std::int64_t(0));
    }

    void errors()
    {
        const ImageSet set = makeSet();
        QString message = errorOf([&] { scns::takeIndices(set, {1, 17}); });
        QVERIFY2(message.contains("image index 17 at position 1 is out of range [0, 17)"), qPrintable(message));
        message = errorOf([&] { scns::takeIndices(set, {-1}); });
        QVERIFY2(message.contains("image index -1"), qPrintable(message));
        message = errorOf([&] { capPerClass(set, 0, 1); });
        QVERIFY2(message.contains("images per class must be at least 1, found 0"), qPrintable(message));
        ImageSet broken = set;
        broken.labels.pop_back();
        message = errorOf([&] { capPerClass(broken, 2, 1); });
        QVERIFY2(message.contains("inconsistent image set"), qPrintable(message));
    }

private:
    const std::vector<std::int64_t> m_pinned{0, 1, 3, 6, 8, 10};
};

QTEST_GUILESS_MAIN(TestSubset)
#include "test_subset.moc"
