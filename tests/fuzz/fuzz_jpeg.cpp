// JpegDecoder (core/io/jpeg_decoder.h): any bytes as a Tiny-ImageNet JPEG. Like the data
// set reader, only images of a bounded size are decoded (the reader decodes 64x64 only).
#include <vector>

#include "common/errors.h"
#include "io/jpeg_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static scns::JpegDecoder decoder;
    const scns::Bytes jpeg(data, data + size);
    try {
        const scns::JpegSize s = decoder.readSize(jpeg, "fuzz.JPEG");
        if (s.width <= 0 || s.height <= 0 || std::int64_t(s.width) * s.height > 1024 * 1024)
            return 0;
        std::vector<std::uint8_t> rgb(std::size_t(s.width) * std::size_t(s.height) * 3);
        decoder.decodeRgb(jpeg, "fuzz.JPEG", s, rgb.data());
    } catch (const scns::Error&) {
    }
    return 0;
}
