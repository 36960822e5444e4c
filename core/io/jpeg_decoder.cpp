#include "io/jpeg_decoder.h"

#include "common/errors.h"

#include <turbojpeg.h>

namespace scns {

JpegDecoder::JpegDecoder() : m_handle(tjInitDecompress())
{
    if (!m_handle)
        throw DataError(std::string("cannot initialise libturbojpeg: ") + tjGetErrorStr2(nullptr));
}

JpegDecoder::~JpegDecoder()
{
    tjDestroy(m_handle);
}

JpegSize JpegDecoder::readSize(const Bytes& jpeg, const std::string& sourceName, std::int64_t maxPixels)
{
    int width = 0, height = 0, subsampling = 0, colorspace = 0;
    if (jpeg.empty())
        throw DataError(sourceName + ": not a JPEG file: the file is empty");
    if (tjDecompressHeader3(m_handle, jpeg.data(), static_cast<unsigned long>(jpeg.size()), &width, &height,
                            &subsampling, &colorspace)
        != 0)
        throw DataError(sourceName + ": cannot read the JPEG header: " + tjGetErrorStr2(m_handle));
    const std::int64_t pixels = std::int64_t(width) * std::int64_t(height);
    if (width <= 0 || height <= 0 || pixels > maxPixels)
        throw DataError(sourceName + ": JPEG header says " + std::to_string(width) + "x" + std::to_string(height)
                        + " pixels, expected at most " + std::to_string(maxPixels) + " pixels");
    return {width, height};
}

void JpegDecoder::decodeRgb(const Bytes& jpeg, const std::string& sourceName, const JpegSize& size,
                            std::uint8_t* out)
{
    if (size.width <= 0 || size.height <= 0 || std::int64_t(size.width) * size.height > kMaxJpegPixels)
        throw DataError(sourceName + ": cannot decode a " + std::to_string(size.width) + "x"
                        + std::to_string(size.height) + " JPEG (at most " + std::to_string(kMaxJpegPixels)
                        + " pixels)");
    if (tjDecompress2(m_handle, jpeg.data(), static_cast<unsigned long>(jpeg.size()), out, size.width,
                      size.width * 3, size.height, TJPF_RGB, TJFLAG_STOPONWARNING)
        != 0)
        throw DataError(sourceName + ": cannot decode the JPEG: " + tjGetErrorStr2(m_handle));
}

}  // namespace scns
