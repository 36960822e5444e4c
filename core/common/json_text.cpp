#include "common/json_text.h"

#include <cmath>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "common/message_text.h"

namespace scns {

int jsonNestingDepth(std::string_view text, int stopAbove, std::size_t* line, std::size_t* column)
{
    int depth = 0, deepest = 0;
    bool inString = false, escaped = false;
    std::size_t ln = 1, col = 0;
    for (const char c : text) {
        ++col;
        if (c == '\n') {
            ++ln;
            col = 0;
        }
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest) {
                deepest = depth;
                if (deepest > stopAbove) {
                    if (line)
                        *line = ln;
                    if (column)
                        *column = col;
                    return deepest;
                }
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

namespace {

using nlohmann::json;

// Builds the document as nlohmann's own DOM parser does, while tracking the path of the
// value being read ("optim.lr", "students[2].label"), so a number that overflows a double
// (the parser stops with out_of_range.406) is reported against its field.
class PathTrackingSax {
public:
    explicit PathTrackingSax(json& result) : m_dom(result, true) {}

    bool null() { return done(m_dom.null()); }
    bool boolean(bool v) { return done(m_dom.boolean(v)); }
    bool number_integer(json::number_integer_t v) { return done(m_dom.number_integer(v)); }
    bool number_unsigned(json::number_unsigned_t v) { return done(m_dom.number_unsigned(v)); }
    bool number_float(json::number_float_t v, const json::string_t& s) { return done(m_dom.number_float(v, s)); }
    bool string(json::string_t& v) { return done(m_dom.string(v)); }
    bool binary(json::binary_t& v) { return done(m_dom.binary(v)); }
    bool start_object(std::size_t n)
    {
        m_levels.push_back({false, 0, {}});
        return m_dom.start_object(n);
    }
    bool key(json::string_t& k)
    {
        m_levels.back().key = k;
        return m_dom.key(k);
    }
    bool end_object()
    {
        m_levels.pop_back();
        return done(m_dom.end_object());
    }
    bool start_array(std::size_t n)
    {
        m_levels.push_back({true, 0, {}});
        return m_dom.start_array(n);
    }
    bool end_array()
    {
        m_levels.pop_back();
        return done(m_dom.end_array());
    }
    // A template, as nlohmann's own: the DOM parser rethrows the concrete exception type.
    template <class Exception>
    bool parse_error(std::size_t position, const std::string& lastToken, const Exception& e)
    {
        m_errorPath = path();
        return m_dom.parse_error(position, lastToken, e);  // throws e
    }

    const std::string& errorPath() const { return m_errorPath; }

private:
    struct Level {
        bool array;
        std::size_t count;
        std::string key;
    };

    bool done(bool ok)
    {
        if (!m_levels.empty() && m_levels.back().array)
            ++m_levels.back().count;
        return ok;
    }

    std::string path() const
    {
        std::string out;
        for (const Level& l : m_levels) {
            if (l.array) {
                out += '[';
                out += std::to_string(l.count);
                out += ']';
            } else {
                if (!out.empty())
                    out += '.';
                out += l.key;
            }
        }
        return out;
    }

    nlohmann::detail::json_sax_dom_parser<json> m_dom;
    std::vector<Level> m_levels;
    std::string m_errorPath;
};

}  // namespace

nlohmann::json parseJsonText(const std::string& text, const std::string& source, int maxDepth)
{
    std::size_t line = 0, column = 0;
    if (jsonNestingDepth(text, maxDepth, &line, &column) > maxDepth)
        throw ConfigError({{source, "(file contents)",
                            "JSON nested at most " + std::to_string(maxDepth) + " levels deep, found more than "
                                + std::to_string(maxDepth) + " levels at line " + std::to_string(line) + ", column "
                                + std::to_string(column)}});
    json result;
    PathTrackingSax sax(result);
    try {
        json::sax_parse(text, &sax);
        return result;
    } catch (const nlohmann::json::out_of_range& e) {
        // 406: "number overflow parsing '1e999'"; the parser keeps no such value.
        std::string what = e.what();
        std::string token;
        if (const auto q = what.find('\''); q != std::string::npos)
            token = what.substr(q + 1, what.size() - q - 2);
        throw ConfigError({{sax.errorPath().empty() ? source : source + ": " + sax.errorPath(),
                            token.empty() ? "(a number)" : truncateForMessage(token, 40),
                            "a number within the range of a double (the number overflows)"}});
    } catch (const nlohmann::json::parse_error& e) {
        // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while
        // parsing value - invalid literal; last read: '<token>'": keep position and reason,
        // and quote the token ourselves (it may be huge or not UTF-8).
        std::string what = e.what();
        if (const auto close = what.find("] "); what.rfind("[json.exception.", 0) == 0 && close != std::string::npos)
            what.erase(0, close + 2);
        std::string token;
        if (const auto lastRead = what.find("; last read: '"); lastRead != std::string::npos) {
            token = what.substr(lastRead + 14);
            if (!token.empty() && token.back() == '\'')
                token.pop_back();
            what.erase(lastRead);
        }
        std::string expected = "valid JSON: " + truncateForMessage(what, 200);
        if (!token.empty())
            expected += " (last read: " + quoteForMessage(token, 40) + ")";
        throw ConfigError({{source, "(file contents)", expected}});
    }
}

std::string jsonForMessage(const nlohmann::json& value, std::size_t maxChars)
{
    if (value.is_number_float() && !std::isfinite(value.get<double>()))
        return "a number beyond the range of a double (overflow, e.g. 1e999)";
    // dump() escapes control characters itself; only the length needs bounding.
    const std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (text.size() <= maxChars)
        return text;
    std::size_t cut = maxChars;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80)
        --cut;  // not inside a UTF-8 sequence
    return text.substr(0, cut) + "... (" + std::to_string(text.size()) + " bytes)";
}

}  // namespace scns
