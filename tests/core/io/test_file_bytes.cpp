// readFileBytes / readMaybeGzip: good files, and every failure named by path.
#include "common/errors.h"
#include "io/file_bytes.h"
#include "test_files.h"

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

private:
    std::filesystem::path root() const { return m_dir.path().toStdString(); }
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestFileBytes)
#include "test_file_bytes.moc"
