// `scns settings`: every run setting from the settings table, for people and for the docs.
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common/choices.h"
#include "train/run_config.h"
#include "train/run_settings.h"

namespace scns::cli {

void addSettingsCommand(CLI::App& app, int& exitCode)
{
    struct Args {
        bool markdown = false;
        std::string key;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand(
        "settings", "List every run setting: its dotted key (for config files and --set), default, allowed values and flag");
    cmd->add_option("key", args->key, "Show this setting only (e.g. contrastive.class.k)");
    cmd->add_flag("--markdown", args->markdown, "Print the configuration reference of docs/usage.md (Markdown)");
    cmd->callback([args, &exitCode] {
        if (args->markdown) {
            std::cout << settingsReferenceMarkdown();
            exitCode = kOk;
            return;
        }
        const RunConfig defaults;
        const Setting* only = args->key.empty() ? nullptr : findSetting(args->key);
        if (!args->key.empty() && !only)
            throw ConfigError({{"settings", args->key, "a setting key (scns settings lists them all)"}});
        std::string group;
        for (const auto& s : runSettings()) {
            if (only && &s != only)
                continue;
            if (s.group != group && !only) {
                group = s.group;
                std::cout << (group == runSettings().front().group ? "" : "\n") << group << "\n";
            }
            const nlohmann::json def = s.get(defaults);
            std::cout << "  " << s.key << " = " << def.dump() << (s.flag.empty() ? "" : "   (" + s.flag + ")") << "\n"
                      << "      " << s.help << "\n"
                      << "      allowed: " << (s.type == SettingType::Network ? joinChoices(s.choices) : s.expected)
                      << "\n";
            if (!s.unset.empty())
                std::cout << "      empty or null: " << s.unset << "\n";
            if (!s.appliesWhen.empty())
                std::cout << "      only when " << s.appliesWhen << "\n";
        }
        exitCode = kOk;
    });
}

}  // namespace scns::cli
