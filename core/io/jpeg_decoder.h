#pragma once
// JPEG decoding through libturbojpeg, for Tiny-ImageNet. The turbojpeg header stays out of
// this one so users of scns_base need not find it.
#include "io/file_bytes.h"

#include <cstdint>
#include <string>

namespace scns {

struct JpegSize {
    int width = 0;
    int height = 0;
};

// One decoder per thread: a turbojpeg handle is not safe to share between threads.
class JpegDecoder {
public:
    JpegDecoder();
    ~JpegDecoder();
    JpegDecoder(const JpegDecoder&) = delete;
    JpegDecoder& operator=(const JpegDecoder&) = delete;

    // Reads the header only. Not a JPEG -> DataError naming sourceName and turbojpeg's message.
    // Dimensions from the header are checked before any decoding: zero, or more than
    // maxPixels pixels (default: 64 megapixels), is a DataError naming the file and the size.
    JpegSize readSize(const Bytes& jpeg, const std::string& sourceName, std::int64_t maxPixels = kMaxJpegPixels);

    static constexpr std::int64_t kMaxJpegPixels = std::int64_t(1) << 26;

    // Decodes into out (width * height * 3 bytes, interleaved RGB, rows top to bottom);
    // grayscale JPEGs come out with three equal channels. Corrupt data, including what
    // libjpeg only warns about (a truncated file), throws DataError: a half-grey image
    // must not slip into a training set unnoticed.
    // size must be what readSize returned for this jpeg.
    void decodeRgb(const Bytes& jpeg, const std::string& sourceName, const JpegSize& size, std::uint8_t* out);

private:
    void* m_handle = nullptr;
};

}  // namespace scns
