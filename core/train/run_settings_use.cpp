// What the settings table is used for beyond reading and writing a value: text given on a
// command line (--set, flags), the sections switched on by their settings, the checks that
// relate several settings, and the configuration reference in docs/usage.md.
#include <nlohmann/json.hpp>

#include "common/message_text.h"
#include "dist/launch_env.h"
#include "train/run_config.h"
#include "train/run_settings.h"

namespace scns {

using nlohmann::json;

namespace {

bool onCuda(const RunConfig& c) { return c.device.rfind("cuda", 0) == 0; }  // cuda or cuda:N

std::string markdownCell(std::string text)
{
    std::string out;
    for (char ch : text)
        out += ch == '|' ? std::string("\\|") : std::string(1, ch);
    return out;
}

}  // namespace

void applySettingText(RunConfig& config, const std::string& key, const std::string& text, std::set<std::string>* given)
{
    const Setting* s = findSetting(key);
    if (!s)
        throw ConfigError({{key, text, "a setting key (scns settings lists them all)"}});
    if (s->switches && !s->switches->offWord.empty() && text == s->switches->offWord) {
        applySettingText(config, s->switches->key, "false", given);
        return;
    }
    json value;
    if (s->type == SettingType::Seed) {
        value = parseSeedText(text, key);
    } else {
        try {
            value = json::parse(text);
        } catch (const json::parse_error&) {
            value = nullptr;
            if (s->type == SettingType::Text || s->type == SettingType::File || s->type == SettingType::Folder
                || s->type == SettingType::Choice || s->type == SettingType::Network)
                value = text;
            else if (s->type == SettingType::Bool || s->type == SettingType::OptionalBool) {
                if (text == "yes" || text == "on")
                    value = true;
                else if (text == "no" || text == "off")
                    value = false;
            }
            if (value.is_null())
                throw ConfigError({{key, quoteForMessage(text), "JSON text of a " + s->typeName() + " value"}});
        }
        // A bare number for a text setting ("--name 42") is the text "42".
        if ((s->type == SettingType::Text || s->type == SettingType::File || s->type == SettingType::Folder
             || s->type == SettingType::Network || s->type == SettingType::Choice)
            && !value.is_string() && !value.is_null())
            value = text;
        if (s->type == SettingType::Bool && value.is_number_integer() && (value == 0 || value == 1))
            value = value == 1;
    }
    std::vector<FieldProblem> problems;
    s->set(config, value, problems);
    if (!problems.empty())
        throw ConfigError(std::move(problems));
    if (given)
        given->insert(key);
}

void applySectionSwitches(RunConfig& config, const std::set<std::string>& given)
{
    for (const auto& s : runSettings()) {
        if (!s.switches || !given.count(s.key) || given.count(s.switches->key))
            continue;
        if (s.switches->when && !s.switches->when(config))
            continue;
        std::vector<FieldProblem> problems;
        findSetting(s.switches->key)->set(config, json(true), problems);
    }
}

std::string sectionSwitchedBy(std::string_view key)
{
    std::string out;
    for (const auto& s : runSettings()) {
        if (!s.switches || s.switches->key != key)
            continue;
        std::string note = !s.switches->offWord.empty() ? s.switches->offWord + ": off"
                                                         : s.switches->whenText;
        out += (out.empty() ? "" : ", ") + s.key + (note.empty() ? "" : " (" + note + ")");
    }
    return out;
}

void checkSettingRelations(const RunConfig& c, std::vector<FieldProblem>& p)
{
    const auto applies = [&c](const char* key) { return findSetting(key)->appliesTo(c); };
    if (c.schedule.warmupEpochs > static_cast<double>(c.epochs))
        p.push_back({"schedule.warmup_epochs", numberText(c.schedule.warmupEpochs),
                     "a value in [0, epochs = " + std::to_string(c.epochs) + "]"});
    if (applies("schedule.milestones")) {
        const auto& ms = c.schedule.milestones;
        for (std::size_t i = 0; i < ms.size(); ++i)
            if (ms[i] <= 0 || ms[i] >= c.epochs || (i > 0 && ms[i] <= ms[i - 1]))
                p.push_back({"schedule.milestones[" + std::to_string(i) + "]", std::to_string(ms[i]),
                             "strictly increasing epochs in (0, epochs = " + std::to_string(c.epochs) + ")"});
        if (ms.empty())
            p.push_back({"schedule.milestones", "[]", "at least one epoch for a multistep schedule"});
    }
    if (applies("schedule.min_lr") && c.optim.lr > 0 && c.schedule.minLr >= c.optim.lr)
        p.push_back({"schedule.min_lr", numberText(c.schedule.minLr), "a value in [0, optim.lr)"});
    if (c.optim.nesterov && c.optim.momentum <= 0)
        p.push_back({"optim.nesterov", "true", "false when momentum is 0 (Nesterov needs momentum)"});
    if (c.precision == Precision::Fp16 && !onCuda(c))
        p.push_back({"precision", "fp16", "fp32 or bf16 on device " + c.device + " (fp16 autocast needs a CUDA device)"});

    const ContrastiveConfig& k = c.contrastive;
    if (k.enabled && k.objective == Objective::SupCon) {
        const auto m = k.supconSamplesPerClass;
        if (m >= 1 && (c.batchSize % m != 0 || c.batchSize / m < 2))
            p.push_back({"batch_size", std::to_string(c.batchSize),
                         "a multiple of contrastive.supcon.samples_per_class = " + std::to_string(m)
                             + " holding at least 2 classes (supcon batches are classes x samples per class)"});
        if (k.mixupCount > 0)
            p.push_back({"contrastive.mixup.count", std::to_string(k.mixupCount),
                         "0 with objective supcon (no memory-bank negatives to mix)"});
    } else if (k.enabled && k.objective == Objective::Nce && k.mixupCount > 0) {
        p.push_back({"contrastive.mixup.count", std::to_string(k.mixupCount),
                     "0 with objective nce (pseudo-negatives enter the InfoNCE objective only)"});
    }
    if (applies("contrastive.class.similarity_file") && k.similarityFile.empty())
        p.push_back({"contrastive.class.similarity_file", "\"\"",
                     "a CSV or word-vector file when class.similarity is file"});

    const std::int64_t world = c.distributed.processes;
    if (world > 1) {
        if (c.batchSize % world != 0)
            p.push_back({"batch_size", std::to_string(c.batchSize),
                         "a multiple of distributed.processes = " + std::to_string(world)
                             + " (the global batch is split evenly across the processes)"});
        if (k.enabled && k.objective == Objective::SupCon)
            p.push_back({"distributed.processes", std::to_string(world),
                         "1 with objective supcon (its in-batch positives are not gathered across processes)"});
        if (c.distributed.backend == CollectiveBackend::Nccl) {
            if (!kBuiltWithNccl)
                p.push_back({"distributed.backend", "nccl", kNcclNotBuiltExpected});
            else if (!onCuda(c))
                p.push_back({"distributed.backend", "nccl",
                             "auto or gloo on device " + c.device + " (NCCL carries GPU tensors only)"});
        }
    }

    const DistillConfig& d = c.distill;
    if (d.enabled()) {
        if (d.teacherWeights.empty())
            p.push_back({"distill.teacher.weights", "\"\"",
                         "the teacher's weights file (an SCNS checkpoint or a PyTorch file)"});
        if (!k.referenceWeights.empty())
            p.push_back({"contrastive.reference.weights", k.referenceWeights,
                         "empty in a distillation run (the teacher is the reference network)"});
    }
    if (d.usesCrd()) {
        if (!k.enabled)
            p.push_back({"contrastive.enabled", "false",
                         "true with distill.method " + toString(d.method)
                             + " (the contrastive section configures CRD)"});
        else if (k.objective == Objective::SupCon)
            p.push_back({"contrastive.objective", "supcon", "infonce or nce with distill.method " + toString(d.method)});
    }
}

std::string settingsReferenceMarkdown()
{
    const RunConfig defaults;
    std::string out;
    out += "<!-- Generated by `scns settings --markdown` from the settings table (core/train/run_settings.cpp);\n"
           "     test_run_config (docsReferenceMatchesTheTable) fails when this block differs from it. -->\n";
    std::string group;
    for (const auto& s : runSettings()) {
        if (s.group != group) {
            group = s.group;
            out += "\n#### " + group + "\n\n";
            out += "| Key | Default | Allowed | Flag | Meaning |\n|---|---|---|---|---|\n";
        }
        const json def = s.get(defaults);
        const bool unset = def.is_null() || (def.is_string() && def.get<std::string>().empty());
        const std::string defText = !unset ? "`" + markdownCell(def.dump()) + "`"
                                    : s.unset.empty() ? std::string("empty")
                                                      : "unset: " + markdownCell(s.unset);
        std::string meaning = s.help;
        if (const std::string by = sectionSwitchedBy(s.key); !by.empty())
            meaning += " Switched on by giving " + by + ", unless given itself.";
        if (s.switches)
            meaning += " Giving it" + (s.switches->whenText.empty() ? std::string() : " (" + s.switches->whenText + ")")
                       + " switches " + s.switches->key + " on"
                       + (s.switches->offWord.empty() ? "" : "; " + s.switches->offWord + " switches it off") + ".";
        if (!s.appliesWhen.empty())
            meaning += " Only when " + s.appliesWhen + ".";
        std::string allowed = s.expected;
        if (s.type == SettingType::Bool || s.type == SettingType::OptionalBool)
            allowed = "true or false";
        else if (s.type == SettingType::Text || s.type == SettingType::File || s.type == SettingType::Folder)
            allowed = s.type == SettingType::Text && s.key == "device" ? s.expected : s.typeName();
        out += "| `" + s.key + "` | " + defText + " | " + markdownCell(allowed) + " | "
               + (s.flag.empty() ? std::string() : "`" + s.flag + "`") + " | " + markdownCell(meaning) + " |\n";
    }
    return out;
}

}  // namespace scns
