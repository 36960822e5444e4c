#include "common/qt_text.h"

namespace scns {

std::vector<std::string> toStdStrings(const QStringList& l)
{
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(l.size()));
    for (const auto& s : l)
        out.push_back(s.toStdString());
    return out;
}

}  // namespace scns
