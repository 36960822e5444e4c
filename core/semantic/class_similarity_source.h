#pragma once
// The sources of the class similarity S (docs/method.md), as a run names them.
#include <string>
#include <vector>

#include "common/choices.h"

namespace scns {

// ClassSimilaritySource (wordnet, visual, confusion, file): common/choices.h.

// "wordnet", "visual", "confusion", "file" (in that order).
const std::vector<std::string>& classSimilaritySourceNames();

// Exact, lower-case names only. Anything else throws ConfigError on `field` naming the value
// and the allowed names.
ClassSimilaritySource parseClassSimilaritySource(const std::string& name,
                                                 const std::string& field = "contrastive.class.similarity");

}  // namespace scns
