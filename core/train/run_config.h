#pragma once
// A run's whole configuration: one validated struct, read from and written to JSON.
// JSON keys are snake_case and grouped as in the struct; unknown keys are errors (typos
// must not silently fall back to defaults).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace scns {

struct DataConfig {
    std::string dataset = "fashion-mnist";
    std::string folder;                 // empty: the data set's default folder, if it has one
    std::int64_t trainPerClass = 0;     // 0: all training images; else at most this many per class
    std::int64_t testPerClass = 0;      // 0: the whole test split
    std::optional<std::int64_t> cropPadding;  // unset: 4 for CIFAR/Tiny-ImageNet, 0 for Fashion-MNIST
    std::optional<bool> flip;                 // unset: true for CIFAR/Tiny-ImageNet, false for Fashion-MNIST
    bool prefetch = true;               // prepare the next batch on a background thread

    std::int64_t resolvedCropPadding() const;
    bool resolvedFlip() const;
};

struct OptimConfig {
    std::string optimizer = "sgd";
    double lr = 0.2;
    double momentum = 0.9;
    double weightDecay = 5e-4;
    bool nesterov = true;
};

struct ScheduleConfig {
    std::string kind = "onecycle";      // constant | multistep | cosine | onecycle
    double warmupEpochs = 0.0;          // linear warm-up from 0 (fractions of an epoch allowed)
    std::vector<std::int64_t> milestones;  // multistep: epochs at which lr *= gamma
    double gamma = 0.1;
    double minLr = 0.0;                 // cosine/onecycle floor
};

struct CheckpointConfig {
    std::int64_t keep = 2;              // newest checkpoint files kept on disk per run
};

struct RunConfig {
    std::string name;                   // empty: generated from data set, network and seed
    DataConfig data;
    std::string arch = "small-cnn";
    OptimConfig optim;
    ScheduleConfig schedule;
    std::int64_t epochs = 3;
    std::int64_t batchSize = 128;
    std::int64_t evalBatchSize = 512;
    std::uint64_t seed = 0;
    std::int64_t threads = 0;           // 0: all cores
    std::string device = "cpu";         // cpu | cuda | cuda:N
    CheckpointConfig checkpoint;

    // Throws ConfigError listing every invalid field (name, value, allowed range) at once.
    void validate() const;
    std::string displayName() const;
};

RunConfig runConfigFromJson(const nlohmann::json& j);  // throws ConfigError (all problems at once)
RunConfig runConfigFromJsonText(const std::string& text, const std::string& source);
RunConfig loadRunConfig(const std::string& path);       // throws ConfigError/DataError naming the file
nlohmann::json toJson(const RunConfig& config);
std::string toJsonText(const RunConfig& config);        // pretty-printed

}  // namespace scns
