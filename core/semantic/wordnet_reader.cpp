// Parser for data.noun and index.noun (man 5 wndb). Lines starting with two spaces are the
// licence header; every other line is one record of space-separated fields.
#include "semantic/wordnet.h"

#include <charconv>
#include <string_view>

#include "common/errors.h"
#include "io/file_bytes.h"

namespace scns {

namespace {

// 'text' with quotes; built in steps because GCC 12 warns (-Wrestrict, a false positive) on
// "'" + std::string(...) + "'".
std::string quoted(std::string_view text)
{
    std::string out(1, '\'');
    out.append(text).push_back('\'');
    return out;
}

// Walks one record's fields; every failure names file, line and what was expected.
class FieldCursor {
public:
    FieldCursor(std::string_view line, const std::filesystem::path& file, std::size_t lineNo)
        : m_line(line), m_file(file), m_lineNo(lineNo)
    {
    }

    std::string_view next(const char* what)
    {
        while (m_pos < m_line.size() && m_line[m_pos] == ' ')
            ++m_pos;
        const std::size_t start = m_pos;
        while (m_pos < m_line.size() && m_line[m_pos] != ' ')
            ++m_pos;
        if (start == m_pos)
            fail(what, "end of line");
        return m_line.substr(start, m_pos - start);
    }

    std::uint64_t number(const char* what, int base = 10)
    {
        const std::string_view field = next(what);
        std::uint64_t value = 0;
        const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value, base);
        if (ec != std::errc() || end != field.data() + field.size())
            fail(what, quoted(field));
        return value;
    }

    [[noreturn]] void fail(const std::string& expected, const std::string& found) const
    {
        throw DataError(m_file.string() + ":" + std::to_string(m_lineNo) + ": expected " + expected
                        + ", found " + found);
    }

private:
    std::string_view m_line;
    const std::filesystem::path& m_file;
    std::size_t m_lineNo;
    std::size_t m_pos = 0;
};

std::string offsetText(std::uint32_t offset)
{
    std::string digits = std::to_string(offset);
    return std::string(digits.size() < 8 ? 8 - digits.size() : 0, '0') + digits;
}

// Calls f(line, lineNo) for every record line (header lines skipped).
template <typename F>
void forEachRecord(const Bytes& bytes, F&& f)
{
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    std::size_t pos = 0, lineNo = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        ++lineNo;
        std::string_view line = text.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (!line.empty() && line.front() != ' ')
            f(line, lineNo);
        pos = end + 1;
    }
}

}  // namespace

class WordNetReader {
public:
    static void readData(WordNet& wn, const std::filesystem::path& file)
    {
        const Bytes bytes = readFileBytes(file);
        // Parent edges hold raw offsets until every synset is known.
        std::vector<std::vector<std::uint32_t>> parentOffsets;
        wn.m_synsets.reserve(90000);
        parentOffsets.reserve(90000);
        forEachRecord(bytes, [&](std::string_view line, std::size_t lineNo) {
            FieldCursor c(line, file, lineNo);
            WordNet::Synset s;
            s.offset = static_cast<std::uint32_t>(c.number("an 8-digit synset offset"));
            c.number("a lexicographer file number");
            const std::string_view type = c.next("the synset type n");
            if (type != "n")
                c.fail("synset type n (a noun data file)", quoted(type));
            const auto words = c.number("a hexadecimal word count", 16);
            for (std::uint64_t w = 0; w < words; ++w) {
                s.lemmas.emplace_back(c.next("a word"));
                c.number("a hexadecimal lex_id", 16);
            }
            const auto pointers = c.number("a pointer count");
            std::vector<std::uint32_t> parents;
            for (std::uint64_t p = 0; p < pointers; ++p) {
                const std::string_view symbol = c.next("a pointer symbol");
                const auto target = static_cast<std::uint32_t>(c.number("a pointer target offset"));
                const std::string_view pos = c.next("a pointer part of speech");
                c.next("a pointer source/target field");
                if ((symbol == "@" || symbol == "@i") && pos == "n")
                    parents.push_back(target);
            }
            if (!wn.m_byOffset.emplace(s.offset, static_cast<SynsetId>(wn.m_synsets.size())).second)
                c.fail("a unique synset offset", "a second record at " + offsetText(s.offset));
            wn.m_synsets.push_back(std::move(s));
            parentOffsets.push_back(std::move(parents));
        });
        if (wn.m_synsets.empty())
            throw DataError(file.string() + ": expected noun synset records, found none");
        for (std::size_t i = 0; i < wn.m_synsets.size(); ++i)
            for (const std::uint32_t off : parentOffsets[i]) {
                const auto it = wn.m_byOffset.find(off);
                if (it == wn.m_byOffset.end())
                    throw DataError(file.string() + ": synset " + offsetText(wn.m_synsets[i].offset)
                                    + " names hypernym offset " + offsetText(off)
                                    + ", which has no record");
                wn.m_synsets[i].parents.push_back(it->second);
            }
    }

    static void readIndex(WordNet& wn, const std::filesystem::path& file)
    {
        const Bytes bytes = readFileBytes(file);
        wn.m_senses.reserve(130000);
        forEachRecord(bytes, [&](std::string_view line, std::size_t lineNo) {
            FieldCursor c(line, file, lineNo);
            const std::string lemma(c.next("a lemma"));
            const std::string_view pos = c.next("the part of speech n");
            if (pos != "n")
                c.fail("part of speech n (a noun index file)", quoted(pos));
            const auto synsetCount = c.number("a synset count");
            const auto pointerKinds = c.number("a pointer count");
            for (std::uint64_t p = 0; p < pointerKinds; ++p)
                c.next("a pointer symbol");
            c.number("a sense count");
            c.number("a tagged sense count");
            std::vector<SynsetId> senses;
            senses.reserve(synsetCount);
            for (std::uint64_t s = 0; s < synsetCount; ++s) {
                const auto off = static_cast<std::uint32_t>(c.number("a synset offset"));
                const auto it = wn.m_byOffset.find(off);
                if (it == wn.m_byOffset.end())
                    c.fail("an offset present in data.noun", offsetText(off));
                senses.push_back(it->second);
            }
            wn.m_senses[lemma] = std::move(senses);
        });
    }
};

WordNet WordNet::load(const std::filesystem::path& folder)
{
    WordNet wn;
    wn.m_folder = folder;
    WordNetReader::readData(wn, folder / "data.noun");
    WordNetReader::readIndex(wn, folder / "index.noun");
    wn.computeDepths();
    return wn;
}

}  // namespace scns
