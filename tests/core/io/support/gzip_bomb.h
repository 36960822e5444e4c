#pragma once
// A gzip stream of `prefix` followed by `zeros` zero bytes, deflated in chunks so that a
// multi-gigabyte "bomb" never exists uncompressed in the test (zeros compress ~1030:1).
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace scns::test {

inline std::vector<std::uint8_t> gzipWithZeros(const std::vector<std::uint8_t>& prefix, std::uint64_t zeros)
{
    z_stream zs{};
    deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
    std::vector<std::uint8_t> out;
    std::vector<std::uint8_t> buffer(1 << 16);
    const std::vector<std::uint8_t> chunk(1 << 20, 0);
    auto pump = [&](const std::uint8_t* data, std::size_t size, int flush) {
        zs.next_in = const_cast<Bytef*>(data);
        zs.avail_in = static_cast<uInt>(size);
        do {
            zs.next_out = buffer.data();
            zs.avail_out = static_cast<uInt>(buffer.size());
            deflate(&zs, flush);
            out.insert(out.end(), buffer.data(), buffer.data() + (buffer.size() - zs.avail_out));
        } while (zs.avail_out == 0 || (flush == Z_FINISH && zs.avail_in > 0));
    };
    pump(prefix.data(), prefix.size(), Z_NO_FLUSH);
    while (zeros > 0) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(zeros, chunk.size()));
        pump(chunk.data(), n, Z_NO_FLUSH);
        zeros -= n;
    }
    pump(nullptr, 0, Z_FINISH);
    deflateEnd(&zs);
    return out;
}

}  // namespace scns::test
