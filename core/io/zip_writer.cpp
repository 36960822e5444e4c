#include "io/zip_writer.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include "common/errors.h"

namespace scns {

namespace {

constexpr std::uint64_t kAlign = 64;
constexpr std::uint64_t k32 = 0xffffffffu;

void putLe(std::string& s, std::uint64_t v, int n)
{
    for (int i = 0; i < n; ++i)
        s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint32_t crcOf(const void* data, std::uint64_t size)
{
    auto p = static_cast<const Bytef*>(data);
    uLong crc = ::crc32(0L, Z_NULL, 0);
    while (size > 0) {
        const auto n = static_cast<uInt>(size < (1u << 30) ? size : (1u << 30));
        crc = ::crc32(crc, p, n);
        p += n;
        size -= n;
    }
    return static_cast<std::uint32_t>(crc);
}

void fsyncPath(const std::filesystem::path& path, bool directory)
{
    const int fd = ::open(path.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

}  // namespace

ZipWriter::ZipWriter(const std::filesystem::path& file) : m_file(file), m_partial(file.string() + ".partial")
{
    std::error_code ec;
    if (file.has_parent_path())
        std::filesystem::create_directories(file.parent_path(), ec);
    m_out.open(m_partial, std::ios::binary | std::ios::trunc);
    if (!m_out)
        fail(std::string("cannot create the file: ") + std::strerror(errno));
}

ZipWriter::~ZipWriter()
{
    if (!m_finished) {
        m_out.close();
        std::error_code ignored;
        std::filesystem::remove(m_partial, ignored);
    }
}

void ZipWriter::fail(const std::string& what)
{
    m_out.close();
    std::error_code ignored;
    std::filesystem::remove(m_partial, ignored);
    m_finished = true;  // nothing left to clean up
    throw CheckpointError(m_file.string() + ": cannot write: " + what);
}

void ZipWriter::put(const void* data, std::uint64_t size)
{
    if (size > 0 && !m_out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size)))
        fail(errno == ENOSPC ? "no space left on the device" : std::string(std::strerror(errno)));
    m_pos += size;
}

void ZipWriter::add(const std::string& name, const void* data, std::uint64_t size)
{
    Written w{name, size, crcOf(data, size), m_pos};
    const bool zip64 = size >= k32;
    std::string h;
    putLe(h, 0x04034b50, 4);
    putLe(h, zip64 ? 45 : 20, 2);  // version needed
    putLe(h, 0, 2);                // flags
    putLe(h, 0, 2);                // stored
    putLe(h, 0, 2);                // time
    putLe(h, 0x21, 2);             // date: 1980-01-01
    putLe(h, w.crc, 4);
    putLe(h, zip64 ? k32 : size, 4);
    putLe(h, zip64 ? k32 : size, 4);
    putLe(h, name.size(), 2);
    std::string extra;
    if (zip64) {
        putLe(extra, 0x0001, 2);
        putLe(extra, 16, 2);
        putLe(extra, size, 8);
        putLe(extra, size, 8);
    }
    // Pad with an unknown extra field so the data start on a 64-byte boundary.
    std::uint64_t start = m_pos + 30 + name.size() + extra.size();
    if (start % kAlign != 0) {
        std::uint64_t pad = kAlign - start % kAlign;
        if (pad < 4)
            pad += kAlign;
        putLe(extra, 0x4246, 2);  // 'FB', as PyTorch's writer uses
        putLe(extra, pad - 4, 2);
        extra.append(pad - 4, 'Z');
    }
    putLe(h, extra.size(), 2);
    h += name;
    h += extra;
    put(h.data(), h.size());
    put(data, size);
    m_written.push_back(std::move(w));
}

void ZipWriter::finish()
{
    const std::uint64_t dirOffset = m_pos;
    std::string dir;
    for (const auto& w : m_written) {
        const bool zip64 = w.size >= k32 || w.offset >= k32;
        std::string extra;
        if (zip64) {
            putLe(extra, 0x0001, 2);
            putLe(extra, 24, 2);
            putLe(extra, w.size, 8);
            putLe(extra, w.size, 8);
            putLe(extra, w.offset, 8);
        }
        putLe(dir, 0x02014b50, 4);
        putLe(dir, zip64 ? 45 : 20, 2);  // made by
        putLe(dir, zip64 ? 45 : 20, 2);  // needed
        putLe(dir, 0, 2);
        putLe(dir, 0, 2);
        putLe(dir, 0, 2);
        putLe(dir, 0x21, 2);
        putLe(dir, w.crc, 4);
        putLe(dir, zip64 ? k32 : w.size, 4);
        putLe(dir, zip64 ? k32 : w.size, 4);
        putLe(dir, w.name.size(), 2);
        putLe(dir, extra.size(), 2);
        putLe(dir, 0, 2);  // comment
        putLe(dir, 0, 2);  // disk
        putLe(dir, 0, 2);  // internal attributes
        putLe(dir, 0, 4);  // external attributes
        putLe(dir, zip64 ? k32 : w.offset, 4);
        dir += w.name;
        dir += extra;
    }
    const std::uint64_t count = m_written.size();
    const bool zip64 = dirOffset >= k32 || dir.size() >= k32 || count >= 0xffff;
    std::string end;
    if (zip64) {
        const std::uint64_t end64At = dirOffset + dir.size();
        putLe(end, 0x06064b50, 4);
        putLe(end, 44, 8);
        putLe(end, 45, 2);
        putLe(end, 45, 2);
        putLe(end, 0, 4);
        putLe(end, 0, 4);
        putLe(end, count, 8);
        putLe(end, count, 8);
        putLe(end, dir.size(), 8);
        putLe(end, dirOffset, 8);
        putLe(end, 0x07064b50, 4);
        putLe(end, 0, 4);
        putLe(end, end64At, 8);
        putLe(end, 1, 4);
    }
    putLe(end, 0x06054b50, 4);
    putLe(end, 0, 2);
    putLe(end, 0, 2);
    putLe(end, zip64 ? 0xffff : count, 2);
    putLe(end, zip64 ? 0xffff : count, 2);
    putLe(end, zip64 ? k32 : dir.size(), 4);
    putLe(end, zip64 ? k32 : dirOffset, 4);
    putLe(end, 0, 2);
    put(dir.data(), dir.size());
    put(end.data(), end.size());
    m_out.flush();
    if (!m_out)
        fail(errno == ENOSPC ? "no space left on the device" : std::string(std::strerror(errno)));
    m_out.close();
    if (!m_out)
        fail(std::string("closing failed: ") + std::strerror(errno));
    fsyncPath(m_partial, false);
    std::error_code ec;
    std::filesystem::rename(m_partial, m_file, ec);
    if (ec)
        fail("cannot rename the finished file into place: " + ec.message());
    if (m_file.has_parent_path())
        fsyncPath(m_file.parent_path(), true);
    m_finished = true;
}

}  // namespace scns
