#pragma once
// Configuration field names (keys of the settings table, train/run_settings.cpp) that the
// samplers and losses name in their ConfigErrors, and a helper to throw one.
#include <sstream>
#include <string>

#include "common/errors.h"

namespace scns::field {

inline constexpr const char* kSampler = "contrastive.sampler";
inline constexpr const char* kNegatives = "contrastive.negatives";
inline constexpr const char* kTau = "contrastive.tau";
inline constexpr const char* kMomentum = "contrastive.momentum";
inline constexpr const char* kFeatureDim = "contrastive.feature_dim";
inline constexpr const char* kEpsilon = "contrastive.epsilon";
inline constexpr const char* kClassSimilarity = "contrastive.class.similarity";
inline constexpr const char* kClassK = "contrastive.class.k";
inline constexpr const char* kInstanceK = "contrastive.instance.k";
inline constexpr const char* kInstanceTau = "contrastive.instance.tau";
inline constexpr const char* kMixupCount = "contrastive.mixup.count";
inline constexpr const char* kMixupAlpha = "contrastive.mixup.alpha";
// The in-batch (SupCon) batch builder: classes per batch are batch_size / samples per class.
inline constexpr const char* kSupConSamplesPerClass = "contrastive.supcon.samples_per_class";
inline constexpr const char* kSupConClassesPerBatch = "batch_size";

template <typename T>
std::string str(const T& v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}

[[noreturn]] inline void fail(const std::string& name, const std::string& value, const std::string& expected)
{
    throw ConfigError({FieldProblem{name, value, expected}});
}

}  // namespace scns::field
