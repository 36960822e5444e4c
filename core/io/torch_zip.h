#pragma once
// The zip container that torch.save (PyTorch >= 1.6), LibTorch's torch::pickle_save and
// TorchScript archives (torch::serialize::OutputArchive, torch.jit.save) share: every record
// lies under one top-level folder ("archive/", "resnet8x4/", ...) holding data.pkl, data/<key>
// storages and a version record. Read with LibTorch's own reader
// (caffe2::serialize::PyTorchStreamReader); record names here omit the top-level folder.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "io/file_bytes.h"

namespace caffe2::serialize {
class PyTorchStreamReader;
}

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
    // not laid out as torch.save writes (one top-level folder with a version record).
    explicit TorchZipArchive(const std::filesystem::path& file);
    ~TorchZipArchive();
    TorchZipArchive(const TorchZipArchive&) = delete;
    TorchZipArchive& operator=(const TorchZipArchive&) = delete;

    const std::filesystem::path& file() const { return m_file; }
    bool has(const std::string& record) const;
    // The record's bytes; CheckpointError naming file and record when absent or unreadable.
    Bytes read(const std::string& record) const;
    // Record names, without the top-level folder.
    std::vector<std::string> records() const;
    // TorchScript archives (our training checkpoints, torch.jit.save) carry constants.pkl and
    // code/; torch.save and torch::pickle_save files do not.
    bool isTorchScript() const;

private:
    std::filesystem::path m_file;
    std::unique_ptr<caffe2::serialize::PyTorchStreamReader> m_reader;
};

}  // namespace scns
