#include "io/zip_reader.h"

#include <algorithm>
#include <cstring>

#include <zlib.h>

#include "common/errors.h"

namespace scns {

namespace {

constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kEndOfDirectory = 0x06054b50;
constexpr std::uint32_t kZip64End = 0x06064b50;
constexpr std::uint32_t kZip64Locator = 0x07064b50;
constexpr std::uint64_t kEndSize = 22;            // without the comment
constexpr std::uint64_t kMaxComment = 0xffff;
constexpr std::uint64_t kCentralSize = 46;        // without name, extra and comment
constexpr std::uint64_t kLocalSize = 30;          // without name and extra

std::uint64_t le(const std::uint8_t* p, int n)
{
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

}  // namespace

ZipReader::ZipReader(const std::filesystem::path& file) : m_file(file)
{
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        throw CheckpointError(file.string() + ": file not found");
    if (std::filesystem::is_directory(file, ec))
        throw CheckpointError(file.string() + ": is a folder, expected a file");
    m_fileSize = std::filesystem::file_size(file, ec);
    if (ec)
        throw CheckpointError(file.string() + ": cannot read the file size: " + ec.message());
    m_in.open(file, std::ios::binary);
    if (!m_in)
        throw CheckpointError(file.string() + ": cannot open the file for reading");
    readDirectory();
}

void ZipReader::fail(const std::string& what) const
{
    throw CheckpointError(m_file.string() + ": " + what);
}

void ZipReader::readAt(std::uint64_t offset, void* out, std::uint64_t size) const
{
    if (offset > m_fileSize || size > m_fileSize - offset)
        fail("truncated zip archive: needs bytes " + std::to_string(offset) + " to " + std::to_string(offset + size)
             + " of a file of " + std::to_string(m_fileSize));
    m_in.clear();
    m_in.seekg(static_cast<std::streamoff>(offset));
    if (size > 0 && !m_in.read(static_cast<char*>(out), static_cast<std::streamsize>(size)))
        fail("cannot read " + std::to_string(size) + " bytes at offset " + std::to_string(offset));
}

void ZipReader::readDirectory()
{
    // The end-of-directory record sits in the last 22 + up to 65535 (comment) bytes.
    if (m_fileSize < kEndSize)
        fail("not a zip archive (" + std::to_string(m_fileSize) + " bytes, too short for one)");
    const std::uint64_t tailSize = std::min(m_fileSize, kEndSize + kMaxComment);
    Bytes tail(tailSize);
    readAt(m_fileSize - tailSize, tail.data(), tailSize);
    std::int64_t at = -1;
    for (std::int64_t i = static_cast<std::int64_t>(tailSize - kEndSize); i >= 0; --i) {
        if (le(&tail[static_cast<std::size_t>(i)], 4) == kEndOfDirectory) {
            at = i;
            break;
        }
    }
    if (at < 0)
        fail("not a complete zip archive: no end-of-directory record (truncated or damaged)");
    const std::uint8_t* e = &tail[static_cast<std::size_t>(at)];
    const std::uint64_t endOffset = m_fileSize - tailSize + static_cast<std::uint64_t>(at);
    if (le(e + 4, 2) != 0 || le(e + 6, 2) != 0)
        fail("multi-disk zip archives are not supported");
    std::uint64_t count = le(e + 10, 2);
    std::uint64_t dirSize = le(e + 12, 4);
    std::uint64_t dirOffset = le(e + 16, 4);

    if (count == 0xffff || dirSize == 0xffffffff || dirOffset == 0xffffffff) {
        // Zip64: a locator just before the end record points at the zip64 end record.
        std::uint8_t loc[20];
        if (endOffset < sizeof loc)
            fail("zip64 archive without its locator");
        readAt(endOffset - sizeof loc, loc, sizeof loc);
        if (le(loc, 4) != kZip64Locator)
            fail("zip64 archive without its locator");
        std::uint8_t end64[56];
        readAt(le(loc + 8, 8), end64, sizeof end64);
        if (le(end64, 4) != kZip64End)
            fail("bad zip64 end-of-directory record");
        count = le(end64 + 32, 8);
        dirSize = le(end64 + 40, 8);
        dirOffset = le(end64 + 48, 8);
    }
    if (dirOffset > m_fileSize || dirSize > m_fileSize - dirOffset)
        fail("bad zip directory: " + std::to_string(dirSize) + " bytes at offset " + std::to_string(dirOffset)
             + " lie outside the file of " + std::to_string(m_fileSize));
    if (count > kMaxEntries || count > dirSize / kCentralSize)
        fail("bad zip directory: " + std::to_string(count) + " entries cannot fit in " + std::to_string(dirSize)
             + " bytes");

    Bytes dir(dirSize);
    readAt(dirOffset, dir.data(), dirSize);
    m_entries.reserve(count);
    std::uint64_t pos = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
        if (dirSize - pos < kCentralSize || le(&dir[pos], 4) != kCentralHeader)
            fail("bad zip directory: entry " + std::to_string(i) + " at offset " + std::to_string(dirOffset + pos)
                 + " is not a directory record");
        const std::uint8_t* h = &dir[pos];
        const std::uint64_t flags = le(h + 8, 2);
        ZipEntry entry;
        entry.method = static_cast<std::uint16_t>(le(h + 10, 2));
        entry.crc32 = static_cast<std::uint32_t>(le(h + 16, 4));
        entry.compressedSize = le(h + 20, 4);
        entry.size = le(h + 24, 4);
        const std::uint64_t nameLen = le(h + 28, 2), extraLen = le(h + 30, 2), commentLen = le(h + 32, 2);
        entry.localHeaderOffset = le(h + 42, 4);
        if (dirSize - pos - kCentralSize < nameLen + extraLen + commentLen)
            fail("bad zip directory: entry " + std::to_string(i) + " runs past the directory");
        entry.name.assign(reinterpret_cast<const char*>(h + kCentralSize), nameLen);
        // Zip64 extended information: the 8-byte values replace the saturated 4-byte ones, in order.
        const std::uint8_t* x = h + kCentralSize + nameLen;
        for (std::uint64_t off = 0; off + 4 <= extraLen;) {
            const std::uint64_t id = le(x + off, 2), len = le(x + off + 2, 2);
            if (off + 4 + len > extraLen)
                break;
            if (id == 0x0001) {
                const std::uint8_t* v = x + off + 4;
                std::uint64_t left = len;
                auto take64 = [&](std::uint64_t& field) {
                    if (field != 0xffffffff)
                        return;
                    if (left < 8)
                        fail("bad zip64 field in entry '" + entry.name + "'");
                    field = le(v, 8);
                    v += 8;
                    left -= 8;
                };
                take64(entry.size);
                take64(entry.compressedSize);
                take64(entry.localHeaderOffset);
            }
            off += 4 + len;
        }
        if ((flags & 0x1) != 0)
            fail("entry '" + entry.name + "' is encrypted");
        if (entry.method != 0 && entry.method != 8)
            fail("entry '" + entry.name + "' uses compression method " + std::to_string(entry.method)
                 + " (expected stored or deflate)");
        if (entry.localHeaderOffset > m_fileSize || entry.compressedSize > m_fileSize)
            fail("entry '" + entry.name + "' claims " + std::to_string(entry.compressedSize) + " bytes at offset "
                 + std::to_string(entry.localHeaderOffset) + " in a file of " + std::to_string(m_fileSize));
        m_entries.push_back(std::move(entry));
        pos += kCentralSize + nameLen + extraLen + commentLen;
    }
}

const ZipEntry* ZipReader::find(const std::string& name) const
{
    for (const auto& e : m_entries)
        if (e.name == name)
            return &e;
    return nullptr;
}

std::uint64_t ZipReader::dataOffset(const ZipEntry& entry) const
{
    std::uint8_t h[kLocalSize];
    readAt(entry.localHeaderOffset, h, sizeof h);
    if (le(h, 4) != kLocalHeader)
        fail("entry '" + entry.name + "': no local header at offset " + std::to_string(entry.localHeaderOffset));
    const std::uint64_t start = entry.localHeaderOffset + kLocalSize + le(h + 26, 2) + le(h + 28, 2);
    if (start > m_fileSize || entry.compressedSize > m_fileSize - start)
        fail("truncated zip archive: entry '" + entry.name + "' needs " + std::to_string(entry.compressedSize)
             + " bytes at offset " + std::to_string(start) + " of a file of " + std::to_string(m_fileSize));
    return start;
}

Bytes ZipReader::read(const ZipEntry& entry, std::uint64_t maxBytes) const
{
    if (entry.size > maxBytes)
        fail("entry '" + entry.name + "' claims " + std::to_string(entry.size) + " bytes, more than the "
             + std::to_string(maxBytes) + " it may hold");
    if (entry.method == 0 && entry.size != entry.compressedSize)
        fail("entry '" + entry.name + "' is stored with " + std::to_string(entry.compressedSize)
             + " bytes but claims " + std::to_string(entry.size));
    if (entry.method == 8 && entry.size / kMaxDeflateRatio > entry.compressedSize + 1)
        fail("entry '" + entry.name + "' claims " + std::to_string(entry.size) + " bytes from "
             + std::to_string(entry.compressedSize) + " compressed, more than deflate can produce");
    const std::uint64_t start = dataOffset(entry);

    Bytes out;
    if (entry.method == 0) {
        out.resize(entry.size);
        readAt(start, out.data(), entry.size);
    } else {
        Bytes packed(entry.compressedSize);
        readAt(start, packed.data(), entry.compressedSize);
        // The buffer grows with what actually inflates, never from the declared size alone.
        out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(entry.size, std::uint64_t(16) << 20)));
        z_stream z{};
        if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
            fail("entry '" + entry.name + "': cannot start inflating");
        constexpr std::uint64_t kChunk = 1u << 30;  // zlib counts in 32 bits
        z.next_in = packed.data();
        std::vector<std::uint8_t> buffer(1u << 20);
        int rc = Z_OK;
        bool tooLong = false;
        while (rc == Z_OK) {
            if (z.avail_in == 0)
                z.avail_in = static_cast<uInt>(std::min<std::uint64_t>(packed.size() - z.total_in, kChunk));
            z.next_out = buffer.data();
            z.avail_out = static_cast<uInt>(buffer.size());
            rc = inflate(&z, Z_NO_FLUSH);
            const std::size_t got = buffer.size() - z.avail_out;
            if (out.size() + got > entry.size) {
                tooLong = true;
                break;
            }
            out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(got));
            if (rc == Z_OK && got == 0 && z.avail_in == 0 && z.total_in >= packed.size())
                break;  // input used up before the end of the stream: truncated
        }
        inflateEnd(&z);
        if (tooLong || rc != Z_STREAM_END || out.size() != entry.size)
            fail("entry '" + entry.name + "' is corrupt: it does not inflate to the " + std::to_string(entry.size)
                 + " bytes it claims");
    }
    std::uint64_t crc = ::crc32(0L, Z_NULL, 0);
    for (std::uint64_t done = 0; done < out.size();) {
        const auto n = static_cast<uInt>(std::min<std::uint64_t>(out.size() - done, 1u << 30));
        crc = ::crc32(crc, out.data() + done, n);
        done += n;
    }
    if (crc != entry.crc32)
        fail("entry '" + entry.name + "' is corrupt (CRC-32 mismatch)");
    return out;
}

}  // namespace scns
