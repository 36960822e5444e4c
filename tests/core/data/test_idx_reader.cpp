// IDX reader: gzip'd and plain files built here, every bad-input case, and the real
// Fashion-MNIST that Debian's dataset-fashion-mnist installs.
#include "common/errors.h"
#include "data/fashion_mnist.h"
#include "data/idx_reader.h"
#include "gzip_bomb.h"
#include "memory_limit.h"
#include "test_files.h"

#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace scns;
using namespace scns::test;

namespace {

const std::vector<std::string> threeNames{"a", "b", "c"};

Bytes idxImages(std::uint32_t count, std::uint32_t rows, std::uint32_t cols, std::uint32_t magic = 0x00000803)
{
    Bytes b;
    appendBigEndian32(b, magic);
    appendBigEndian32(b, count);
    appendBigEndian32(b, rows);
    appendBigEndian32(b, cols);
    for (std::uint32_t i = 0; i < count * rows * cols; ++i)
        b.push_back(static_cast<std::uint8_t>(i * 7 + 3));
    return b;
}

Bytes idxLabels(const std::vector<std::uint8_t>& labels, std::uint32_t magic = 0x00000801)
{
    Bytes b;
    appendBigEndian32(b, magic);
    appendBigEndian32(b, static_cast<std::uint32_t>(labels.size()));
    b.insert(b.end(), labels.begin(), labels.end());
    return b;
}

template <typename F>
QString errorOf(F&& f)
{
    try {
        f();
    } catch (const DataError& e) {
        return QString::fromStdString(e.what());
    } catch (const std::exception& e) {
        return QStringLiteral("unexpected exception type: ") + e.what();
    }
    return QStringLiteral("no error");
}

}  // namespace

