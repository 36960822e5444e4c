#include "semantic/word_vectors.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <string_view>

#include "common/errors.h"
#include "common/message_text.h"
#include "semantic/bounded_lines.h"

namespace scns {

namespace {

std::vector<std::string_view> splitSpaces(std::string_view line)
{
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (pos < line.size()) {
        while (pos < line.size() && std::isspace(static_cast<unsigned char>(line[pos])))
            ++pos;
        const std::size_t start = pos;
        while (pos < line.size() && !std::isspace(static_cast<unsigned char>(line[pos])))
            ++pos;
        if (pos > start)
            out.push_back(line.substr(start, pos - start));
    }
    return out;
}

bool parseSize(std::string_view s, std::size_t& v)
{
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size();
}

std::string lower(std::string s)
{
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

std::vector<std::string> classNameWords(const std::string& className)
{
    std::vector<std::string> words(1);
    for (const char c : className) {
        if (std::isalpha(static_cast<unsigned char>(c)))
            words.back() += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        else if (!words.back().empty())
            words.emplace_back();
    }
    if (words.back().empty())
        words.pop_back();
    return words;
}

WordVectors readWordVectors(const std::filesystem::path& file, const std::unordered_set<std::string>& wanted)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw DataError(file.string() + ": expected a word-vector text file, found no readable file");
    WordVectors out;
    std::string line;
    for (std::size_t lineNo = 1; readBoundedLine(in, line, kMaxWordVectorLineBytes, file.string(), lineNo); ++lineNo) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        const auto fields = splitSpaces(line);
        if (fields.empty())
            continue;
        const std::string where = file.string() + ":" + std::to_string(lineNo) + ": expected ";
        std::size_t count = 0, dim = 0;
        if (lineNo == 1 && fields.size() == 2 && parseSize(fields[0], count) && parseSize(fields[1], dim)) {
            if (dim == 0 || dim > kMaxWordVectorDim)
                throw DataError(where + "a word2vec header \"count dim\" with dim in [1, "
                                + std::to_string(kMaxWordVectorDim) + "], found dim " + truncateForMessage(fields[1]));
            out.dim = dim;  // word2vec header "count dim"
            continue;
        }
        if (out.dim == 0)
            out.dim = fields.size() - 1;
        if (out.dim == 0 || fields.size() < out.dim + 1)
            throw DataError(where + "a word and " + std::to_string(out.dim) + " numbers, found "
                            + std::to_string(fields.size()) + " fields");
        const std::size_t wordFields = fields.size() - out.dim;
        const char* wordEnd = fields[wordFields - 1].data() + fields[wordFields - 1].size();
        std::string word = lower(std::string(fields[0].data(), wordEnd));
        if (!wanted.count(word) || out.vectors.count(word))
            continue;
        std::vector<float> v(out.dim);
        for (std::size_t i = 0; i < out.dim; ++i) {
            const auto f = fields[wordFields + i];
            const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v[i]);
            if (ec == std::errc::result_out_of_range)
                throw DataError(where + "a number in field " + std::to_string(wordFields + i + 1)
                                + " within the range of a float, found " + quoteForMessage(f, 40) + " (overflow)");
            if (ec != std::errc() || end != f.data() + f.size())
                throw DataError(where + "a number in field " + std::to_string(wordFields + i + 1) + ", found "
                                + quoteForMessage(f, 40));
            if (!std::isfinite(v[i]))
                throw DataError(where + "a finite number in field " + std::to_string(wordFields + i + 1)
                                + " (vector of " + quoteForMessage(word, 40) + "), found " + quoteForMessage(f, 40));
        }
        out.vectors.emplace(std::move(word), std::move(v));
    }
    return out;
}

std::vector<std::vector<float>> classWordVectors(const std::filesystem::path& file,
                                                 const std::vector<std::string>& classNames)
{
    std::vector<std::vector<std::string>> words;
    std::unordered_set<std::string> wanted;
    for (const auto& name : classNames) {
        words.push_back(classNameWords(name));
        wanted.insert(words.back().begin(), words.back().end());
    }
    const WordVectors wv = readWordVectors(file, wanted);

    std::vector<std::vector<float>> out;
    std::string missing;
    for (std::size_t c = 0; c < classNames.size(); ++c) {
        std::vector<double> sum(wv.dim, 0.0);
        int found = 0;
        for (const auto& w : words[c])
            if (const auto it = wv.vectors.find(w); it != wv.vectors.end()) {
                for (std::size_t i = 0; i < wv.dim; ++i)
                    sum[i] += it->second[i];
                ++found;
            }
        if (found == 0) {
            std::string list;
            for (const auto& w : words[c])
                list += (list.empty() ? "" : ", ") + w;
            missing += (missing.empty() ? "'" : "; '") + classNames[c] + "' (words: " + list + ")";
            continue;
        }
        out.emplace_back(sum.begin(), sum.end());
        for (float& x : out.back())
            x /= static_cast<float>(found);
    }
    if (!missing.empty())
        throw DataError(file.string() + ": expected a vector for at least one word of every class, found none for "
                        + missing);
    return out;
}

}  // namespace scns
