// readTinyImageNet's val split (core/data/tiny_imagenet.h): wnids.txt, words.txt and
// val/val_annotations.txt from the input (Parts, in that order); val/images/val_0.JPEG is a
// valid 64x64 image. A valid 64x64 image also lies outside val/images
// (tiny-imagenet-200/outside.JPEG, and outside.JPEG beside the data folder): a load that
// succeeds with an annotation naming a path rather than a file name has read outside
// val/images, which is a finding too (the reader once opened /etc/passwd).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <turbojpeg.h>

#include "common/errors.h"
#include "data/tiny_imagenet.h"
#include "fuzz_support.h"

namespace {

void writeJpeg64(const std::filesystem::path& path)
{
    std::vector<unsigned char> rgb(64 * 64 * 3, 128);
    tjhandle h = tjInitCompress();
    unsigned char* jpeg = nullptr;
    unsigned long size = 0;
    if (h && tjCompress2(h, rgb.data(), 64, 0, 64, TJPF_RGB, &jpeg, &size, TJSAMP_444, 90, 0) == 0)
        scns::fuzz::writeFile(path, jpeg, size);
    tjFree(jpeg);
    if (h)
        tjDestroy(h);
}

const std::filesystem::path& root()
{
    static const std::filesystem::path r = [] {
        const auto parent = scns::fuzz::freshFolder("tiny");
        const auto dir = parent / "tiny-imagenet-200";
        writeJpeg64(dir / "val" / "images" / "val_0.JPEG");
        writeJpeg64(dir / "outside.JPEG");
        writeJpeg64(parent / "outside.JPEG");
        return dir;
    }();
    return r;
}

std::string trimmed(std::string_view s)
{
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos)
        return {};
    return std::string(s.substr(b, s.find_last_not_of(" \t\r") - b + 1));
}

// The file field of every annotation line that is not a plain file name.
std::string escapingName(std::string_view text)
{
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        const std::string line = trimmed(text.substr(start, end - start));
        const std::string file = line.substr(0, line.find('\t'));
        if (!line.empty() && (file.find('/') != std::string::npos || file.find('\\') != std::string::npos
                              || file == "." || file == ".." || file.find('\0') != std::string::npos))
            return file;
        start = end + 1;
    }
    return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto& dir = root();
    scns::fuzz::Parts parts{data, size};
    scns::fuzz::writeFile(dir / "wnids.txt", parts.next());
    scns::fuzz::writeFile(dir / "words.txt", parts.next());
    const std::string_view annotations = parts.rest();
    scns::fuzz::writeFile(dir / "val" / "val_annotations.txt", annotations);
    try {
        const auto set = scns::readTinyImageNet(dir.parent_path(), scns::Split::Test, 1);
        const std::string escaping = escapingName(annotations);
        if (!escaping.empty()) {
            std::fprintf(stderr, "finding: annotation file '%s' (not a plain file name) was read\n", escaping.c_str());
            std::abort();
        }
        (void)set.count;
    } catch (const scns::Error&) {
    }
    return 0;
}