class TestIdxReader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void goodFiles_data()
    {
        QTest::addColumn<bool>("gzipped");
        QTest::addColumn<bool>("test");
        QTest::newRow("plain train") << false << false;
        QTest::newRow("gzip train") << true << false;
        QTest::newRow("plain t10k") << false << true;
        QTest::newRow("gzip t10k") << true << true;
    }

    void goodFiles()
    {
        QFETCH(bool, gzipped);
        QFETCH(bool, test);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::filesystem::path root = dir.path().toStdString();
        const std::string prefix = test ? "t10k" : "train";
        const std::string suffix = gzipped ? ".gz" : "";
        Bytes images = idxImages(4, 3, 2);
        Bytes labels = idxLabels({2, 0, 1, 2});
        const Bytes expectedPixels(images.begin() + 16, images.end());
        if (gzipped) {
            images = gzipBytes(images);
            labels = gzipBytes(labels);
        }
        QVERIFY(writeBytes(root / (prefix + "-images-idx3-ubyte" + suffix), images));
        QVERIFY(writeBytes(root / (prefix + "-labels-idx1-ubyte" + suffix), labels));

        const ImageSet set = readIdxDataset(root, test ? Split::Test : Split::Train, threeNames);
        QCOMPARE(set.count, std::int64_t(4));
        QCOMPARE(set.channels, std::int64_t(1));
        QCOMPARE(set.height, std::int64_t(3));
        QCOMPARE(set.width, std::int64_t(2));
        QCOMPARE(set.pixels, expectedPixels);
        QCOMPARE(set.labels, (std::vector<std::int64_t>{2, 0, 1, 2}));
        QCOMPARE(set.classNames, threeNames);
        QVERIFY(set.coarseLabels.empty());
    }

    void badFiles_data()
    {
        QTest::addColumn<QString>("problem");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("file");  // the file the message must name
        QTest::newRow("wrong image magic") << "image-magic"
            << "wrong magic number 0x00000801 (expected 0x00000803 for an IDX image file)" << "train-images-idx3-ubyte.gz";
        QTest::newRow("wrong label magic") << "label-magic"
            << "wrong magic number 0x00000803 (expected 0x00000801 for an IDX label file)" << "train-labels-idx1-ubyte.gz";
        QTest::newRow("truncated images") << "truncated-images"
            << "truncated: header says 5 images of 4x3 (60 bytes) but only 59 bytes follow" << "train-images-idx3-ubyte.gz";
        QTest::newRow("truncated labels") << "truncated-labels"
            << "truncated: header says 5 labels but only 4 bytes follow" << "train-labels-idx1-ubyte.gz";
        QTest::newRow("short header") << "short-header" << "shorter than the 16-byte IDX image header"
                                      << "train-images-idx3-ubyte.gz";
        QTest::newRow("empty image file") << "empty-images" << "truncated: 0 bytes" << "train-images-idx3-ubyte";
        QTest::newRow("extra bytes") << "extra-bytes" << "but 62 bytes follow (2 too many)"
                                     << "train-images-idx3-ubyte.gz";
        QTest::newRow("truncated gzip") << "truncated-gzip" << "truncated gzip stream" << "train-images-idx3-ubyte.gz";
        QTest::newRow("count mismatch") << "count-mismatch" << "holds 5 images but" << "train-labels-idx1-ubyte.gz";
        QTest::newRow("label out of range") << "label-range" << "label 3 at index 4 is out of range [0, 3)"
                                            << "train-labels-idx1-ubyte.gz";
        QTest::newRow("missing images") << "missing-images" << "missing IDX file train-images-idx3-ubyte: looked for"
                                        << "train-images-idx3-ubyte.gz";
        QTest::newRow("missing labels") << "missing-labels" << "missing IDX file train-labels-idx1-ubyte: looked for"
                                        << "train-labels-idx1-ubyte";
        QTest::newRow("missing folder") << "missing-folder" << "data-set folder not found" << "nowhere";
    }

    void badFiles()
    {
        QFETCH(QString, problem);
        QFETCH(QString, expected);
        QFETCH(QString, file);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        std::filesystem::path root = dir.path().toStdString();

        Bytes images = idxImages(5, 4, 3);
        Bytes labels = idxLabels({0, 1, 2, 1, 0});
        bool gzipImages = true;
        if (problem == "image-magic")
            images = idxImages(5, 4, 3, 0x00000801);
        else if (problem == "label-magic")
            labels = idxLabels({0, 1, 2, 1, 0}, 0x00000803);
        else if (problem == "truncated-images")
            images.pop_back();
        else if (problem == "truncated-labels")
            labels.pop_back();
        else if (problem == "short-header")
            images.resize(10);
        else if (problem == "empty-images") {
            images.clear();
            gzipImages = false;
        } else if (problem == "extra-bytes")
            images.insert(images.end(), {1, 2});
        else if (problem == "count-mismatch")
            labels = idxLabels({0, 1, 2, 1});
        else if (problem == "label-range")
            labels = idxLabels({0, 1, 2, 1, 3});

        Bytes imageFile = gzipImages ? gzipBytes(images) : images;
        if (problem == "truncated-gzip")
            imageFile.resize(imageFile.size() - 12);
        const std::string imageName = gzipImages ? "train-images-idx3-ubyte.gz" : "train-images-idx3-ubyte";
        if (problem != "missing-images")
            QVERIFY(writeBytes(root / imageName, imageFile));
        // Labels plain, to cover mixed gzip'd and plain files in one folder.
        if (problem != "missing-labels")
            QVERIFY(writeBytes(root / "train-labels-idx1-ubyte.gz", gzipBytes(labels)));
        if (problem == "missing-folder")
            root /= "nowhere";

        const QString message = errorOf([&] { readIdxDataset(root, Split::Train, threeNames); });
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(file), qPrintable(message));
        QVERIFY2(message.contains(dir.path()), qPrintable(message));
    }

    // Issue 10, hostile sizes: IDX headers are checked against the files, and gzip'd files
    // inflate no further than their header announces, before anything is allocated. Each
    // case runs under a 256 MB address-space allowance; the landed reader inflated and
    // converted whatever the files held (a 285 KB label file took 2.8 GB).
    void hostileSizes_data()
    {
        QTest::addColumn<QString>("problem");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("file");
        QTest::newRow("label count far above image count") << "label-count"
            << "holds 5 images but" << "300000000 labels";
        QTest::newRow("label file with a bomb after 5 labels") << "label-bomb"
            << "inflates to more than 1048589 bytes" << "train-labels-idx1-ubyte.gz";
        QTest::newRow("image header claims 10^9 images") << "image-claim"
            << "header says 1000000000 images of 28x28 (784000000016 bytes) but a gzip stream of" << "train-images-idx3-ubyte.gz";
        QTest::newRow("image file with a bomb after 5 images") << "image-bomb"
            << "inflates to more than" << "train-images-idx3-ubyte.gz";
    }

    void hostileSizes()
    {
        QFETCH(QString, problem);
        QFETCH(QString, expected);
        QFETCH(QString, file);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::filesystem::path root = dir.path().toStdString();
        Bytes images = gzipBytes(idxImages(5, 4, 3));
        Bytes labels = gzipBytes(idxLabels({0, 1, 2, 1, 0}));
        if (problem == "label-count") {
            Bytes header;
            appendBigEndian32(header, 0x00000801);
            appendBigEndian32(header, 300000000);
            labels = scns::test::gzipWithZeros(header, 300000000);  // a consistent file, ~290 KB
        } else if (problem == "label-bomb") {
            labels = scns::test::gzipWithZeros(idxLabels({0, 1, 2, 1, 0}), std::uint64_t(400) << 20);
        } else if (problem == "image-claim") {
            Bytes header;
            for (std::uint32_t v : {0x00000803u, 1000000000u, 28u, 28u})
                appendBigEndian32(header, v);
            images = scns::test::gzipWithZeros(header, 1000);
            Bytes labelHeader;  // consistent with the image header, so the image size is what is refused
            appendBigEndian32(labelHeader, 0x00000801);
            appendBigEndian32(labelHeader, 1000000000);
            labels = scns::test::gzipWithZeros(labelHeader, 1000);
        } else if (problem == "image-bomb") {
            images = scns::test::gzipWithZeros(idxImages(5, 4, 3), std::uint64_t(400) << 20);
        }
        QVERIFY(writeBytes(root / "train-images-idx3-ubyte.gz", images));
        QVERIFY(writeBytes(root / "train-labels-idx1-ubyte.gz", labels));
        const QString message = scns::test::errorUnderMemoryLimit([&] { readIdxDataset(root, Split::Train, threeNames); });
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(file), qPrintable(message));
        QVERIFY2(message.contains(dir.path()), qPrintable(message));
        QVERIFY2(!message.contains('\n'), qPrintable(message));
    }

    void realFashionMnist()
    {
        const std::filesystem::path folder = defaultFashionMnistFolder();
        QCOMPARE(QString::fromStdString(folder.string()), QStringLiteral("/usr/share/datasets/fashion-mnist"));
        if (!std::filesystem::exists(folder / "train-images-idx3-ubyte.gz"))
            QFAIL("Fashion-MNIST is not installed (/usr/share/datasets/fashion-mnist): install the Debian "
                  "package dataset-fashion-mnist (packaging/debian-packages.txt)");

        const ImageSet train = readFashionMnist(folder, Split::Train);
        QCOMPARE(train.count, std::int64_t(60000));
        QCOMPARE(train.channels, std::int64_t(1));
        QCOMPARE(train.height, std::int64_t(28));
        QCOMPARE(train.width, std::int64_t(28));
        QCOMPARE(train.pixels.size(), std::size_t(60000 * 28 * 28));
        QCOMPARE(train.labels.size(), std::size_t(60000));
        QCOMPARE(train.labels.front(), std::int64_t(9));
        QCOMPARE(train.numClasses(), std::int64_t(10));
        QCOMPARE(train.classNames.front(), std::string("T-shirt/top"));
        QCOMPARE(train.classNames.back(), std::string("Ankle boot"));
        const std::set<std::int64_t> seen(train.labels.begin(), train.labels.end());
        QCOMPARE(seen.size(), std::size_t(10));
        QCOMPARE(*seen.begin(), std::int64_t(0));
        QCOMPARE(*seen.rbegin(), std::int64_t(9));

        const ImageSet test = readFashionMnist(folder, Split::Test);
        QCOMPARE(test.count, std::int64_t(10000));
        QCOMPARE(test.labels.size(), std::size_t(10000));
        QCOMPARE(test.height, std::int64_t(28));
    }
};

QTEST_GUILESS_MAIN(TestIdxReader)
#include "test_idx_reader.moc"
