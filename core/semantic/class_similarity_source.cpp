#include "semantic/class_similarity_source.h"

#include "common/errors.h"

namespace scns {

const std::vector<std::string>& classSimilaritySourceNames()
{
    static const std::vector<std::string> names = choiceNames<ClassSimilaritySource>();
    return names;
}

ClassSimilaritySource parseClassSimilaritySource(const std::string& name, const std::string& field)
{
    if (const auto source = parseChoice<ClassSimilaritySource>(name))
        return *source;
    throw ConfigError({{field, name.empty() ? "\"\"" : name, joinChoices(classSimilaritySourceNames())}});
}

}  // namespace scns
