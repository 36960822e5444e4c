// `scns train` and `scns resume`.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common/errors.h"
#include "common/message_text.h"
#include "distributed_launch.h"
#include "store/default_path.h"
#include "store/run_store.h"
#include "train/run_job.h"
#include "train/run_settings.h"

namespace scns::cli {

std::filesystem::path GlobalOptions::dbPath() const { return db.empty() ? defaultDatabasePath() : std::filesystem::path(db); }

namespace {

// One flag of the settings table on the command line: the text it was given, applied as the
// setting's value (applySettingText), after the configuration file and before --set.
struct SettingFlag {
    const Setting* setting = nullptr;
    CLI::Option* option = nullptr;
    std::vector<std::string> values;  // one value; several for a list setting
    bool off = false;                 // a --no-... switch
};

struct TrainArgs {
    std::string configFile;
    std::string saveConfig;
    bool dryRun = false;
    std::vector<std::string> sets;  // KEY=VALUE
    std::vector<std::unique_ptr<SettingFlag>> flags;
};

std::string typeNameFor(const Setting& s)
{
    switch (s.type) {
    case SettingType::Bool:
    case SettingType::OptionalBool: return "BOOL";
    case SettingType::Integer:
    case SettingType::OptionalInteger: return "INT";
    case SettingType::Seed: return "UINT";
    case SettingType::Real:
    case SettingType::OptionalReal: return "NUM";
    case SettingType::File: return "FILE";
    case SettingType::Folder: return "DIR";
    case SettingType::IntegerList: return "INT ...";
    default: return "TEXT";
    }
}

std::string flagHelp(const Setting& s)
{
    std::string help = s.help;
    const auto& sw = s.switches;
    if (s.type == SettingType::Choice) {
        std::string list = sw ? sw->offWord : "";
        for (const auto& c : s.choices)
            list += (list.empty() ? "" : " | ") + c;
        help += " [" + list + "]";
    }
    if (sw) {
        const Setting* section = findSetting(sw->key);
        std::string what = section ? section->group : sw->key;
        if (!what.empty())
            what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
        help += "; " + (sw->whenText.empty() ? std::string("also switches") : sw->whenText + " switches") + " the " + what
                + " on" + (sw->offWord.empty() ? "" : " (" + sw->offWord + ": off)");
    }
    return help + " (" + s.key + ")";
}

// A path given on the command line is stored absolute: the run may be resumed from elsewhere.
std::string pathValue(const Setting& s, const std::string& text)
{
    if ((s.type == SettingType::File || s.type == SettingType::Folder) && !text.empty())
        return std::filesystem::absolute(text).string();
    return text;
}

// Applies one flag; what some flags switch on besides their own setting is said in their help.
void applyFlag(const SettingFlag& f, RunConfig& c, std::set<std::string>& given)
{
    const Setting& s = *f.setting;
    if (f.off) {
        applySettingText(c, s.key, "false", &given);
        return;
    }
    if (s.type == SettingType::IntegerList) {
        std::string list;
        for (const auto& v : f.values)
            list += (list.empty() ? "" : ",") + v;
        applySettingText(c, s.key, "[" + list + "]", &given);
        return;
    }
    const bool bare = f.values.empty() || (s.type == SettingType::Bool && f.values.front().empty());
    applySettingText(c, s.key, bare ? std::string("true") : pathValue(s, f.values.front()), &given);
}

// Runs `apply`, moving a ConfigError's problems into `problems` (all of them are reported).
template <typename F>
void collect(std::vector<FieldProblem>& problems, F&& apply)
{
    try {
        apply();
    } catch (const ConfigError& e) {
        problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
}

}  // namespace

void addTrainCommand(CLI::App& app, const GlobalOptions& global, int& exitCode)
{
    auto args = std::make_shared<TrainArgs>();
    CLI::App* cmd = app.add_subcommand("train", "Train a network (default: small CNN on the embedded Fashion-MNIST)");
    cmd->add_option("--config,-c", args->configFile, "JSON run configuration; flags given as well override it");
    cmd->add_option("--save-config", args->saveConfig, "Write the resulting configuration to this JSON file");
    cmd->add_flag("--dry-run", args->dryRun, "Validate and print the configuration, train nothing");
    for (const auto& setting : runSettings()) {
        if (setting.flag.empty())
            continue;
        auto f = std::make_unique<SettingFlag>();
        f->setting = &setting;
        if (setting.flag.rfind("--no-", 0) == 0) {
            f->option = cmd->add_flag(setting.flag, f->off, flagHelp(setting));
        } else {
            f->option = cmd->add_option(setting.flag, f->values, flagHelp(setting))->type_name(typeNameFor(setting));
            if (setting.type == SettingType::Bool)
                f->option->expected(0, 1);  // a bare --channels-last means true
            else if (setting.type != SettingType::IntegerList)
                f->option->expected(1);
        }
        args->flags.push_back(std::move(f));
    }
    cmd->add_option("--set", args->sets,
                    "KEY=VALUE: any setting by its dotted key, the value as JSON (text may go unquoted), e.g. "
                    "--set contrastive.class.k=5; applied after the flags (scns settings lists every key)")
        ->type_name("KEY=VALUE")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);

