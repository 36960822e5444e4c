#pragma once
// The sources of the class similarity S (docs/method.md "Class similarity S"), as a run names them.
#include <string>
#include <vector>

namespace scns {

enum class ClassSimilaritySource {
    WordNet,    // Wu-Palmer of the classes' WordNet synsets
    Visual,     // cosine of class-mean embeddings of a reference network
    Confusion,  // symmetrised mean softmax of a reference network per true class
    File,       // a C x C CSV or a word-vector text file
};

// "wordnet", "visual", "confusion", "file" (in that order).
const std::vector<std::string>& classSimilaritySourceNames();
std::string toString(ClassSimilaritySource source);

// Exact, lower-case names only. Anything else throws ConfigError on `field` naming the value
// and the allowed names.
ClassSimilaritySource parseClassSimilaritySource(const std::string& name,
                                                 const std::string& field = "contrastive.class.similarity");

}  // namespace scns
