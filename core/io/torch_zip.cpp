#include "io/torch_zip.h"

#include <array>
#include <cctype>
#include <cstring>
#include <fstream>

#include "common/errors.h"

namespace scns {

namespace {

const std::uint8_t kLegacyMagic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
                                     0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};

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
    return startsWith(file, kLegacyMagic, sizeof kLegacyMagic);
}

TorchZipArchive::TorchZipArchive(const std::filesystem::path& file) : m_zip(file)
{
    const auto& entries = m_zip.entries();
    if (entries.empty())
        throw CheckpointError(file.string() + ": the zip archive is empty (expected a file written by torch.save)");
    const std::string& first = entries.front().name;
    const auto slash = first.find('/');
    if (slash == std::string::npos || slash == 0)
        throw CheckpointError(file.string() + ": not laid out as torch.save writes: record '" + first
                              + "' is not inside a top-level folder");
    m_prefix = first.substr(0, slash + 1);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::string& name = entries[i].name;
        if (name.compare(0, m_prefix.size(), m_prefix) != 0)
            throw CheckpointError(file.string() + ": not laid out as torch.save writes: records under both '"
                                  + m_prefix + "' and '" + name.substr(0, name.find('/') + 1) + "'");
        m_records.emplace(name.substr(m_prefix.size()), i);
    }
}

const ZipEntry& TorchZipArchive::entry(const std::string& record) const
{
    const auto it = m_records.find(record);
    if (it == m_records.end())
        throw CheckpointError(file().string() + ": the archive has no record '" + record + "'");
    return m_zip.entries()[it->second];
}

std::uint64_t TorchZipArchive::size(const std::string& record) const
{
    return entry(record).size;
}

Bytes TorchZipArchive::read(const std::string& record, std::uint64_t maxBytes) const
{
    return m_zip.read(entry(record), maxBytes);
}

bool TorchZipArchive::isTorchScript() const
{
    if (has("constants.pkl"))
        return true;
    for (const auto& [name, index] : m_records)
        if (name.compare(0, 5, "code/") == 0)
            return true;
    return false;
}

std::string TorchZipArchive::firstCodeDefinition() const
{
    // TorchScript's serialized code is Python syntax; a method is a line starting with "def"
    // after indentation. Anything that is not a .py or .debug_pkl under code/ is refused too.
    for (const auto& [name, index] : m_records) {
        if (name.compare(0, 5, "code/") != 0)
            continue;
        const bool py = name.size() > 3 && name.compare(name.size() - 3, 3, ".py") == 0;
        const bool debug = name.size() > 10 && name.compare(name.size() - 10, 10, ".debug_pkl") == 0;
        if (debug)
            continue;
        if (!py)
            return name + ": not TorchScript source";
        const Bytes bytes = read(name, std::uint64_t(4) << 20);
        for (std::size_t pos = 0; pos < bytes.size();) {
            std::size_t i = pos;
            while (i < bytes.size() && (bytes[i] == ' ' || bytes[i] == '\t'))
                ++i;
            if (bytes.size() - i > 4 && std::memcmp(&bytes[i], "def", 3) == 0
                && (bytes[i + 3] == ' ' || bytes[i + 3] == '\t')) {
                std::size_t b = i + 4;
                while (b < bytes.size() && (bytes[b] == ' ' || bytes[b] == '\t'))
                    ++b;
                std::size_t e = b;
                while (e < bytes.size() && e - b < 64 && (std::isalnum(bytes[e]) || bytes[e] == '_'))
                    ++e;
                return name + ": def " + std::string(bytes.begin() + static_cast<std::ptrdiff_t>(b),
                                                     bytes.begin() + static_cast<std::ptrdiff_t>(e));
            }
            while (i < bytes.size() && bytes[i] != '\n')
                ++i;
            pos = i + 1;
        }
    }
    return {};
}

}  // namespace scns
