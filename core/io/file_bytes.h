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

// deflate's best ratio is about 1032:1, so no honest stream inflates to more than this.
constexpr std::uint64_t kMaxDeflateRatio = 1032;
// What gunzip allows when the caller knows nothing better: 1 GiB.
constexpr std::uint64_t kDefaultInflateLimit = std::uint64_t(1) << 30;

// Inflates a gzip stream (several concatenated members are allowed, as gzip itself does).
// sourceName only labels error messages; truncated or corrupt data throws DataError.
// The output is streamed and stops with a DataError naming the file and the limit as soon
// as it would pass maxOutput bytes: a 285 KB "label file" must not take gigabytes. The
// buffer grows with what was actually inflated, never from the gzip trailer's claim.
Bytes gunzip(const Bytes& compressed, const std::string& sourceName, std::uint64_t maxOutput = kDefaultInflateLimit);

// The first n bytes of the inflated stream (fewer if it is shorter), inflating no further:
// enough to read a header and derive the limit for the whole file from it.
Bytes gunzipPrefix(const Bytes& compressed, const std::string& sourceName, std::size_t n);

// The file's contents, inflated if it starts with the gzip magic (whatever its name says),
// at most maxOutput bytes of them.
Bytes readMaybeGzip(const std::filesystem::path& path, std::uint64_t maxOutput = kDefaultInflateLimit);

}  // namespace scns
