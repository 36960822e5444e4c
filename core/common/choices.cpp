#include "common/choices.h"

namespace scns {

std::string joinChoices(const std::vector<std::string>& names, std::string_view lastJoin)
{
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0)
            out += i + 1 == names.size() ? std::string(lastJoin) : std::string(", ");
        out += names[i];
    }
    return out;
}

}  // namespace scns
