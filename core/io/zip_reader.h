#pragma once
// A zip reader for files we did not write: the container of torch.save (PyTorch >= 1.6),
// torch::pickle_save, TorchScript archives and SCNS checkpoints. Our own, not miniz's through
// LibTorch, so that every size in the file is checked against the file before anything is
// allocated:
//   - the central directory must lie inside the file, entry by entry;
//   - a stored entry's size must equal its compressed size and lie inside the file;
//   - a deflated entry inflates into at most its declared size, which a caller bounds
//     (maxBytes) and which may not exceed what deflate can produce from its compressed bytes;
//   - CRC-32 is checked, so a corrupt record is reported rather than read.
// Zip64 sizes and offsets are understood; encrypted, multi-disk and other compression methods
// are refused. Every failure throws CheckpointError naming the file and the record.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io/file_bytes.h"

namespace scns {

struct ZipEntry {
    std::string name;
    std::uint16_t method = 0;           // 0 stored, 8 deflate
    std::uint64_t compressedSize = 0;
    std::uint64_t size = 0;             // uncompressed
    std::uint32_t crc32 = 0;
    std::uint64_t localHeaderOffset = 0;
};

class ZipReader {
public:
    // Opens the file and reads its central directory. Throws CheckpointError naming the file
    // when it is missing, a folder, not a zip archive, or its directory is malformed.
    explicit ZipReader(const std::filesystem::path& file);

    const std::filesystem::path& file() const { return m_file; }
    std::uint64_t fileSize() const { return m_fileSize; }
    const std::vector<ZipEntry>& entries() const { return m_entries; }
    // nullptr when absent.
    const ZipEntry* find(const std::string& name) const;

    // The entry's bytes, after checking its declared size against maxBytes and the file, its
    // data against its CRC-32. CheckpointError naming the file and the entry otherwise.
    Bytes read(const ZipEntry& entry, std::uint64_t maxBytes) const;

    // Archives with more entries than this are refused (torch.save writes one per storage).
    static constexpr std::uint64_t kMaxEntries = 1'000'000;

private:
    [[noreturn]] void fail(const std::string& what) const;
    void readDirectory();
    void readAt(std::uint64_t offset, void* out, std::uint64_t size) const;
    std::uint64_t dataOffset(const ZipEntry& entry) const;

    std::filesystem::path m_file;
    mutable std::ifstream m_in;
    std::uint64_t m_fileSize = 0;
    std::vector<ZipEntry> m_entries;
};

}  // namespace scns
