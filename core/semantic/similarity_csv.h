#pragma once
// A class similarity matrix given as a CSV file (the `file` source).
#include <filesystem>
#include <string>
#include <vector>

namespace scns {

// Reads a C x C matrix of numbers, C = classNames.size(), returned row-major (C*C values).
// Optional header row and/or header column of class names: a first row with any cell that is
// not a number is a header row, a first cell that is not a number makes the first column a
// header column; header names must equal classNames in order. Comma-separated, cells may be
// double-quoted, blank lines ignored. The matrix must be symmetric within 1e-6 (S is a
// similarity; an asymmetric file is refused rather than silently symmetrised).
// Every problem throws DataError naming the file, the line (row) and column (1-based, as in a
// spreadsheet) and what was expected.
std::vector<double> readSimilarityCsv(const std::filesystem::path& file, const std::vector<std::string>& classNames);

}  // namespace scns
