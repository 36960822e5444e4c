#include "semantic/similarity_csv.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "common/errors.h"
#include "common/message_text.h"
#include "semantic/bounded_lines.h"

namespace scns {

namespace {

std::string trim(const std::string& s)
{
    const auto b = s.find_first_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// Splits one CSV line; a double-quoted cell may hold commas and "" for a quote.
std::vector<std::string> splitCsv(const std::string& line)
{
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"')
            cells.back() += line[++i];
        else if (c == '"')
            quoted = !quoted;
        else if (c == ',' && !quoted)
            cells.emplace_back();
        else
            cells.back() += c;
    }
    for (auto& cell : cells)
        cell = trim(cell);
    return cells;
}

bool parseNumber(const std::string& text, double& value)
{
    if (text.empty())
        return false;
    const char* begin = text.data() + (text.front() == '+' ? 1 : 0);
    const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range && end == text.data() + text.size()) {
        value = std::strtod(begin, nullptr);  // +-HUGE_VAL on overflow (refused), ~0 on underflow
        return true;
    }
    return ec == std::errc() && end == text.data() + text.size();
}

struct Row {
    std::size_t lineNo;
    std::vector<std::string> cells;
};

}  // namespace

std::vector<double> readSimilarityCsv(const std::filesystem::path& file, const std::vector<std::string>& classNames)
{
    std::ifstream in(file);
    if (!in)
        throw DataError(file.string() + ": expected a C x C similarity CSV, found no readable file");
    const std::size_t C = classNames.size();
    const std::string where = file.string() + ": ";
    auto at = [&](std::size_t line, std::size_t col) {
        return where + "line " + std::to_string(line) + ", column " + std::to_string(col) + ": expected ";
    };

    // A row holds C numbers and maybe a class name: a line much longer than that, or more
    // rows than a header and C data rows plus one (enough to say "too many"), is not read
    // any further.
    const std::size_t maxLine = (C + 1) * 1024 + 4096;
    const std::size_t maxRows = C + 2;
    std::vector<Row> rows;
    std::string line;
    bool moreRows = false;
    for (std::size_t lineNo = 1; readBoundedLine(in, line, maxLine, file.string(), lineNo); ++lineNo) {
        if (trim(line).empty())
            continue;
        if (rows.size() == maxRows) {
            moreRows = true;
            break;
        }
        rows.push_back({lineNo, splitCsv(line)});
    }
    if (rows.empty())
        throw DataError(where + "expected a " + std::to_string(C) + " x " + std::to_string(C) + " matrix, found no rows");

    double dummy = 0;
    // The first cell alone cannot tell a header row (it may be a header column's name or
    // empty), so look at the others.
    bool headerRow = false;
    for (std::size_t j = 1; j < rows.front().cells.size(); ++j)
        if (!rows.front().cells[j].empty() && !parseNumber(rows.front().cells[j], dummy))
            headerRow = true;
    const std::size_t firstData = headerRow ? 1 : 0;
    const bool headerColumn = firstData < rows.size() && !parseNumber(rows[firstData].cells.front(), dummy);
    const std::size_t colOffset = headerColumn ? 1 : 0;

    if (rows.size() - firstData != C || moreRows)
        throw DataError(where + "expected " + std::to_string(C) + " data rows (one per class), found "
                        + (moreRows ? "more than " : "") + std::to_string(rows.size() - firstData));
    if (headerRow) {
        const auto& names = rows.front().cells;
        if (names.size() != C + colOffset)
            throw DataError(where + "line " + std::to_string(rows.front().lineNo) + ": expected a header of "
                            + std::to_string(C) + " class names, found " + std::to_string(names.size() - colOffset));
        for (std::size_t j = 0; j < C; ++j)
            if (names[j + colOffset] != classNames[j])
                throw DataError(at(rows.front().lineNo, j + colOffset + 1) + "class '" + classNames[j] + "', found "
                                + quoteForMessage(names[j + colOffset]));
    }

    std::vector<double> out(C * C);
    for (std::size_t i = 0; i < C; ++i) {
        const Row& row = rows[firstData + i];
        if (row.cells.size() != C + colOffset)
            throw DataError(where + "line " + std::to_string(row.lineNo) + ": expected " + std::to_string(C)
                            + " numbers (one per class), found " + std::to_string(row.cells.size() - colOffset) + " cells");
        if (headerColumn && row.cells.front() != classNames[i])
            throw DataError(at(row.lineNo, 1) + "class '" + classNames[i] + "', found " + quoteForMessage(row.cells.front()));
        for (std::size_t j = 0; j < C; ++j) {
            const std::string& cell = row.cells[j + colOffset];
            double v = 0;
            if (!parseNumber(cell, v) || !std::isfinite(v))
                throw DataError(at(row.lineNo, j + colOffset + 1) + "a finite number, found " + quoteForMessage(cell)
                                + (std::isnan(v)                                       ? " (NaN)"
                                   : std::isinf(v) && cell.find_first_of("iI") != std::string::npos ? " (infinite)"
                                   : std::isinf(v) ? " (beyond the range of a double)"
                                                   : ""));
            out[i * C + j] = v;
        }
    }
    for (std::size_t i = 0; i < C; ++i)
        for (std::size_t j = i + 1; j < C; ++j)
            if (std::abs(out[i * C + j] - out[j * C + i]) > 1e-6)
                throw DataError(where + "expected a symmetric matrix, found row " + std::to_string(i + 1) + " column "
                                + std::to_string(j + 1) + " = " + std::to_string(out[i * C + j]) + " but row "
                                + std::to_string(j + 1) + " column " + std::to_string(i + 1) + " = "
                                + std::to_string(out[j * C + i]) + " (classes '" + classNames[i] + "' and '"
                                + classNames[j] + "')");
    return out;
}

}  // namespace scns
