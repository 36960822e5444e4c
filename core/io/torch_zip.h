#pragma once
// The zip container that torch.save (PyTorch >= 1.6), LibTorch's torch::pickle_save,
// TorchScript archives (torch::serialize::OutputArchive, torch.jit.save) and SCNS checkpoints
// share: every record lies under one top-level folder ("archive/", "resnet8x4/", ...) holding
// data.pkl, data/<key> storages and a version record. Read with our own zip reader
// (io/zip_reader.h), never LibTorch's; record names here omit the top-level folder.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "io/file_bytes.h"
#include "io/zip_reader.h"

namespace scns {

// True when the file starts with a zip local-file header ("PK\3\4"). False for a missing or
// unreadable file.
bool hasZipMagic(const std::filesystem::path& file);

// True when the file starts as torch.save's legacy (pre-1.6, non-zip) format does: a pickled
// magic number 0x1950a86a20f9469cfc6c.
bool hasLegacyTorchMagic(const std::filesystem::path& file);

class TorchZipArchive {
public:
    // Throws CheckpointError naming the file when it is missing, is not a zip archive, or is
    // not laid out as torch.save writes (every record under one top-level folder).
    explicit TorchZipArchive(const std::filesystem::path& file);

    const std::filesystem::path& file() const { return m_zip.file(); }
    bool has(const std::string& record) const { return m_records.count(record) != 0; }
    // The record's declared (uncompressed) size; CheckpointError when absent.
    std::uint64_t size(const std::string& record) const;
    // The record's bytes, refused when it claims more than maxBytes; CheckpointError naming
    // file and record when absent, too large or corrupt.
    Bytes read(const std::string& record, std::uint64_t maxBytes = kMaxMetadataBytes) const;
    // TorchScript archives (our training checkpoints before format 2, torch.jit.save) carry
    // constants.pkl and code/; torch.save and torch::pickle_save files do not.
    bool isTorchScript() const;
    // The first method a TorchScript archive's code defines, as "code/<file>: def <name>", or
    // empty when its code only declares classes with attributes (what LibTorch's
    // serialize::OutputArchive writes). A file whose classes define methods (forward,
    // __setstate__) can only be interpreted by running its code, which we never do.
    std::string firstCodeDefinition() const;

    // data.pkl, version and code records are metadata: none legitimately exceeds this.
    static constexpr std::uint64_t kMaxMetadataBytes = std::uint64_t(256) << 20;

private:
    const ZipEntry& entry(const std::string& record) const;

    ZipReader m_zip;
    std::string m_prefix;                      // "archive/"
    std::map<std::string, std::size_t> m_records;  // name without prefix -> index in entries()
};

}  // namespace scns