    cmd->callback([args, &global, &exitCode] {
        RunConfig config;
        if (!args->configFile.empty())
            config = loadRunConfig(args->configFile);
        std::vector<FieldProblem> problems;
        std::set<std::string> given;  // keys the flags and --set gave, for the section switches
        for (const auto& f : args->flags)
            if (f->option->count() > 0)
                collect(problems, [&] { applyFlag(*f, config, given); });
        for (const auto& item : args->sets) {
            const auto eq = item.find('=');
            if (eq == std::string::npos || eq == 0) {
                problems.push_back({"--set", item, "KEY=VALUE with a setting's dotted key"});
                continue;
            }
            const std::string key = item.substr(0, eq);
            const Setting* s = findSetting(key);
            collect(problems, [&] {
                applySettingText(config, key, s ? pathValue(*s, item.substr(eq + 1)) : item.substr(eq + 1), &given);
            });
        }
        applySectionSwitches(config, given);
        // Under torchrun or srun the launcher says how many processes train the run.
        const auto launched = launchedRank();
        if (launched)
            config.distributed.processes = launched->worldSize;
        // Flags and files get the same complete report: type problems, then ranges and relations.
        collect(problems, [&] { config.validate(); });
        if (!problems.empty()) {
            std::vector<FieldProblem> unique;
            for (auto& q : problems)
                if (std::none_of(unique.begin(), unique.end(), [&](const FieldProblem& u) { return u.field == q.field; }))
                    unique.push_back(std::move(q));
            throw ConfigError(std::move(unique));
        }
        if (!args->saveConfig.empty()) {
            std::FILE* out = std::fopen(args->saveConfig.c_str(), "w");
            if (!out)
                throw ConfigError({{"--save-config", args->saveConfig, "a writable file path"}});
            const std::string text = toJsonText(config) + "\n";
            std::fwrite(text.data(), 1, text.size(), out);
            std::fclose(out);
        }
        if (args->dryRun) {
            std::cout << toJsonText(config) << "\n";
            exitCode = kOk;
            return;
        }
        const auto db = global.dbPath();
        const auto store = [&] {
            RunStore runs(db, StoreAccess::Write);
            const std::int64_t runId = createRun(runs, config);
            std::printf("run %lld: %s (database %s)\n", static_cast<long long>(runId),
                        escapeControl(config.displayName()).c_str(), db.c_str());
            return runId;
        };
        if (launched)  // one rank of several: rank 0 stores the run
            exitCode = runAsRank(*launched, db, store, RunOptions{}, config.distributed.timeoutSeconds);
        else
            exitCode = runStoredRun(db, store(), RunOptions{}, config.distributed.processes,
                                    config.distributed.timeoutSeconds);
    });
}

void addResumeCommand(CLI::App& app, const GlobalOptions& global, int& exitCode)
{
    struct ResumeArgs {
        std::string run;
        RunOptions options{true, false, false};
        bool ifUnfinished = false;
    };
    auto args = std::make_shared<ResumeArgs>();
    CLI::App* cmd = app.add_subcommand(
        "resume", "Continue a cancelled, interrupted, failed or diverged run from its last checkpoint (a queued run "
                  "starts; a finished run is refused; one still recorded as running needs --force)");
    cmd->add_option("run", args->run, "Run id or name")->required();
    cmd->add_flag("--from-scratch", args->options.fromScratch,
                  "Start the run over from epoch 0 when none of its checkpoints can be used (its recorded epochs are "
                  "replaced)");
    cmd->add_flag("--force", args->options.force,
                  "Take over a run recorded as running whose process is gone but cannot be checked (another host)");
    cmd->add_flag("--if-unfinished", args->ifUnfinished,
                  "A finished run is left as it is (exit 0) instead of refused: what a requeued cluster task runs");
    cmd->callback([args, &global, &exitCode] {
        const auto db = global.dbPath();
        if (args->ifUnfinished) {
            RunStore store(db);
            const RunRecord record = store.resolveRun(args->run);
            if (record.status == RunStatus::Finished) {
                std::printf("run %lld has finished; nothing to resume\n", static_cast<long long>(record.id));
                exitCode = kOk;
                return;
            }
        }
        const auto find = [&] {
            RunStore store(db, StoreAccess::Write);
            const RunRecord record = store.resolveRun(args->run);
            return std::make_pair(
                record.id,
                runConfigFromJsonText(record.configJson, "run " + std::to_string(record.id) + " configuration"));
        };
        if (const auto launched = launchedRank()) {
            // Only rank 0 reads the store (the others may run on machines without it); they
            // wait for the run's request as long as its configuration's default allows.
            exitCode = runAsRank(
                *launched, db, [&] { return find().first; }, args->options, DistributedConfig{}.timeoutSeconds);
            return;
        }
        const auto [runId, config] = find();
        exitCode =
            runStoredRun(db, runId, args->options, config.distributed.processes, config.distributed.timeoutSeconds);
    });
}

}  // namespace scns::cli
