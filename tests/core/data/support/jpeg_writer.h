#pragma once
// Writes JPEG files with libturbojpeg for the Tiny-ImageNet tests.
#include "test_files.h"

#include <turbojpeg.h>

namespace scns::test {

// pixels: width * height * (grey ? 1 : 3) bytes, interleaved RGB or grey. Quality 100 and no
// chroma subsampling, so flat colours survive almost exactly. Returns false on failure.
inline bool writeJpeg(const std::filesystem::path& path, int width, int height,
                      const std::vector<std::uint8_t>& pixels, bool grey)
{
    tjhandle handle = tjInitCompress();
    if (!handle)
        return false;
    unsigned char* jpeg = nullptr;
    unsigned long size = 0;
    const int rc = tjCompress2(handle, pixels.data(), width, 0, height, grey ? TJPF_GRAY : TJPF_RGB, &jpeg, &size,
                               grey ? TJSAMP_GRAY : TJSAMP_444, 100, 0);
    bool ok = rc == 0;
    if (ok)
        ok = writeBytes(path, Bytes(jpeg, jpeg + size));
    tjFree(jpeg);
    tjDestroy(handle);
    return ok;
}

// A flat-colour RGB image.
inline bool writeFlatJpeg(const std::filesystem::path& path, int width, int height, std::uint8_t r, std::uint8_t g,
                          std::uint8_t b)
{
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width * height * 3));
    for (std::size_t i = 0; i < pixels.size(); i += 3) {
        pixels[i] = r;
        pixels[i + 1] = g;
        pixels[i + 2] = b;
    }
    return writeJpeg(path, width, height, pixels, false);
}

}  // namespace scns::test
