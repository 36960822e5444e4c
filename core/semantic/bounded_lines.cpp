#include "semantic/bounded_lines.h"

#include "common/errors.h"

namespace scns {

bool readBoundedLine(std::istream& in, std::string& line, std::size_t maxBytes, const std::string& file,
                     std::size_t lineNo)
{
    line.clear();
    std::streambuf* buf = in.rdbuf();
    bool any = false;
    while (true) {
        const auto c = buf->sbumpc();
        if (c == std::char_traits<char>::eof()) {
            in.setstate(std::ios::eofbit);
            return any;
        }
        any = true;
        if (c == '\n')
            return true;
        if (line.size() == maxBytes)
            throw DataError(file + ":" + std::to_string(lineNo) + ": line longer than " + std::to_string(maxBytes)
                            + " bytes (not a text file of the expected kind?)");
        line += static_cast<char>(c);
    }
}

}  // namespace scns
