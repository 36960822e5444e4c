#include "semantic/class_similarity_source.h"

#include "common/errors.h"

namespace scns {

const std::vector<std::string>& classSimilaritySourceNames()
{
    static const std::vector<std::string> names{"wordnet", "visual", "confusion", "file"};
    return names;
}

std::string toString(ClassSimilaritySource source)
{
    return classSimilaritySourceNames().at(static_cast<std::size_t>(source));
}

ClassSimilaritySource parseClassSimilaritySource(const std::string& name, const std::string& field)
{
    const auto& names = classSimilaritySourceNames();
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name)
            return static_cast<ClassSimilaritySource>(i);
    throw ConfigError({{field, name.empty() ? "\"\"" : name, "wordnet, visual, confusion or file"}});
}

}  // namespace scns
