#include "common/errors.h"

namespace scns {

namespace {
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
    : Error(describe(problems)), m_problems(std::move(problems))
{
}

}  // namespace scns
