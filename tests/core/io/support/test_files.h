#pragma once
// Helpers shared by the io and data tests: writing byte files, gzip'ing, running the
// reference Python (SCNS_TEST_PYTHON, which has numpy).
#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace scns::test {

using Bytes = std::vector<std::uint8_t>;

inline bool writeBytes(const std::filesystem::path& path, const Bytes& bytes)
{
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(out);
}

inline bool writeText(const std::filesystem::path& path, const std::string& text)
{
    return writeBytes(path, Bytes(text.begin(), text.end()));
}

inline Bytes gzipBytes(const Bytes& data)
{
    z_stream zs{};
    deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    Bytes out(deflateBound(&zs, static_cast<uLong>(data.size())) + 64);
    zs.next_in = const_cast<Bytef*>(data.data());
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

inline void appendBigEndian32(Bytes& out, std::uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> shift));
}

// Runs SCNS_TEST_PYTHON -c script args...; returns an empty string on success, otherwise
// what went wrong with the process's output, for QVERIFY2.
inline QString runPython(const QString& script, const QStringList& args)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(SCNS_TEST_PYTHON), QStringList{QStringLiteral("-c"), script} + args);
    if (!process.waitForFinished(120000))
        return QStringLiteral("python did not finish: ") + process.errorString();
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return QStringLiteral("python failed (exit %1): %2")
            .arg(process.exitCode())
            .arg(QString::fromLocal8Bit(process.readAll()));
    return {};
}

}  // namespace scns::test
