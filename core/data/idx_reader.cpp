#include "data/idx_reader.h"

#include "common/errors.h"
#include "io/file_bytes.h"

#include <cstdio>

namespace scns {

namespace {

constexpr std::uint32_t imageMagic = 0x00000803;  // uint8 data, 3 dimensions
constexpr std::uint32_t labelMagic = 0x00000801;  // uint8 data, 1 dimension

std::uint32_t bigEndian32(const std::uint8_t* p)
{
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | std::uint32_t(p[3]);
}

std::string hex32(std::uint32_t v)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

void checkMagic(const std::vector<std::uint8_t>& bytes, std::uint32_t expected, std::size_t headerSize,
                const char* kind, const std::string& sourceName)
{
    if (bytes.size() < 4)
        throw DataError(sourceName + ": truncated: " + std::to_string(bytes.size())
                        + " bytes, too short for an IDX " + kind + " file (header is "
                        + std::to_string(headerSize) + " bytes)");
    const std::uint32_t magic = bigEndian32(bytes.data());
    if (magic != expected)
        throw DataError(sourceName + ": wrong magic number " + hex32(magic) + " (expected " + hex32(expected)
                        + " for an IDX " + kind + " file)");
    if (bytes.size() < headerSize)
        throw DataError(sourceName + ": truncated: " + std::to_string(bytes.size()) + " bytes, shorter than the "
                        + std::to_string(headerSize) + "-byte IDX " + kind + " header");
}

// Prefers the gzip'd name, as the official downloads are gzip'd.
std::filesystem::path findIdxFile(const std::filesystem::path& folder, const std::string& stem)
{
    const std::filesystem::path gz = folder / (stem + ".gz");
    const std::filesystem::path plain = folder / stem;
    std::error_code ec;
    if (std::filesystem::is_regular_file(gz, ec))
        return gz;
    if (std::filesystem::is_regular_file(plain, ec))
        return plain;
    throw DataError(folder.string() + ": missing IDX file " + stem + ": looked for " + gz.string() + " and "
                    + plain.string());
}

}  // namespace

void parseIdxImages(std::vector<std::uint8_t> bytes, const std::string& sourceName, ImageSet& into)
{
    constexpr std::size_t header = 16;
    checkMagic(bytes, imageMagic, header, "image", sourceName);
    const std::uint64_t count = bigEndian32(bytes.data() + 4);
    const std::uint64_t rows = bigEndian32(bytes.data() + 8);
    const std::uint64_t cols = bigEndian32(bytes.data() + 12);
    if (rows == 0 || cols == 0 || rows > 65535 || cols > 65535)
        throw DataError(sourceName + ": implausible image size " + std::to_string(rows) + "x" + std::to_string(cols)
                        + " in the IDX header (expected 1 to 65535 on each side)");
    const std::uint64_t perImage = rows * cols;
    const std::uint64_t expected = count * perImage;  // < 2^64: count < 2^32, perImage < 2^32
    const std::uint64_t found = bytes.size() - header;
    const std::string announced = "header says " + std::to_string(count) + " images of " + std::to_string(rows)
                                  + "x" + std::to_string(cols) + " (" + std::to_string(expected) + " bytes)";
    if (found < expected)
        throw DataError(sourceName + ": truncated: " + announced + " but only " + std::to_string(found)
                        + " bytes follow");
    if (found > expected)
        throw DataError(sourceName + ": " + announced + " but " + std::to_string(found)
                        + " bytes follow (" + std::to_string(found - expected) + " too many)");

    // Drop the header in place rather than copying tens of megabytes.
    bytes.erase(bytes.begin(), bytes.begin() + header);
    into.pixels = std::move(bytes);
    into.count = static_cast<std::int64_t>(count);
    into.channels = 1;
    into.height = static_cast<std::int64_t>(rows);
    into.width = static_cast<std::int64_t>(cols);
}

std::vector<std::int64_t> parseIdxLabels(const std::vector<std::uint8_t>& bytes, const std::string& sourceName)
{
    constexpr std::size_t header = 8;
    checkMagic(bytes, labelMagic, header, "label", sourceName);
    const std::uint64_t count = bigEndian32(bytes.data() + 4);
    const std::uint64_t found = bytes.size() - header;
    if (found < count)
        throw DataError(sourceName + ": truncated: header says " + std::to_string(count) + " labels but only "
                        + std::to_string(found) + " bytes follow");
    if (found > count)
        throw DataError(sourceName + ": header says " + std::to_string(count) + " labels but " + std::to_string(found)
                        + " bytes follow (" + std::to_string(found - count) + " too many)");
    return std::vector<std::int64_t>(bytes.begin() + header, bytes.end());
}

ImageSet readIdxDataset(const std::filesystem::path& folder, Split split, const std::vector<std::string>& classNames)
{
    if (classNames.empty())
        throw DataError(folder.string() + ": no class names given for the IDX data set");
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
        throw DataError(folder.string() + ": data-set folder not found");

    const std::string prefix = split == Split::Train ? "train" : "t10k";
    const std::filesystem::path imagePath = findIdxFile(folder, prefix + "-images-idx3-ubyte");
    const std::filesystem::path labelPath = findIdxFile(folder, prefix + "-labels-idx1-ubyte");

    ImageSet set;
    parseIdxImages(readMaybeGzip(imagePath), imagePath.string(), set);
    set.labels = parseIdxLabels(readMaybeGzip(labelPath), labelPath.string());
    if (static_cast<std::int64_t>(set.labels.size()) != set.count)
        throw DataError(imagePath.string() + " holds " + std::to_string(set.count) + " images but "
                        + labelPath.string() + " holds " + std::to_string(set.labels.size()) + " labels");
    const auto numClasses = static_cast<std::int64_t>(classNames.size());
    for (std::size_t i = 0; i < set.labels.size(); ++i)
        if (set.labels[i] >= numClasses)
            throw DataError(labelPath.string() + ": label " + std::to_string(set.labels[i]) + " at index "
                            + std::to_string(i) + " is out of range [0, " + std::to_string(numClasses) + ")");
    set.classNames = classNames;
    return set;
}

}  // namespace scns
