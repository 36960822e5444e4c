#pragma once
// The settings table: every member of RunConfig described once. Everything that reads, writes,
// checks, offers or documents a setting is made from it: the JSON reader and writer
// (run_config.cpp), validation, `scns train`'s flags and --set, the workbench editor's rows, and
// the configuration reference in docs/usage.md (`scns settings --markdown`).
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/errors.h"

namespace scns {

struct RunConfig;

enum class SettingType {
    Bool,
    Integer,
    Seed,             // an unsigned 64-bit integer
    Real,
    Text,
    File,             // a file path
    Folder,           // a folder path
    Choice,           // one of `choices`
    Network,          // a network name (choices: the model registry's), empty allowed where `unset` says
    IntegerList,
    OptionalInteger,  // null: `unset` says what applies
    OptionalBool,
    OptionalReal,
};

struct Setting {
    std::string key;          // full dotted JSON key: "contrastive.class.k"
    SettingType type = SettingType::Text;
    std::string group;        // editor section and reference heading: "Class sampler"
    std::string label;        // short label in the editor: "Top-k classes"
    std::string help;         // one or two sentences
    std::string flag;         // `scns train` flag ("--class-k"); every setting also has --set
    std::string expected;     // what a valid value is, as error messages say it
    std::vector<std::string> choices;  // Choice and Network: the allowed names
    std::string unset;        // optional types, and Network/paths that may be empty: what empty means
    std::string appliesWhen;  // prose for the reference and the editor's tooltip; empty: always
    std::function<bool(const RunConfig&)> applies;  // null: always

    // A section this setting switches on when it is given (flag, --set, a JSON file, the
    // editor) and the section's own switch is not: choosing a sampler switches the contrastive
    // term on, a crd distillation method too. See applySectionSwitches.
    struct Switch {
        std::string key;                             // the Bool setting switched: "contrastive.enabled"
        std::string offWord;                         // a word (flags, --set) that switches it off instead: "none"
        std::string whenText;                        // prose for `when`: "a crd method"; empty: any value
        std::function<bool(const RunConfig&)> when;  // null: any value switches it on
    };
    std::optional<Switch> switches;

    // The member as JSON (null for an unset optional).
    std::function<nlohmann::json(const RunConfig&)> get;
    // Reads a JSON value into the member (null: unset for optionals, else the default). A value
    // of the wrong type adds a problem (naming `key`) and leaves the member as it was.
    std::function<void(RunConfig&, const nlohmann::json&, std::vector<FieldProblem>&)> set;
    // The member's value against its declared range or choices: adds problems.
    std::function<void(const RunConfig&, std::vector<FieldProblem>&)> check;

    bool appliesTo(const RunConfig& config) const { return !applies || applies(config); }
    std::string typeName() const;  // "integer", "one of: uniform, class, instance", ...
};

// In the order of the reference and the editor: by group, then as declared.
const std::vector<Setting>& runSettings();
const Setting* findSetting(std::string_view key);  // null when there is none

// Every setting's JSON text value for `--set` and the editor's free text: JSON when it parses
// as JSON of the setting's type, else (text, path, choice and network settings) the text as a
// string, so `--set contrastive.sampler=class` works unquoted. A setting's off word
// (`--sampler none`) sets its section's switch to false instead. Throws ConfigError naming
// `key`. `given`, when not null, collects the key that was set (for applySectionSwitches).
void applySettingText(RunConfig& config, const std::string& key, const std::string& text,
                      std::set<std::string>* given = nullptr);

// For every setting in `given` that switches a section (Setting::switches), switches that
// section on, unless its switch is in `given` too (an explicit value wins) or the setting's
// condition does not hold. The JSON reader, `scns train` and the editor all call this.
void applySectionSwitches(RunConfig& config, const std::set<std::string>& given);

// "contrastive.sampler (none: off), distill.method (a crd method)": what switches `key` on.
std::string sectionSwitchedBy(std::string_view key);

// The relations between settings (batch size vs SupCon's samples per class, warm-up vs
// epochs, a file when the similarity source is `file`, ...): what single ranges cannot say.
void checkSettingRelations(const RunConfig& config, std::vector<FieldProblem>& problems);

// The configuration reference (Markdown), generated: docs/usage.md holds it between the
// markers <!-- settings-reference:begin --> and <!-- settings-reference:end -->.
std::string settingsReferenceMarkdown();

}  // namespace scns
