// Tiny-ImageNet reader on a miniature copy of the official layout, with JPEGs written by
// libturbojpeg here: colour and greyscale images, and each kind of broken input.
#include "common/errors.h"
#include "data/tiny_imagenet.h"
#include "io/jpeg_decoder.h"
#include "io/file_bytes.h"
#include "jpeg_writer.h"

#include <QTemporaryDir>
#include <QTest>

using namespace scns;
using namespace scns::test;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> wnids{"n01443537", "n01629819", "n01641577"};

struct Colour {
    std::uint8_t r, g, b;
};

// Train image k of class c has this colour; greyscale images have r == g == b.
Colour trainColour(int c, int k)
{
    return {static_cast<std::uint8_t>(40 + 60 * c), static_cast<std::uint8_t>(200 - 50 * k),
            static_cast<std::uint8_t>(90 + 20 * c + 10 * k)};
}

// A miniature Tiny-ImageNet: 3 classes of 2 train images (class 1's second one greyscale),
// 3 val images listed out of class order.
bool writeTinyImageNet(const fs::path& root)
{
    std::string wnidText;
    for (const auto& id : wnids)
        wnidText += id + "\n";
    bool ok = writeText(root / "wnids.txt", wnidText);
    ok = ok && writeText(root / "words.txt",
                         "n00001740\tentity\n"
                         "n01443537\tgoldfish, Carassius auratus\n"
                         "n01629819\tEuropean fire salamander, Salamandra salamandra\n"
                         "n01641577\tbullfrog, Rana catesbeiana\n"
                         "n09999999\tunused\n");
    for (int c = 0; c < 3; ++c) {
        const fs::path dir = root / "train" / wnids[c] / "images";
        ok = ok && writeText(root / "train" / wnids[c] / (wnids[c] + "_boxes.txt"), "");
        for (int k = 0; k < 2; ++k) {
            const fs::path file = dir / (wnids[c] + "_" + std::to_string(k) + ".JPEG");
            const Colour col = trainColour(c, k);
            if (c == 1 && k == 1)
                ok = ok && writeJpeg(file, 64, 64, std::vector<std::uint8_t>(64 * 64, col.r), true);
            else
                ok = ok && writeFlatJpeg(file, 64, 64, col.r, col.g, col.b);
        }
    }
    ok = ok && writeText(root / "val" / "val_annotations.txt",
                         "val_0.JPEG\tn01641577\t0\t32\t44\t62\n"
                         "val_1.JPEG\tn01443537\t52\t37\t57\t59\n"
                         "val_2.JPEG\tn01629819\t4\t0\t60\t55\n");
    for (int v = 0; v < 3; ++v)
        ok = ok && writeFlatJpeg(root / "val" / "images" / ("val_" + std::to_string(v) + ".JPEG"), 64, 64,
                                 static_cast<std::uint8_t>(10 + 80 * v), 128, static_cast<std::uint8_t>(250 - 80 * v));
    return ok;
}

