#pragma once
// Reading a user's text file line by line without trusting it: a "line" of gigabytes (a
// binary file, or one without newlines) stops with a DataError instead of filling memory.
#include <cstddef>
#include <istream>
#include <string>

namespace scns {

// Reads the next line (without its '\n') into line; false at the end of the input. A line
// longer than maxBytes throws DataError "<file>:<lineNo>: line longer than <maxBytes> bytes".
bool readBoundedLine(std::istream& in, std::string& line, std::size_t maxBytes, const std::string& file,
                     std::size_t lineNo);

}  // namespace scns
