#include "data/cifar.h"

#include "common/errors.h"
#include "common/message_text.h"
#include "data/cifar_formats.h"

#include <array>

namespace scns {

namespace {

struct VersionInfo {
    const char* subfolder;
    CifarFormat format;
    std::array<const char*, 3> markers;  // any one present identifies the version
};

std::array<VersionInfo, 2> versions(CifarVariant variant)
{
    if (variant == CifarVariant::Cifar10)
        return {{{"cifar-10-batches-bin", CifarFormat::Binary, {"data_batch_1.bin", "test_batch.bin", "batches.meta.txt"}},
                 {"cifar-10-batches-py", CifarFormat::Python, {"data_batch_1", "test_batch", "batches.meta"}}}};
    return {{{"cifar-100-binary", CifarFormat::Binary, {"train.bin", "test.bin", "fine_label_names.txt"}},
             {"cifar-100-python", CifarFormat::Python, {"train", "test", "meta"}}}};
}

bool holdsVersion(const std::filesystem::path& folder, const VersionInfo& version)
{
    std::error_code ec;
    for (const char* marker : version.markers)
        if (std::filesystem::is_regular_file(folder / marker, ec))
            return true;
    return false;
}

}  // namespace

namespace cifar {

std::vector<std::string> batchNames(CifarVariant variant, Split split)
{
    if (variant == CifarVariant::Cifar100)
        return {split == Split::Train ? "train" : "test"};
    if (split == Split::Test)
        return {"test_batch"};
    return {"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"};
}

void checkLabels(const std::vector<std::int64_t>& labels, std::int64_t numClasses, const std::string& sourceName,
                 const char* what)
{
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] < 0 || labels[i] >= numClasses)
            throw DataError(sourceName + ": " + what + " " + std::to_string(labels[i]) + " at index " + std::to_string(i)
                            + " is out of range [0, " + std::to_string(numClasses) + ")");
}

void checkNameCount(const std::vector<std::string>& names, std::int64_t expected, const std::string& sourceName,
                    const char* what)
{
    if (static_cast<std::int64_t>(names.size()) != expected)
        throw DataError(sourceName + ": expected " + std::to_string(expected) + " " + what + ", found "
                        + std::to_string(names.size()));
    // Names are stored as JSON and shown: they must be text.
    for (std::size_t i = 0; i < names.size(); ++i)
        if (!isValidUtf8(names[i]))
            throw DataError(sourceName + ": " + what + " " + std::to_string(i + 1) + " is not valid UTF-8: "
                            + quoteForMessage(names[i]));
}

}  // namespace cifar

CifarLocation locateCifar(const std::filesystem::path& folder, CifarVariant variant)
{
    const auto known = versions(variant);
    for (const VersionInfo& v : known)
        if (holdsVersion(folder, v))
            return {folder, v.format};
    for (const VersionInfo& v : known)
        if (holdsVersion(folder / v.subfolder, v))
            return {folder / v.subfolder, v.format};

    const char* name = variant == CifarVariant::Cifar10 ? "CIFAR-10" : "CIFAR-100";
    std::string message = folder.string() + ": no " + name + " data found; looked for ";
    for (std::size_t i = 0; i < known.size(); ++i) {
        message += i ? " or " : "";
        for (std::size_t k = 0; k < known[i].markers.size(); ++k)
            message += std::string(k ? ", " : "") + known[i].markers[k];
        message += known[i].format == CifarFormat::Binary ? " (binary version)" : " (Python version)";
    }
    message += " in " + folder.string() + ", " + (folder / known[0].subfolder).string() + " and "
               + (folder / known[1].subfolder).string();
    throw DataError(message);
}

ImageSet readCifar(const std::filesystem::path& folder, CifarVariant variant, Split split)
{
    const CifarLocation location = locateCifar(folder, variant);
    return location.format == CifarFormat::Binary ? cifar::readBinary(location.folder, variant, split)
                                                  : cifar::readPython(location.folder, variant, split);
}

ImageSet readCifar10(const std::filesystem::path& folder, Split split)
{
    return readCifar(folder, CifarVariant::Cifar10, split);
}

ImageSet readCifar100(const std::filesystem::path& folder, Split split)
{
    return readCifar(folder, CifarVariant::Cifar100, split);
}

}  // namespace scns