// Largest difference between image i's channel c and a flat value.
int maxDeviation(const ImageSet& set, std::int64_t i, int c, int value)
{
    const std::uint8_t* p = set.pixels.data() + i * set.imageBytes() + c * 64 * 64;
    int worst = 0;
    for (int k = 0; k < 64 * 64; ++k)
        worst = std::max(worst, std::abs(int(p[k]) - value));
    return worst;
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

class TestTinyImageNet : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(writeTinyImageNet(root() / "tiny-imagenet-200"));
    }

    void train_data()
    {
        QTest::addColumn<int>("threads");
        QTest::addColumn<bool>("parent");
        QTest::newRow("1 thread") << 1 << false;
        QTest::newRow("4 threads") << 4 << false;
        QTest::newRow("default threads, parent folder") << 0 << true;
    }

    void train()
    {
        QFETCH(int, threads);
        QFETCH(bool, parent);
        const fs::path folder = parent ? root() : root() / "tiny-imagenet-200";
        const ImageSet set = readTinyImageNet(folder, Split::Train, threads);
        QCOMPARE(set.count, std::int64_t(6));
        QCOMPARE(set.channels, std::int64_t(3));
        QCOMPARE(set.height, std::int64_t(64));
        QCOMPARE(set.width, std::int64_t(64));
        QCOMPARE(set.pixels.size(), std::size_t(6 * 3 * 64 * 64));
        QCOMPARE(set.labels, (std::vector<std::int64_t>{0, 0, 1, 1, 2, 2}));
        QCOMPARE(set.classIds, wnids);
        QCOMPARE(set.classNames,
                 (std::vector<std::string>{"goldfish", "European fire salamander", "bullfrog"}));
        for (int c = 0; c < 3; ++c) {
            for (int k = 0; k < 2; ++k) {
                const std::int64_t i = c * 2 + k;
                const Colour col = trainColour(c, k);
                const bool grey = c == 1 && k == 1;
                const int expected[3] = {col.r, grey ? col.r : col.g, grey ? col.r : col.b};
                for (int ch = 0; ch < 3; ++ch) {
                    const int dev = maxDeviation(set, i, ch, expected[ch]);
                    QVERIFY2(dev <= 3, qPrintable(QStringLiteral("image %1 channel %2 off by %3").arg(i).arg(ch).arg(dev)));
                }
            }
        }
    }

    void validationIsTheTestSplit()
    {
        const ImageSet set = readTinyImageNet(root(), Split::Test, 2);
        QCOMPARE(set.count, std::int64_t(3));
        QCOMPARE(set.labels, (std::vector<std::int64_t>{2, 0, 1}));
        for (int v = 0; v < 3; ++v) {
            QVERIFY(maxDeviation(set, v, 0, 10 + 80 * v) <= 3);
            QVERIFY(maxDeviation(set, v, 1, 128) <= 3);
            QVERIFY(maxDeviation(set, v, 2, 250 - 80 * v) <= 3);
        }
    }

    void errors_data()
    {
        QTest::addColumn<QString>("problem");
        QTest::addColumn<int>("split");  // 0 train, 1 test
        QTest::addColumn<QString>("expected");
        QTest::newRow("32x32 image") << "small" << 0
            << "n01629819_0.JPEG: expected 64x64, found 32x32";
        QTest::newRow("garbage JPEG") << "garbage" << 0 << "n01629819_0.JPEG: cannot read the JPEG header: ";
        QTest::newRow("truncated JPEG") << "truncated" << 0 << "n01629819_0.JPEG: cannot decode the JPEG: ";
        QTest::newRow("empty JPEG") << "empty" << 0 << "n01629819_0.JPEG: not a JPEG file";
        QTest::newRow("missing wnids.txt") << "no-wnids" << 0 << "missing wnids.txt; looked for";
        QTest::newRow("missing words.txt") << "no-words" << 0 << "words.txt: file not found";
        QTest::newRow("class without name") << "no-name" << 0 << "words.txt: no name for class n01629819";
        QTest::newRow("missing class folder") << "no-class-dir" << 0
            << "n01629819/images: folder not found (expected the training images of class n01629819)";
        QTest::newRow("empty class folder") << "empty-class-dir" << 0 << "no JPEG images found for class n01629819";
        QTest::newRow("missing val annotations") << "no-annotations" << 1 << "val_annotations.txt: file not found";
        QTest::newRow("unknown val class") << "bad-annotation" << 1
            << "val_annotations.txt: line 2: class n99999999 is not in wnids.txt";
        QTest::newRow("missing val image") << "no-val-image" << 1 << "val_1.JPEG: file not found";
        QTest::newRow("duplicate wnid") << "duplicate-wnid" << 0 << "wnids.txt: class n01443537 is listed twice";
        // Issue 10: annotation paths escaping val/images opened /etc/passwd.
        QTest::newRow("annotation climbs out") << "escape-dots" << 1
            << "val_annotations.txt: line 2: image path '../../../etc/passwd' is not a file name inside";
        QTest::newRow("annotation absolute") << "escape-absolute" << 1
            << "val_annotations.txt: line 2: image path '/etc/passwd' is not a file name inside";
        QTest::newRow("annotation climbs out through a folder") << "escape-nested" << 1
            << "val_annotations.txt: line 2: image path 'x/../../val_0.JPEG' is not a file name inside";
        QTest::newRow("class name not UTF-8") << "latin1-name" << 0
            << "words.txt: the name of class 'n01629819' is not valid UTF-8: 'salamandre \\xe9'";
    }

    void errors()
    {
        QFETCH(QString, problem);
        QFETCH(int, split);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path folder = dir.path().toStdString();
        QVERIFY(writeTinyImageNet(folder));
        const fs::path image = folder / "train" / "n01629819" / "images" / "n01629819_0.JPEG";
        if (problem == "small") {
            QVERIFY(writeFlatJpeg(image, 32, 32, 1, 2, 3));
        } else if (problem == "garbage") {
            QVERIFY(writeText(image, "this is not a JPEG file at all, just some text"));
        } else if (problem == "truncated") {
            // A noisy image so that half the file leaves scan data missing.
            std::vector<std::uint8_t> noise(64 * 64 * 3);
            for (std::size_t i = 0; i < noise.size(); ++i)
                noise[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 13);
            QVERIFY(writeJpeg(image, 64, 64, noise, false));
            const auto size = fs::file_size(image);
            fs::resize_file(image, size / 2);
        } else if (problem == "empty") {
            QVERIFY(writeBytes(image, {}));
        } else if (problem == "no-wnids") {
            fs::remove(folder / "wnids.txt");
        } else if (problem == "no-words") {
            fs::remove(folder / "words.txt");
        } else if (problem == "no-name") {
            QVERIFY(writeText(folder / "words.txt", "n01443537\tgoldfish\nn01641577\tbullfrog\n"));
        } else if (problem == "no-class-dir") {
            fs::remove_all(folder / "train" / "n01629819");
        } else if (problem == "empty-class-dir") {
            fs::remove_all(folder / "train" / "n01629819" / "images");
            fs::create_directories(folder / "train" / "n01629819" / "images");
        } else if (problem == "no-annotations") {
            fs::remove(folder / "val" / "val_annotations.txt");
        } else if (problem == "bad-annotation") {
            QVERIFY(writeText(folder / "val" / "val_annotations.txt",
                              "val_0.JPEG\tn01641577\t0\t32\t44\t62\nval_1.JPEG\tn99999999\t0\t0\t1\t1\n"));
        } else if (problem == "no-val-image") {
            fs::remove(folder / "val" / "images" / "val_1.JPEG");
        } else if (problem.startsWith("escape-")) {
            const std::string path = problem == "escape-dots"       ? "../../../etc/passwd"
                                     : problem == "escape-absolute" ? "/etc/passwd"
                                                                    : "x/../../val_0.JPEG";
            QVERIFY(writeText(folder / "val" / "val_annotations.txt",
                              "val_0.JPEG\tn01641577\t0\t32\t44\t62\n" + path + "\tn01443537\t0\t0\t1\t1\n"));
        } else if (problem == "latin1-name") {
            QVERIFY(writeText(folder / "words.txt", "n01443537\tgoldfish\nn01629819\tsalamandre \xe9\nn01641577\tbullfrog\n"));
        } else if (problem == "duplicate-wnid") {
            QVERIFY(writeText(folder / "wnids.txt", "n01443537\nn01629819\nn01443537\n"));
        }
        const QString message = errorOf([&] { readTinyImageNet(folder, split ? Split::Test : Split::Train, 3); });
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(dir.path()), qPrintable(message));
    }

    // Issue 10: JPEG dimensions come from the header and are checked before decoding.
    void hugeJpegDimensionsAreRefusedBeforeDecoding()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path file = fs::path(dir.path().toStdString()) / "huge.JPEG";
        QVERIFY(writeFlatJpeg(file, 64, 64, 1, 2, 3));
        Bytes jpeg = readFileBytes(file);
        // Patch the SOF0/SOF2 frame header: FF C0/C2, length (2), precision (1), height (2), width (2).
        bool patched = false;
        for (std::size_t i = 0; i + 9 < jpeg.size() && !patched; ++i)
            if (jpeg[i] == 0xff && (jpeg[i + 1] == 0xc0 || jpeg[i + 1] == 0xc2)) {
                jpeg[i + 5] = 0xfd, jpeg[i + 6] = 0xe8;  // 65000
                jpeg[i + 7] = 0xfd, jpeg[i + 8] = 0xe8;
                patched = true;
            }
        QVERIFY(patched);
        JpegDecoder decoder;
        const QString message = errorOf([&] { decoder.readSize(jpeg, "huge.JPEG"); });
        QVERIFY2(message.contains("huge.JPEG: JPEG header says 65000x65000 pixels, expected at most 67108864 pixels"),
                 qPrintable(message));
        const QString tight = errorOf([&] { decoder.readSize(readFileBytes(file), "small.JPEG", 1000); });
        QVERIFY2(tight.contains("small.JPEG: JPEG header says 64x64 pixels, expected at most 1000"), qPrintable(tight));
    }

    // With several bad files, the first in file order is reported whatever the thread timing.
    void firstBadFileIsReported()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path folder = dir.path().toStdString();
        QVERIFY(writeTinyImageNet(folder));
        QVERIFY(writeText(folder / "train" / "n01443537" / "images" / "n01443537_1.JPEG", "bad"));
        QVERIFY(writeText(folder / "train" / "n01641577" / "images" / "n01641577_0.JPEG", "bad"));
        for (int round = 0; round < 5; ++round) {
            const QString message = errorOf([&] { readTinyImageNet(folder, Split::Train, 4); });
            QVERIFY2(message.contains("n01443537_1.JPEG"), qPrintable(message));
        }
    }

private:
    fs::path root() const { return m_dir.path().toStdString(); }
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestTinyImageNet)
#include "test_tiny_imagenet.moc"
