#pragma once
// "Teacher, then students" (docs/method.md, distillation): one JSON file names an experiment, a
// teacher (trained here, a stored run, or imported weights) and a list of student settings
// run for each of several seeds. Every run is stored, tagged "experiment:<name>", and students
// link to a stored teacher run as their parent. Running the same file again continues: finished
// runs are kept, stopped ones resume from their newest checkpoint, missing ones start.
//
// File format (keys in snake_case; unknown keys are errors):
//   {
//     "name": "fmnist-distill",
//     "base": { ...run configuration (train/run_config.h) shared by teacher and students... },
//     "teacher": { "train": { ...overrides of base... } }   // train it here, or
//              | { "run": 12 }  or { "run": "name" }          // a finished stored run, or
//              | { "weights": "t.pth", "arch": "wrn_40_2" }   // imported weights
//     "student": { ...overrides of base for every student (e.g. the student network)... },
//     "students": [ { "label": "kd", "distill": { "method": "kd" } }, ... ],
//     "seeds": [0, 1, 2]
//   }
// A student entry is "label" plus overrides of base + student; its distill.teacher is filled in.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "train/observer.h"
#include "train/run_config.h"

namespace scns {

struct StudentSetting {
    std::string label;
    nlohmann::json overrides;  // merged onto base + student (RFC 7396 merge patch)
};

struct ExperimentConfig {
    std::string name;
    nlohmann::json base = nlohmann::json::object();
    // Exactly one teacher source.
    nlohmann::json teacherTrain;       // object: overrides of base (train the teacher)
    std::string teacherRun;            // a stored run, by id or name
    std::string teacherWeights, teacherArch;
    nlohmann::json student = nlohmann::json::object();
    std::vector<StudentSetting> students;
    std::vector<std::uint64_t> seeds{0};

    // The teacher's run configuration (teacherTrain set); ConfigError naming "teacher.train.<field>".
    RunConfig teacherConfig() const;
    // A student's configuration without the teacher filled in; ConfigError naming
    // "students[i].<field>".
    RunConfig studentConfig(std::size_t index, std::uint64_t seed) const;
};

// Parses and checks the whole file: every student/seed configuration is validated up front,
// so a typo in the last student fails before the teacher trains. ConfigError lists every problem.
ExperimentConfig experimentConfigFromJson(const nlohmann::json& j);
ExperimentConfig loadExperimentConfig(const std::string& path);  // ConfigError naming the file

struct ExperimentRun {
    std::string role;       // "teacher" or the student's label
    std::uint64_t seed = 0;
    std::int64_t runId = 0;  // 0: none (imported teacher)
    std::string name;
    enum class Action { Reused, Resumed, Started } action = Action::Started;
    RunResult result;       // for reused runs: Finished with the stored final accuracy in message
};

// How a caller watches an experiment: one TrainingObserver per run it trains.
class ExperimentObserver {
public:
    virtual ~ExperimentObserver() = default;
    // Before each run: position (1-based) among all runs of the experiment.
    virtual void onRunPlanned(const ExperimentRun& run, std::size_t index, std::size_t total) {}
    virtual TrainingObserver& trainingObserver() = 0;
    virtual void onRunDone(const ExperimentRun& run) {}
    // Trains one run of the experiment: executeRun() in this process by default; the CLI starts
    // the processes of a data-parallel run (distributed.processes > 1) here.
    virtual RunResult execute(const std::filesystem::path& dbPath, std::int64_t runId, bool resume,
                              std::stop_token stop);
};

struct ExperimentResult {
    std::vector<ExperimentRun> runs;  // teacher first, then students in file order x seeds
    bool cancelled = false;
};

// Runs (or continues) the experiment in the database at dbPath on the calling thread. Throws
// ConfigError/CheckpointError/StoreError before any training when the teacher cannot be used:
// a stored teacher run that is not finished ("still training" included), has no checkpoint, or
// trained on another data set or class count than the students; a stored run of this
// experiment whose configuration differs from the file's. A failed or diverged student does not
// stop the others; a failed teacher or a stop request ends the experiment.
ExperimentResult runExperiment(const std::filesystem::path& dbPath, const ExperimentConfig& config,
                               ExperimentObserver& observer, std::stop_token stop);

}  // namespace scns
