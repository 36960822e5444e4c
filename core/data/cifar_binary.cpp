// The binary version: fixed-size records of label byte(s) + 3072 pixel bytes, and class
// names one per line in text files.
#include "common/errors.h"
#include "data/cifar_formats.h"
#include "io/file_bytes.h"

namespace scns::cifar {

namespace {

// The name files hold 10, 20 or 100 short lines: anything past 1 MB is not one.
constexpr std::uintmax_t maxNameFileBytes = 1u << 20;

std::vector<std::string> readNameFile(const std::filesystem::path& path)
{
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (!ec && size > maxNameFileBytes)
        throw DataError(path.string() + ": " + std::to_string(size) + " bytes, more than the "
                        + std::to_string(maxNameFileBytes) + " a CIFAR class-name file may hold");
    const Bytes bytes = readFileBytes(path);
    std::vector<std::string> names;
    std::string line;
    auto flush = [&] {
        const auto begin = line.find_first_not_of(" \t\r");
        if (begin != std::string::npos)
            names.push_back(line.substr(begin, line.find_last_not_of(" \t\r") - begin + 1));
        line.clear();
    };
    for (const std::uint8_t c : bytes) {
        if (c == '\n')
            flush();
        else
            line += static_cast<char>(c);
    }
    flush();
    return names;
}

}  // namespace

ImageSet readBinary(const std::filesystem::path& versionFolder, CifarVariant variant, Split split)
{
    const bool is100 = variant == CifarVariant::Cifar100;
    const std::int64_t labelBytes = is100 ? 2 : 1;  // CIFAR-100: coarse label, then fine label
    const std::int64_t recordSize = labelBytes + imageBytes;

    ImageSet set;
    set.channels = 3;
    set.height = side;
    set.width = side;
    if (is100) {
        const auto fine = versionFolder / "fine_label_names.txt";
        const auto coarse = versionFolder / "coarse_label_names.txt";
        set.classNames = readNameFile(fine);
        checkNameCount(set.classNames, numFine, fine.string(), "fine class names");
        set.coarseClassNames = readNameFile(coarse);
        checkNameCount(set.coarseClassNames, numCoarse, coarse.string(), "coarse class names");
    } else {
        const auto meta = versionFolder / "batches.meta.txt";
        set.classNames = readNameFile(meta);
        checkNameCount(set.classNames, numClasses10, meta.string(), "class names");
    }

    for (const std::string& batch : batchNames(variant, split)) {
        const std::filesystem::path path = versionFolder / (batch + ".bin");
        const Bytes bytes = readFileBytes(path);
        const auto size = static_cast<std::int64_t>(bytes.size());
        if (size == 0)
            throw DataError(path.string() + ": empty file, expected " + std::to_string(recordSize) + "-byte records");
        if (size % recordSize != 0)
            throw DataError(path.string() + ": truncated: " + std::to_string(size) + " bytes is not a whole number of "
                            + std::to_string(recordSize) + "-byte records (" + std::to_string(size / recordSize)
                            + " records and " + std::to_string(size % recordSize) + " bytes)");
        const std::int64_t records = size / recordSize;
        std::vector<std::int64_t> fine(records), coarse(is100 ? records : 0);
        set.pixels.reserve(set.pixels.size() + records * imageBytes);
        for (std::int64_t r = 0; r < records; ++r) {
            const std::uint8_t* record = bytes.data() + r * recordSize;
            if (is100)
                coarse[r] = record[0];
            fine[r] = record[labelBytes - 1];
            set.pixels.insert(set.pixels.end(), record + labelBytes, record + recordSize);
        }
        checkLabels(fine, static_cast<std::int64_t>(set.classNames.size()), path.string(),
                    is100 ? "fine label" : "label");
        if (is100)
            checkLabels(coarse, numCoarse, path.string(), "coarse label");
        set.labels.insert(set.labels.end(), fine.begin(), fine.end());
        set.coarseLabels.insert(set.coarseLabels.end(), coarse.begin(), coarse.end());
        set.count += records;
    }
    return set;
}

}  // namespace scns::cifar
