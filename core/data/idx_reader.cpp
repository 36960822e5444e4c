#include "data/idx_reader.h"

#include "common/errors.h"
#include "io/file_bytes.h"

#include <algorithm>
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

// One IDX file as found on disk, still compressed if it was gzip'd: its header is read
// first, and the whole file is inflated only up to what that header announces.
struct IdxFile {
    std::filesystem::path path;
    Bytes raw;
    bool gzipped = false;

    explicit IdxFile(std::filesystem::path p) : path(std::move(p)), raw(readFileBytes(path)), gzipped(hasGzipMagic(raw)) {}

    Bytes prefix(std::size_t n) const
    {
        if (gzipped)
            return gunzipPrefix(raw, path.string(), n);
        return Bytes(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(std::min(n, raw.size())));
    }

    // The contents, inflating at most the announced size plus a little (so a few stray
    // bytes are still reported as such by the parser, but a bomb stops early).
    Bytes contents(std::uint64_t announced, const std::string& what)
    {
        if (!gzipped)
            return std::move(raw);
        const std::uint64_t canHold = static_cast<std::uint64_t>(raw.size()) * kMaxDeflateRatio;
        if (announced > canHold)
            throw DataError(path.string() + ": header says " + what + " (" + std::to_string(announced)
                            + " bytes) but a gzip stream of " + std::to_string(raw.size())
                            + " bytes inflates to at most " + std::to_string(canHold));
        constexpr std::uint64_t slack = 1 << 20;
        return gunzip(raw, path.string(), announced + slack);
    }
};

struct ImageHeader {
    std::uint64_t count = 0, rows = 0, cols = 0;
    std::uint64_t bytes() const { return 16 + count * rows * cols; }  // < 2^64: each factor < 2^32
    std::string text() const
    {
        return std::to_string(count) + " images of " + std::to_string(rows) + "x" + std::to_string(cols);
    }
};

ImageHeader imageHeader(const Bytes& bytes, const std::string& sourceName)
{
    checkMagic(bytes, imageMagic, 16, "image", sourceName);
    ImageHeader h{bigEndian32(bytes.data() + 4), bigEndian32(bytes.data() + 8), bigEndian32(bytes.data() + 12)};
    if (h.rows == 0 || h.cols == 0 || h.rows > 65535 || h.cols > 65535)
        throw DataError(sourceName + ": implausible image size " + std::to_string(h.rows) + "x" + std::to_string(h.cols)
                        + " in the IDX header (expected 1 to 65535 on each side)");
    return h;
}

std::uint64_t labelHeader(const Bytes& bytes, const std::string& sourceName)
{
    checkMagic(bytes, labelMagic, 8, "label", sourceName);
    return bigEndian32(bytes.data() + 4);
}

}  // namespace

void parseIdxImages(std::vector<std::uint8_t> bytes, const std::string& sourceName, ImageSet& into)
{
    constexpr std::size_t header = 16;
    const ImageHeader h = imageHeader(bytes, sourceName);
    const std::uint64_t count = h.count, rows = h.rows, cols = h.cols;
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

    // Both headers first: every size is checked against the files (and against each other)
    // before anything is inflated or allocated from it.
    IdxFile images(imagePath);
    IdxFile labels(labelPath);
    const ImageHeader ih = imageHeader(images.prefix(16), imagePath.string());
    const std::uint64_t labelCount = labelHeader(labels.prefix(8), labelPath.string());
    if (labelCount != ih.count)
        throw DataError(imagePath.string() + " holds " + std::to_string(ih.count) + " images but "
                        + labelPath.string() + " holds " + std::to_string(labelCount) + " labels");

    ImageSet set;
    parseIdxImages(images.contents(ih.bytes(), ih.text()), imagePath.string(), set);
    set.labels = parseIdxLabels(labels.contents(8 + labelCount, std::to_string(labelCount) + " labels"),
                                labelPath.string());
    const auto numClasses = static_cast<std::int64_t>(classNames.size());
    for (std::size_t i = 0; i < set.labels.size(); ++i)
        if (set.labels[i] >= numClasses)
            throw DataError(labelPath.string() + ": label " + std::to_string(set.labels[i]) + " at index "
                            + std::to_string(i) + " is out of range [0, " + std::to_string(numClasses) + ")");
    set.classNames = classNames;
    return set;
}

}  // namespace scns
