#include "common/errors.h"

#include "common/message_text.h"

namespace scns {

namespace {

// A field or value as the message shows it: anything too long, not UTF-8 or holding control
// characters is escaped and cut (a 100 MB value must not become a 100 MB message).
std::string shown(const std::string& s)
{
    // Cut to 200 bytes, but only past 256: a value cut once (about 225 bytes with its
    // "... (N bytes)") passes unchanged when problems are gathered into a new ConfigError.
    constexpr std::size_t limit = 200;
    bool plain = s.size() <= limit + 56 && isValidUtf8(s);
    for (std::size_t i = 0; plain && i < s.size(); ++i)
        plain = static_cast<unsigned char>(s[i]) >= 0x20 && s[i] != 0x7f;
    return plain ? s : truncateForMessage(s, limit);
}

std::vector<FieldProblem> shownProblems(std::vector<FieldProblem> problems)
{
    for (auto& p : problems) {
        p.field = shown(p.field);
        p.value = shown(p.value);
    }
    return problems;
}

std::string describe(const std::vector<FieldProblem>& problems)
{
    std::string out = "invalid configuration (" + std::to_string(problems.size()) + " problem"
                      + (problems.size() == 1 ? "" : "s") + "):";
    for (const auto& p : problems)
        out += "\n  " + p.field + " = " + p.value + ": expected " + p.expected;
    return out;
}
}  // namespace

ConfigError::ConfigError(std::vector<FieldProblem> problems)
    : Error(describe(shownProblems(problems))), m_problems(shownProblems(std::move(problems)))
{
}

}  // namespace scns
