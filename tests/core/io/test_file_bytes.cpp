// readFileBytes / readMaybeGzip: good files, and every failure named by path.
#include "common/errors.h"
#include "io/file_bytes.h"
#include "gzip_bomb.h"
#include "memory_limit.h"
#include "test_files.h"

#include <chrono>

#include <QTemporaryDir>
#include <QTest>

using namespace scns;
using scns::test::gzipBytes;
using scns::test::writeBytes;

namespace {

Bytes sample(std::size_t n)
{
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i)
        b[i] = static_cast<std::uint8_t>((i * 131 + i / 7) & 0xff);
    return b;
}

// Runs f and returns the DataError message, or "no error" to fail the comparison.
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

class TestFileBytes : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void readsWholeFile()
    {
        const auto path = root() / "plain.bin";
        const Bytes data = sample(100000);
        QVERIFY(writeBytes(path, data));
        QCOMPARE(readFileBytes(path), data);
        QCOMPARE(readMaybeGzip(path), data);
    }

    void readsEmptyFile()
    {
        const auto path = root() / "empty.bin";
        QVERIFY(writeBytes(path, {}));
        QVERIFY(readFileBytes(path).empty());
        QVERIFY(readMaybeGzip(path).empty());
    }

    void inflatesGzipByMagicNotName()
    {
        const Bytes data = sample(3'000'000);
        const auto path = root() / "no-gz-suffix";
        QVERIFY(writeBytes(path, gzipBytes(data)));
        QCOMPARE(readMaybeGzip(path), data);
        // readFileBytes does not inflate.
        QVERIFY(hasGzipMagic(readFileBytes(path)));
    }

    void inflatesConcatenatedMembers()
    {
        const Bytes expected = sample(5070);
        const Bytes first = gzipBytes(Bytes(expected.begin(), expected.begin() + 5000));
        const Bytes second = gzipBytes(Bytes(expected.begin() + 5000, expected.end()));
        Bytes both(first.size() + second.size());
        std::copy(first.begin(), first.end(), both.begin());
        std::copy(second.begin(), second.end(), both.begin() + static_cast<std::ptrdiff_t>(first.size()));
        QCOMPARE(gunzip(both, "x"), expected);
    }

    void errors_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing file") << "missing" << "file not found";
        QTest::newRow("directory") << "dir" << "is a directory";
        QTest::newRow("truncated gzip") << "truncated" << "truncated gzip stream";
        QTest::newRow("header only") << "header-only" << "truncated gzip stream";
        QTest::newRow("corrupt gzip") << "corrupt" << "corrupt gzip data";
        QTest::newRow("garbage after stream") << "trailing" << "garbage after the end of the gzip stream";
    }

    void errors()
    {
        QFETCH(QString, name);
        QFETCH(QString, expected);
        const auto path = root() / ("bad-" + name.toStdString());
        const Bytes data = sample(200000);
        Bytes gz = gzipBytes(data);
        if (name == "dir") {
            std::filesystem::create_directories(path);
        } else if (name == "truncated") {
            gz.resize(gz.size() / 2);
            QVERIFY(writeBytes(path, gz));
        } else if (name == "header-only") {
            gz.resize(10);
            QVERIFY(writeBytes(path, gz));
        } else if (name == "corrupt") {
            for (std::size_t i = 20; i < 60; ++i)
                gz[i] = 0xff;
            QVERIFY(writeBytes(path, gz));
        } else if (name == "trailing") {
            gz.push_back('x');
            gz.push_back('y');
            QVERIFY(writeBytes(path, gz));
        }
        const QString message = errorOf([&] { readMaybeGzip(path); });
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(QString::fromStdString(path.string())), qPrintable(message));
    }

    // Issue 10, hostile sizes: inflation streams into a buffer that grows with the output and
    // stops at the caller's limit, naming the file and the limit; the gzip trailer's claimed
    // size no longer reserves memory up front.
    void inflationStopsAtTheLimit()
    {
        const auto path = root() / "bomb.gz";
        const Bytes bomb = scns::test::gzipWithZeros({}, std::uint64_t(512) << 20);  // 512 MiB of zeros, ~0.5 MB
        QVERIFY(writeBytes(path, bomb));
        const auto start = std::chrono::steady_clock::now();
        const QString message = scns::test::errorUnderMemoryLimit([&] { readMaybeGzip(path, 1 << 20); });
        QVERIFY2(message.contains(QString::fromStdString(path.string())), qPrintable(message));
        QVERIFY2(message.contains("inflates to more than 1048576 bytes"), qPrintable(message));
        QVERIFY(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    }

    void prefixInflatesOnlyWhatIsAsked()
    {
        const Bytes bomb = scns::test::gzipWithZeros({1, 2, 3, 4, 5, 6, 7, 8}, std::uint64_t(256) << 20);
        const QString message = scns::test::errorUnderMemoryLimit(
            [&] {
                const Bytes head = gunzipPrefix(bomb, "bomb", 8);
                if (head != Bytes{1, 2, 3, 4, 5, 6, 7, 8})
                    throw std::runtime_error("wrong prefix");
                throw std::runtime_error("prefix ok");
            },
            std::size_t(32) << 20);
        QCOMPARE(message, QStringLiteral("prefix ok"));
        QCOMPARE(gunzipPrefix(gzipBytes(sample(100)), "x", 1000), sample(100));
    }

private:
    std::filesystem::path root() const { return m_dir.path().toStdString(); }
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestFileBytes)
#include "test_file_bytes.moc"
