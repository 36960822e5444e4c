#pragma once
// The subcommands of `scns`. Each add* function registers one subcommand on the app; its
// callback runs the command and sets the process exit code through `exitCode`.
#include <filesystem>
#include <string>

namespace CLI {
class App;
}

namespace scns::cli {

struct GlobalOptions {
    std::string db;  // empty: defaultDatabasePath()
    std::filesystem::path dbPath() const;
};

// Exit codes: 0 done, 1 the run failed or diverged, 2 bad input (config, data, store),
// 130 cancelled by Ctrl-C (resumable).
enum ExitCode { kOk = 0, kRunFailed = 1, kBadInput = 2, kCancelled = 130 };

void addTrainCommand(CLI::App& app, const GlobalOptions& global, int& exitCode);
void addResumeCommand(CLI::App& app, const GlobalOptions& global, int& exitCode);
void addDistillCommand(CLI::App& app, const GlobalOptions& global, int& exitCode);
void addRunsCommand(CLI::App& app, const GlobalOptions& global, int& exitCode);
void addShowCommand(CLI::App& app, const GlobalOptions& global, int& exitCode);
void addExportCommand(CLI::App& app, const GlobalOptions& global, int& exitCode);
void addEvaluateCommand(CLI::App& app, const GlobalOptions& global, int& exitCode);
void addExportWeightsCommand(CLI::App& app, const GlobalOptions& global, int& exitCode);
void addSettingsCommand(CLI::App& app, int& exitCode);
// `scns slurm submit|status`.
void addSlurmCommand(CLI::App& app, const GlobalOptions& global, int& exitCode);
// `scns merge SHARD... --into DB`.
void addMergeCommand(CLI::App& app, const GlobalOptions& global, int& exitCode);
// `scns dist-worker`: one rank of a run `--nproc-per-node` started (internal, hidden).
void addDistWorkerCommand(CLI::App& app, const GlobalOptions& global, int& exitCode);

}  // namespace scns::cli
