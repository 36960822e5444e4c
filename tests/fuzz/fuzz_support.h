#pragma once
// Shared by the fuzz targets: a per-process scratch folder for readers that take a path, and
// the one rule every target follows: a reader may refuse input only with scns::Error (the
// typed, one-line errors of common/errors.h). Anything else escaping a reader (a library's
// exception, std::bad_alloc, a crash, a sanitizer report, an allocation over libFuzzer's
// -malloc_limit_mb) is a finding.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <unistd.h>

namespace scns::fuzz {

// A folder of its own per process (so parallel jobs never share files), under $TMPDIR.
inline const std::filesystem::path& scratch()
{
    static const std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() / ("scns-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir;
}

// An empty folder under scratch(), emptied first (each run starts from nothing).
inline std::filesystem::path freshFolder(const std::string& name)
{
    const auto d = scratch() / name;
    std::error_code ec;
    std::filesystem::remove_all(d, ec);
    std::filesystem::create_directories(d);
    return d;
}

inline void writeFile(const std::filesystem::path& path, const std::uint8_t* data, std::size_t size)
{
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

inline void writeFile(const std::filesystem::path& path, std::string_view text)
{
    writeFile(path, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

// Several files from one input: a little-endian 16-bit length, then that many bytes, for every
// part but the last, which takes the rest. Missing bytes give empty parts.
struct Parts {
    const std::uint8_t* data;
    std::size_t size;

    std::string_view next()
    {
        if (size < 2) {
            auto rest = std::string_view(reinterpret_cast<const char*>(data), size);
            data += size;
            size = 0;
            return rest;
        }
        std::size_t n = data[0] | (std::size_t(data[1]) << 8);
        data += 2;
        size -= 2;
        if (n > size)
            n = size;
        auto part = std::string_view(reinterpret_cast<const char*>(data), n);
        data += n;
        size -= n;
        return part;
    }
    std::string_view rest()
    {
        auto r = std::string_view(reinterpret_cast<const char*>(data), size);
        data += size;
        size = 0;
        return r;
    }
};

}  // namespace scns::fuzz
