#pragma once
// Parsing JSON that a user hands us (run configurations, experiment files) and echoing JSON
// values in messages. Every user JSON file goes through parseJsonText, so the limits hold
// everywhere at once.
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace scns {

// The deepest nesting a user file may use. Real configurations nest 3 levels; the limit
// keeps a hostile file from exhausting the stack in the parser or in what walks the result.
constexpr int kMaxJsonDepth = 64;

// How deeply the text nests arrays and objects (brackets inside strings do not count).
// Stops counting at stopAbove + 1; line and column (1-based) of the first bracket past
// stopAbove are stored when given.
int jsonNestingDepth(std::string_view text, int stopAbove, std::size_t* line = nullptr, std::size_t* column = nullptr);

// Parses text, first refusing nesting deeper than maxDepth. Throws ConfigError whose single
// problem names source, with nlohmann's text reduced to its position and reason (no
// "[json.exception...]" prefix, the echoed token quoted, truncated and made valid UTF-8).
nlohmann::json parseJsonText(const std::string& text, const std::string& source, int maxDepth = kMaxJsonDepth);

// A value for a message: compact JSON, invalid UTF-8 replaced (dump() would throw
// type_error.316), truncated to about maxChars. A number beyond a double's range, which the
// parser keeps as infinity and dump() prints as null, is named as such.
std::string jsonForMessage(const nlohmann::json& value, std::size_t maxChars = 80);

}  // namespace scns
