#pragma once
// Whole-file readers for data-set files. Every failure throws scns::DataError naming the file.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace scns {

using Bytes = std::vector<std::uint8_t>;

// The whole file. Throws DataError if it is missing, a directory, or cannot be read.
Bytes readFileBytes(const std::filesystem::path& path);

// True when the buffer starts with the gzip magic bytes 1f 8b.
bool hasGzipMagic(const Bytes& bytes);

// Inflates a gzip stream (several concatenated members are allowed, as gzip itself does).
// sourceName only labels error messages; truncated or corrupt data throws DataError.
Bytes gunzip(const Bytes& compressed, const std::string& sourceName);

// The file's contents, inflated if it starts with the gzip magic (whatever its name says).
Bytes readMaybeGzip(const std::filesystem::path& path);

}  // namespace scns
