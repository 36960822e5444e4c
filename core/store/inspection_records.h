#pragma once
// What a contrastive run records for a user to inspect (schema v2): class similarity
// matrices and the negatives drawn for a fixed probe set of anchors.
#include <cstdint>
#include <string>
#include <vector>

namespace scns {

struct ClassSimilarityRecord {
    std::int64_t id = 0;
    std::int64_t runId = 0;
    std::int64_t epoch = 0;  // 0: built before training; N: refreshed after epoch N
    std::string source;      // wordnet | visual | confusion | file
    std::vector<std::string> classNames;
    std::vector<float> matrix;  // C x C, row-major
    std::string createdAt;
};

struct ProbeNegativeRow {
    std::int64_t epoch = 0;
    std::int64_t anchorIndex = 0;  // training-set index of the probe anchor
    std::int64_t anchorClass = 0;
    std::int64_t slot = 0;         // position among the anchor's draws
    std::string kind = "negative"; // negative | pseudo
    std::int64_t sampleIndex = -1; // negatives: training-set index; pseudo: -1
    std::int64_t sampleClass = -1; // negatives: its class; pseudo: -1
    double similarity = 0;         // cosine to the anchor's embedding
    bool fromTopK = false;         // drawn from the semantic distribution (not the epsilon share)
    std::int64_t sourceA = -1;     // pseudo: training-set index of source a, -1 = the anchor
    std::int64_t sourceB = -1;
    double lambda = 0;             // pseudo: mixing weight of source a
};

// The confusion matrix of the test split after an epoch (schema v3).
struct TestConfusionRecord {
    std::int64_t epoch = 0;  // 1-based
    std::vector<std::string> classNames;
    std::vector<std::int64_t> counts;  // C x C row-major: row = true class, column = predicted class
};

}  // namespace scns
