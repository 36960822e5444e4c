#pragma once
// Text from files and users, made safe to put in messages and on terminals: valid UTF-8,
// no control characters, and never longer than a screenful however large the input.
#include <cstddef>
#include <string>
#include <string_view>

namespace scns {

// True when s is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool isValidUtf8(std::string_view s);

// s with each ill-formed UTF-8 sequence replaced by U+FFFD; valid text is returned unchanged.
std::string replaceInvalidUtf8(std::string_view s);

// s for a terminal: control characters (C0, DEL, C1) and ill-formed UTF-8 bytes are written
// as \n, \t, \r or \xNN escapes (a backslash as \\), so a run named "\x1b[2J" cannot clear
// the screen or move the cursor. Printable UTF-8 passes through.
std::string escapeControl(std::string_view s);

// s for an error message: escaped as escapeControl does, cut to at most maxChars bytes of
// escaped text (never inside a UTF-8 sequence) with "... (N bytes)" telling the full size,
// and wrapped in single quotes. A 100 MB value thus stays a one-line message.
std::string quoteForMessage(std::string_view s, std::size_t maxChars = 80);

// A number as an ostream writes it by default (0.1, 1e-05, 600): the short form messages use.
std::string numberText(double v);

// A count with its noun in the right number: counted(1, "run", "runs") is "1 run", 0 and 2 give
// "0 runs" and "2 runs" (messages said "1 run(s)").
std::string counted(long long n, std::string_view one, std::string_view many);

// As quoteForMessage without the quotes (for text that has its own, e.g. JSON).
std::string truncateForMessage(std::string_view s, std::size_t maxChars = 80);

}  // namespace scns
