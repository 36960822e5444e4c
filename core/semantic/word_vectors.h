#pragma once
// Class vectors from a word-vector text file (the `file` source): GloVe or word2vec text
// format, i.e. lines "word v1 v2 ... vd", with an optional first line "count dim".
#include <filesystem>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace scns {

// The words of a class name: lower-cased, split on anything that is not an ASCII letter
// ("T-shirt/top" -> t, shirt, top; "aquarium_fish" -> aquarium, fish).
std::vector<std::string> classNameWords(const std::string& className);

// Limits on a word-vector file: published vectors have at most a few thousand dimensions
// and lines of a few kilobytes; anything past these is not such a file.
constexpr std::size_t kMaxWordVectorDim = 65536;
constexpr std::size_t kMaxWordVectorLineBytes = 4u << 20;

struct WordVectors {
    std::size_t dim = 0;
    std::unordered_map<std::string, std::vector<float>> vectors;  // lower-cased word -> d values
};

// The vectors of the wanted (lower-case) words only, so multi-gigabyte files stream through
// in constant memory; a file word is lower-cased and its first occurrence wins. A line whose
// word contains spaces (GloVe 840B has some) is read as "the last d fields are the vector".
// Throws DataError naming file and line for a short line, a bad number, NaN or infinity, a
// number beyond a float's range, a dimension different from the header's (or the first
// line's), a header dimension above kMaxWordVectorDim, or a line above kMaxWordVectorLineBytes.
WordVectors readWordVectors(const std::filesystem::path& file, const std::unordered_set<std::string>& wanted);

// One vector per class (row-major, classNames.size() x dim): the mean of the vectors of the
// class name's words found in the file; words not in the file are skipped. Throws DataError
// naming the file, and every class none of whose words has a vector, with its words.
std::vector<std::vector<float>> classWordVectors(const std::filesystem::path& file,
                                                 const std::vector<std::string>& classNames);

}  // namespace scns
