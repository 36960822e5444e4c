#include "common/message_text.h"

#include <cstdint>
#include <cstdio>
#include <sstream>

namespace scns {

namespace {

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 when it is ill-formed
// (RFC 3629 / Unicode table 3-7).
std::size_t utf8Length(std::string_view s, std::size_t i)
{
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    if (c < 0x80)
        return 1;
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;  // no UTF-16 surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;  // nothing above U+10FFFF
    } else {
        return 0;
    }
    if (i + n > s.size())
        return 0;
    if (b(i + 1) < lo || b(i + 1) > hi)
        return 0;
    for (std::size_t k = 2; k < n; ++k)
        if (b(i + k) < 0x80 || b(i + k) > 0xbf)
            return 0;
    return n;
}

void appendHex(std::string& out, unsigned char c)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out += buf;
}

// Escapes s into out until out would pass limit bytes; returns how many input bytes were used.
std::size_t escapeInto(std::string& out, std::string_view s, std::size_t limit)
{
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t n = utf8Length(s, i);
        std::string piece;
        if (n == 0) {
            appendHex(piece, static_cast<unsigned char>(s[i]));
        } else if (n == 1) {
            const unsigned char c = static_cast<unsigned char>(s[i]);
            if (c == '\n')
                piece = "\\n";
            else if (c == '\t')
                piece = "\\t";
            else if (c == '\r')
                piece = "\\r";
            else if (c == '\\')
                piece = "\\\\";
            else if (c < 0x20 || c == 0x7f)
                appendHex(piece, c);
            else
                piece = static_cast<char>(c);
        } else if (n == 2 && static_cast<unsigned char>(s[i]) == 0xc2
                   && static_cast<unsigned char>(s[i + 1]) < 0xa0) {
            // C1 controls U+0080-U+009F (U+009B is a one-byte CSI on some terminals)
            appendHex(piece, static_cast<unsigned char>(s[i]));
            appendHex(piece, static_cast<unsigned char>(s[i + 1]));
        } else {
            piece.assign(s.substr(i, n));
        }
        if (out.size() + piece.size() > limit)
            return i;
        out += piece;
        i += n == 0 ? 1 : n;
    }
    return i;
}

}  // namespace

bool isValidUtf8(std::string_view s)
{
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = utf8Length(s, i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

std::string replaceInvalidUtf8(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = utf8Length(s, i);
        if (n == 0) {
            out += "\xef\xbf\xbd";
            ++i;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    return out;
}

std::string escapeControl(std::string_view s)
{
    std::string out;
    escapeInto(out, s, std::string::npos);
    return out;
}

std::string truncateForMessage(std::string_view s, std::size_t maxChars)
{
    std::string out;
    const std::size_t used = escapeInto(out, s, maxChars);
    if (used < s.size())
        out += "... (" + std::to_string(s.size()) + " bytes)";
    return out;
}

std::string quoteForMessage(std::string_view s, std::size_t maxChars)
{
    std::string out;
    const std::size_t used = escapeInto(out, s, maxChars);
    if (used < s.size())
        return "'" + out + "...' (" + std::to_string(s.size()) + " bytes)";
    return "'" + out + "'";
}

std::string numberText(double v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}

std::string counted(long long n, std::string_view one, std::string_view many)
{
    return std::to_string(n) + ' ' + std::string(n == 1 ? one : many);
}

}  // namespace scns
