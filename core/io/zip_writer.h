#pragma once
// Writes the zip container torch.save uses: stored (uncompressed) entries whose data start on
// 64-byte boundaries (torch.load(mmap=True) maps them in place), zip64 records only when a size
// or offset needs them. Written to `<file>.partial`, flushed and renamed over `file` by
// finish(), so a kill or a full disk at any moment leaves the previous file intact; a writer
// destroyed without finish() removes its partial file.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace scns {

class ZipWriter {
public:
    // Throws CheckpointError naming the file when it cannot be created.
    explicit ZipWriter(const std::filesystem::path& file);
    ~ZipWriter();
    ZipWriter(const ZipWriter&) = delete;
    ZipWriter& operator=(const ZipWriter&) = delete;

    // Appends one entry. Throws CheckpointError naming the file (and the OS error) on failure.
    void add(const std::string& name, const void* data, std::uint64_t size);
    // Writes the directory, syncs and renames into place.
    void finish();

private:
    struct Written {
        std::string name;
        std::uint64_t size = 0;
        std::uint32_t crc = 0;
        std::uint64_t offset = 0;
    };
    [[noreturn]] void fail(const std::string& what);
    void put(const void* data, std::uint64_t size);

    std::filesystem::path m_file;
    std::filesystem::path m_partial;
    std::ofstream m_out;
    std::uint64_t m_pos = 0;
    std::vector<Written> m_written;
    bool m_finished = false;
};

}  // namespace scns
