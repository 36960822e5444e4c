#include "io/torch_zip.h"

#include <array>
#include <cstring>
#include <fstream>

#include <caffe2/serialize/inline_container.h>

#include "common/errors.h"

namespace scns {

namespace {

// LibTorch's messages carry a C++ backtrace after the first line.
std::string firstLine(const std::string& what)
{
    return what.substr(0, what.find('\n'));
}

bool startsWith(const std::filesystem::path& file, const std::uint8_t* magic, std::size_t size)
{
    std::ifstream in(file, std::ios::binary);
    std::array<char, 16> head{};
    if (!in || size > head.size() || !in.read(head.data(), static_cast<std::streamsize>(size)))
        return false;
    return std::memcmp(head.data(), magic, size) == 0;
}

}  // namespace

bool hasZipMagic(const std::filesystem::path& file)
{
    static const std::uint8_t magic[] = {'P', 'K', 3, 4};
    return startsWith(file, magic, sizeof magic);
}

bool hasLegacyTorchMagic(const std::filesystem::path& file)
{
    // PROTO 2, LONG1 of 10 bytes: 0x1950a86a20f9469cfc6c little-endian.
    static const std::uint8_t magic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
    return startsWith(file, magic, sizeof magic);
}

TorchZipArchive::TorchZipArchive(const std::filesystem::path& file) : m_file(file)
{
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        throw CheckpointError(file.string() + ": file not found");
    if (std::filesystem::is_directory(file, ec))
        throw CheckpointError(file.string() + ": is a folder, expected a checkpoint file");
    if (!hasZipMagic(file)) {
        std::string msg = file.string() + ": not a PyTorch checkpoint (expected a zip archive written by torch.save)";
        if (hasLegacyTorchMagic(file))
            msg += "; it is in the legacy format of torch.save before PyTorch 1.6 (or with "
                   "_use_new_zipfile_serialization=False): load it in Python and torch.save it again";
        throw CheckpointError(msg);
    }
    try {
        m_reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(file.string());
    } catch (const std::exception& e) {
        throw CheckpointError(file.string() + ": cannot read the zip archive (truncated, damaged, or not written "
                              "by torch.save): " + firstLine(e.what()));
    }
}

TorchZipArchive::~TorchZipArchive() = default;

bool TorchZipArchive::has(const std::string& record) const
{
    try {
        return m_reader->hasRecord(record);
    } catch (const std::exception&) {
        return false;
    }
}

Bytes TorchZipArchive::read(const std::string& record) const
{
    if (!has(record))
        throw CheckpointError(m_file.string() + ": the archive has no record '" + record + "'");
    try {
        auto [data, size] = m_reader->getRecord(record);
        const auto* p = static_cast<const std::uint8_t*>(data.get());
        return Bytes(p, p + size);
    } catch (const std::exception& e) {
        throw CheckpointError(m_file.string() + ": cannot read record '" + record + "': " + firstLine(e.what()));
    }
}

std::vector<std::string> TorchZipArchive::records() const
{
    try {
        return m_reader->getAllRecords();
    } catch (const std::exception& e) {
        throw CheckpointError(m_file.string() + ": cannot list the archive: " + firstLine(e.what()));
    }
}

bool TorchZipArchive::isTorchScript() const
{
    return has("constants.pkl");
}

}  // namespace scns
