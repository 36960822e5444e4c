#include "io/file_bytes.h"

#include "common/errors.h"

#include <zlib.h>

#include <cerrno>
#include <fstream>
#include <algorithm>
#include <limits>
#include <system_error>

namespace scns {

Bytes readFileBytes(const std::filesystem::path& path)
{
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status))
        throw DataError(path.string() + ": file not found");
    if (std::filesystem::is_directory(status))
        throw DataError(path.string() + ": is a directory, expected a file");

    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw DataError(path.string() + ": cannot open: " + std::generic_category().message(errno));
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0)
        throw DataError(path.string() + ": cannot determine the file size");
    in.seekg(0, std::ios::beg);
    Bytes bytes(static_cast<std::size_t>(size));
    if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size))
        throw DataError(path.string() + ": read error after " + std::to_string(in.gcount()) + " of "
                        + std::to_string(size) + " bytes");
    return bytes;
}

bool hasGzipMagic(const Bytes& bytes)
{
    return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

namespace {

// Inflates until the stream ends, or stops once `stopAfter` bytes are out (returning them),
// or throws once the output would pass `limit`.
Bytes inflateGzip(const Bytes& compressed, const std::string& sourceName, std::uint64_t limit, std::uint64_t stopAfter)
{
    Bytes out;
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK)  // 15 + 16: zlib window, gzip wrapper only
        throw DataError(sourceName + ": cannot initialise zlib");
    struct Guard {
        z_stream* s;
        ~Guard() { inflateEnd(s); }
    } guard{&zs};

    std::size_t consumed = 0;
    constexpr std::size_t chunk = 1 << 20;
    std::vector<std::uint8_t> buffer(chunk);
    while (true) {
        const std::size_t remaining = compressed.size() - consumed;
        zs.next_in = const_cast<Bytef*>(compressed.data() + consumed);
        zs.avail_in = static_cast<uInt>(std::min<std::size_t>(remaining, std::numeric_limits<uInt>::max()));
        const uInt availBefore = zs.avail_in;
        zs.next_out = buffer.data();
        zs.avail_out = static_cast<uInt>(buffer.size());
        const int rc = inflate(&zs, Z_NO_FLUSH);
        consumed += availBefore - zs.avail_in;
        const std::size_t produced = buffer.size() - zs.avail_out;
        if (out.size() + produced > limit)
            throw DataError(sourceName + ": inflates to more than " + std::to_string(limit)
                            + " bytes, the most this file may hold (stopped after " + std::to_string(consumed)
                            + " of " + std::to_string(compressed.size()) + " compressed bytes)");
        out.insert(out.end(), buffer.data(), buffer.data() + produced);
        if (out.size() >= stopAfter) {
            out.resize(static_cast<std::size_t>(stopAfter));
            return out;
        }

        if (rc == Z_STREAM_END) {
            // Another member may follow; trailing zero padding (seen from some tools) is ignored.
            bool onlyZeros = true;
            for (std::size_t i = consumed; i < compressed.size() && onlyZeros; ++i)
                onlyZeros = compressed[i] == 0;
            if (onlyZeros)
                return out;
            if (compressed.size() - consumed < 2 || compressed[consumed] != 0x1f || compressed[consumed + 1] != 0x8b)
                throw DataError(sourceName + ": " + std::to_string(compressed.size() - consumed)
                                + " bytes of garbage after the end of the gzip stream at offset "
                                + std::to_string(consumed));
            inflateReset(&zs);
            continue;
        }
        if (rc == Z_OK)
            continue;
        if (rc == Z_BUF_ERROR && consumed == compressed.size())
            throw DataError(sourceName + ": truncated gzip stream: input ended after " + std::to_string(consumed)
                            + " compressed bytes (" + std::to_string(out.size())
                            + " bytes inflated) before the end of the stream");
        if (rc == Z_BUF_ERROR && (availBefore != zs.avail_in || zs.avail_out != buffer.size()))
            continue;  // progress was made; zlib only needs another turn
        if (rc == Z_MEM_ERROR)
            throw DataError(sourceName + ": out of memory while inflating");
        throw DataError(sourceName + ": corrupt gzip data at compressed offset " + std::to_string(consumed) + ": "
                        + (zs.msg ? zs.msg : "zlib error " + std::to_string(rc)));
    }
}

}  // namespace

Bytes gunzip(const Bytes& compressed, const std::string& sourceName, std::uint64_t maxOutput)
{
    return inflateGzip(compressed, sourceName, maxOutput, std::numeric_limits<std::uint64_t>::max());
}

Bytes gunzipPrefix(const Bytes& compressed, const std::string& sourceName, std::size_t n)
{
    return inflateGzip(compressed, sourceName, std::numeric_limits<std::uint64_t>::max(), n);
}

Bytes readMaybeGzip(const std::filesystem::path& path, std::uint64_t maxOutput)
{
    Bytes bytes = readFileBytes(path);
    if (!hasGzipMagic(bytes))
        return bytes;
    return gunzip(bytes, path.string(), maxOutput);
}

}  // namespace scns
