#include "train/run_settings.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/choices.h"
#include "common/json_text.h"
#include "common/message_text.h"
#include "models/model_names.h"
#include "train/json_fields.h"
#include "train/run_config.h"

namespace scns {

using nlohmann::json;

namespace {

template <typename T>
std::string valueText(const T& v)
{
    if constexpr (std::is_same_v<T, std::string>)
        return v.empty() ? std::string("\"\"") : isValidUtf8(v) ? v : quoteForMessage(v);
    else if constexpr (std::is_same_v<T, bool>)
        return v ? "true" : "false";
    else if constexpr (std::is_floating_point_v<T>)
        return numberText(v);
    else
        return std::to_string(v);
}

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {
    using Value = T;
};

// The type a member of C++ type T has in the table, unless the declaration says otherwise
// (paths and networks are strings).
template <typename T>
constexpr SettingType settingTypeOf()
{
    if constexpr (std::is_same_v<T, bool>)
        return SettingType::Bool;
    else if constexpr (std::is_same_v<T, std::uint64_t>)
        return SettingType::Seed;
    else if constexpr (std::is_integral_v<T>)
        return SettingType::Integer;
    else if constexpr (std::is_floating_point_v<T>)
        return SettingType::Real;
    else if constexpr (std::is_same_v<T, std::string>)
        return SettingType::Text;
    else if constexpr (ChoiceEnum<T>)
        return SettingType::Choice;
    else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>)
        return SettingType::IntegerList;
    else if constexpr (std::is_same_v<T, std::optional<std::int64_t>>)
        return SettingType::OptionalInteger;
    else if constexpr (std::is_same_v<T, std::optional<bool>>)
        return SettingType::OptionalBool;
    else {
        static_assert(std::is_same_v<T, std::optional<double>>, "a member type the settings table does not know");
        return SettingType::OptionalReal;
    }
}

template <typename T>
const char* typeWords()
{
    if constexpr (std::is_same_v<T, bool>)
        return "true or false";
    else if constexpr (std::is_same_v<T, std::uint64_t>)
        return "a non-negative integer";
    else if constexpr (std::is_integral_v<T>)
        return "an integer";
    else if constexpr (std::is_floating_point_v<T>)
        return "a number";
    else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>)
        return "a list of integers";
    else
        return "a string";
}

// A numeric range: [lo, hi], either end open or absent.
struct Range {
    std::optional<double> lo, hi;
    bool loOpen = false, hiOpen = false;

    bool contains(double v) const
    {
        if (std::isnan(v))
            return false;
        if (lo && (loOpen ? !(v > *lo) : !(v >= *lo)))
            return false;
        if (hi && (hiOpen ? !(v < *hi) : !(v <= *hi)))
            return false;
        return true;
    }
};

// One declaration: the setting's description, then how its member is reached. Built with
// chained calls so each entry of the table reads as one statement.
template <typename T>
class Decl {
public:
    using Access = std::function<T&(RunConfig&)>;

    Decl(std::string key, Access access) : m_access(std::move(access))
    {
        m_s.key = std::move(key);
        m_s.type = settingTypeOf<T>();
        if constexpr (ChoiceEnum<T>)
            m_s.choices = choiceNames<T>();
        else if constexpr (IsOptional<T>::value)
            m_word = typeWords<typename IsOptional<T>::Value>();
        if (!m_word)
            m_word = typeWords<T>();
    }

    Decl& label(std::string v) { return m_s.label = std::move(v), *this; }
    Decl& help(std::string v) { return m_s.help = std::move(v), *this; }
    Decl& flag(std::string v) { return m_s.flag = std::move(v), *this; }
    Decl& expect(std::string v) { return m_s.expected = std::move(v), *this; }
    Decl& unset(std::string v) { return m_s.unset = std::move(v), *this; }
    Decl& file() { return m_s.type = SettingType::File, *this; }
    Decl& folder() { return m_s.type = SettingType::Folder, *this; }
    Decl& network()
    {
        m_s.type = SettingType::Network;
        m_s.choices = knownArchitectures();
        return *this;
    }
    Decl& atLeast(double lo) { return m_range.lo = lo, *this; }
    Decl& above(double lo) { return m_range.lo = lo, m_range.loOpen = true, *this; }
    Decl& atMost(double hi) { return m_range.hi = hi, *this; }
    Decl& below(double hi) { return m_range.hi = hi, m_range.hiOpen = true, *this; }
    Decl& when(std::string prose, std::function<bool(const RunConfig&)> applies)
    {
        m_s.appliesWhen = std::move(prose);
        m_s.applies = std::move(applies);
        return *this;
    }
    // Giving this setting switches the Bool setting `key` on; `offWord` switches it off.
    Decl& switchesOn(std::string key, std::string offWord = {})
    {
        m_s.switches = Setting::Switch{std::move(key), std::move(offWord), {}, {}};
        return *this;
    }
    // Giving this setting switches `key` on when `when` holds (`prose` says when).
    Decl& switchesOnWhen(std::string key, std::string prose, std::function<bool(const RunConfig&)> when)
    {
        m_s.switches = Setting::Switch{std::move(key), {}, std::move(prose), std::move(when)};
        return *this;
    }
    // An extra check of the value alone (the device's cpu | cuda | cuda:N form).
    Decl& valid(std::function<bool(const T&)> ok) { return m_valid = std::move(ok), *this; }

    Setting build(std::string group) &&
    {
        m_s.group = std::move(group);
        if (m_s.expected.empty())
            m_s.expected = generatedExpectation();
        const Access access = m_access;
        const auto read = [access](const RunConfig& c) -> const T& { return access(const_cast<RunConfig&>(c)); };
        m_s.get = [read](const RunConfig& c) -> json { return toJsonValue(read(c)); };
        m_s.set = [access, key = m_s.key, word = m_word, type = m_s.type, choices = m_s.choices](
                      RunConfig& c, const json& v, std::vector<FieldProblem>& p) {
            setFromJson(access(c), v, key, word, type, choices, p);
        };
        m_s.check = [read, key = m_s.key, expected = m_s.expected, range = m_range, valid = m_valid,
                     type = m_s.type, choices = m_s.choices, unset = m_s.unset](const RunConfig& c,
                                                                               std::vector<FieldProblem>& p) {
            checkValue(read(c), key, expected, range, valid, type, choices, !unset.empty(), p);
        };
        return std::move(m_s);
    }

private:
    std::string generatedExpectation() const
    {
        if (m_s.type == SettingType::Choice || m_s.type == SettingType::Network)
            return (m_s.type == SettingType::Network ? "one of " : "") + joinChoices(m_s.choices);
        const bool integral = m_s.type == SettingType::Integer || m_s.type == SettingType::OptionalInteger;
        const std::string what = integral ? "an integer" : "a value";
        const auto& r = m_range;
        if (r.lo && r.hi)
            return what + " in " + (r.loOpen ? "(" : "[") + numberText(*r.lo) + ", " + numberText(*r.hi)
                   + (r.hiOpen ? ")" : "]");
        if (r.lo)
            return r.loOpen ? what + " > " + numberText(*r.lo) : "at least " + numberText(*r.lo);
        if (r.hi)
            return r.hiOpen ? what + " < " + numberText(*r.hi) : "at most " + numberText(*r.hi);
        return m_word;
    }

    template <typename V>
    static json toJsonValue(const V& v)
    {
        if constexpr (ChoiceEnum<V>)
            return toString(v);
        else if constexpr (IsOptional<V>::value)
            return v ? json(*v) : json(nullptr);
        else
            return json(v);
    }

    template <typename V>
    static void setFromJson(V& out, const json& v, const std::string& key, const char* word, SettingType type,
                            const std::vector<std::string>& choices, std::vector<FieldProblem>& p)
    {
        if constexpr (IsOptional<V>::value) {
            if (v.is_null()) {
                out.reset();
                return;
            }
            typename IsOptional<V>::Value value{};
            std::vector<FieldProblem> q;
            setFromJson(value, v, key, word, type, choices, q);
            if (q.empty())
                out = value;
            p.insert(p.end(), q.begin(), q.end());
        } else if constexpr (ChoiceEnum<V>) {
            if (v.is_null())
                return;
            if (!v.is_string()) {
                p.push_back({key, jsonForMessage(v), "a string: " + joinChoices(choices)});
                return;
            }
            const auto& text = v.get_ref<const std::string&>();
            if (const auto parsed = parseChoice<V>(text))
                out = *parsed;
            else
                p.push_back({key, valueText(text), joinChoices(choices)});
        } else {
            if (v.is_null())
                return;
            if (!jsonHasType<V>(v)) {
                p.push_back({key, jsonForMessage(v), jsonTypeExpectation<V>(v, word)});
                return;
            }
            if constexpr (std::is_same_v<V, std::string>) {
                const auto& text = v.get_ref<const std::string&>();
                if (!isValidUtf8(text)) {
                    p.push_back({key, quoteForMessage(text), "valid UTF-8 text"});
                    return;
                }
            }
            out = v.get<V>();
        }
    }

    template <typename V>
    static void checkValue(const V& v, const std::string& key, const std::string& expected, const Range& range,
                           const std::function<bool(const T&)>& valid, SettingType type,
                           const std::vector<std::string>& choices, bool mayBeEmpty, std::vector<FieldProblem>& p)
    {
        if constexpr (IsOptional<V>::value) {
            if (v)
                checkValue(*v, key, expected, range, {}, type, choices, mayBeEmpty, p);
        } else if constexpr (std::is_arithmetic_v<V> && !std::is_same_v<V, bool>) {
            if (!range.contains(static_cast<double>(v)))
                p.push_back({key, valueText(v), expected});
        } else if constexpr (std::is_same_v<V, std::string>) {
            if (!isValidUtf8(v))
                p.push_back({key, quoteForMessage(v), "valid UTF-8 text"});
            else if (type == SettingType::Network && !(v.empty() && mayBeEmpty)
                     && std::find(choices.begin(), choices.end(), v) == choices.end())
                p.push_back({key, valueText(v), expected});
        } else if constexpr (ChoiceEnum<V>) {
            if (static_cast<std::size_t>(v) >= ChoiceNames<V>::names.size())
                p.push_back({key, std::to_string(static_cast<int>(v)), expected});
        }
        if constexpr (std::is_same_v<V, T> && (std::is_arithmetic_v<V> || std::is_same_v<V, std::string>))
            if (valid && !valid(v))
                p.push_back({key, valueText(v), expected});
    }

    Setting m_s;
    Access m_access;
    Range m_range;
    std::function<bool(const T&)> m_valid;
    const char* m_word = nullptr;
};

template <typename Access>
auto setting(std::string key, Access access)
{
    using T = std::remove_reference_t<decltype(access(std::declval<RunConfig&>()))>;
    return Decl<T>(std::move(key), std::function<T&(RunConfig&)>(access));
}

// --- when settings apply ----------------------------------------------------------------------

bool contrastiveOn(const RunConfig& c) { return c.contrastive.enabled; }
bool classSampler(const RunConfig& c) { return c.contrastive.enabled && c.contrastive.sampler == SamplerKind::Class; }
bool instanceSampler(const RunConfig& c)
{
    return c.contrastive.enabled && c.contrastive.sampler == SamplerKind::Instance;
}
bool distilling(const RunConfig& c) { return c.distill.enabled(); }
bool severalProcesses(const RunConfig& c) { return c.distributed.processes > 1; }

bool validDevice(const std::string& d)
{
    const bool cudaN = d.rfind("cuda:", 0) == 0 && d.size() > 5 && d.find_first_not_of("0123456789", 5) == std::string::npos;
    return d == "cpu" || d == "cuda" || cudaN;
}

std::vector<Setting> declareSettings()
{
    std::vector<Setting> all;
    const auto group = [&all](const std::string& name, auto&&... decls) { (all.push_back(std::move(decls).build(name)), ...); };

    group("Run",
          setting("name", [](RunConfig& c) -> auto& { return c.name; })
              .label("Name").flag("--name")
              .help("The run's name in the store and the workbench.")
              .unset("generated from data set, network and seed"),
          setting("epochs", [](RunConfig& c) -> auto& { return c.epochs; })
              .label("Epochs").flag("--epochs").help("Passes over the training set.").atLeast(1).atMost(100000),
          setting("batch_size", [](RunConfig& c) -> auto& { return c.batchSize; })
              .label("Batch size").flag("--batch-size").help("Training images per step.").atLeast(1).atMost(65536),
          setting("eval_batch_size", [](RunConfig& c) -> auto& { return c.evalBatchSize; })
              .label("Eval batch size").flag("--eval-batch-size")
              .help("Images per forward pass when evaluating the test split.").atLeast(1).atMost(65536),
          setting("seed", [](RunConfig& c) -> auto& { return c.seed; })
              .label("Seed").flag("--seed")
              .help("Seeds the subset, the initialisation, the shuffling and the negatives drawn.")
              .expect("an integer in [0, 2^64 - 1]"),
          setting("device", [](RunConfig& c) -> auto& { return c.device; })
              .label("Device").flag("--device").help("Where the run computes: cpu, cuda (the first GPU) or cuda:N.")
              .expect("cpu, cuda or cuda:N").valid(validDevice),
          setting("threads", [](RunConfig& c) -> auto& { return c.threads; })
              .label("Threads").flag("--threads").help("CPU threads for LibTorch; 0 uses all cores.")
              .atLeast(0).atMost(1024).expect("0 (all cores) or a thread count up to 1024"),
          setting("distributed.processes", [](RunConfig& c) -> auto& { return c.distributed.processes; })
              .label("Processes").flag("--nproc-per-node")
              .help("Processes that train the run together (data parallel, like torchrun's --nproc-per-node): "
                    "each reads its share of every batch; batch_size and the learning rate keep their meaning.")
              .atLeast(1).atMost(1024).expect("1 (one process) or a process count up to 1024"),
          setting("distributed.timeout", [](RunConfig& c) -> auto& { return c.distributed.timeoutSeconds; })
              .label("Wait for peers (s)").flag("--dist-timeout")
              .help("Seconds a process of a run of several waits for the others before the run ends as "
                    "interrupted.")
              .atLeast(1).atMost(86400).expect("seconds in [1, 86400]")
              .when("distributed.processes > 1", severalProcesses),
          setting("distributed.sync_batchnorm", [](RunConfig& c) -> auto& { return c.distributed.syncBatchNorm; })
              .label("Sync batch norm").flag("--sync-batchnorm")
              .help("Batch norm computes its statistics over the whole global batch, all processes together "
                    "(PyTorch's SyncBatchNorm), instead of over each process's share (DDP's default).")
              .when("distributed.processes > 1", severalProcesses),
          setting("distributed.backend", [](RunConfig& c) -> auto& { return c.distributed.backend; })
              .label("GPU exchanges").flag("--dist-backend")
              .help("What carries the processes' exchanges of GPU tensors (gradients, memory-bank rows): "
                    "auto (NCCL where this scns was built with it, else Gloo), gloo, or nccl (one GPU per "
                    "process). CPU tensors always go through Gloo.")
              .when("distributed.processes > 1", severalProcesses),
          setting("precision", [](RunConfig& c) -> auto& { return c.precision; })
              .label("Precision").flag("--precision")
              .help("What the forward pass computes in: fp32; bf16 (autocast to bfloat16, on CPU or GPU); "
                    "fp16 (autocast to float16 with dynamic loss scaling, GPU only). Weights, optimiser and "
                    "memory banks stay float32."),
          setting("channels_last", [](RunConfig& c) -> auto& { return c.channelsLast; })
              .label("Channels last").flag("--channels-last")
              .help("Keep images, activations and convolution weights in NHWC order (faster convolutions "
                    "with bf16/fp16 on recent GPUs)."),
          setting("checkpoint.keep", [](RunConfig& c) -> auto& { return c.checkpoint.keep; })
              .label("Checkpoints kept").flag("--keep-checkpoints")
              .help("Newest checkpoint files kept on disk per run (resume needs the newest).")
              .atLeast(1).expect("at least 1 (resume needs the newest)"),
          setting("divergence_loss", [](RunConfig& c) -> auto& { return c.divergenceLoss; })
              .label("Divergence bound").flag("--divergence-loss")
              .help("A batch loss above this in absolute value ends the run as diverged, as NaN and infinity do.")
              .above(0).below(std::numeric_limits<double>::infinity())
              .expect("a finite loss bound > 0 (default 1e6)"));

    group("Data",
          setting("data.dataset", [](RunConfig& c) -> auto& { return c.data.dataset; })
              .label("Data set").flag("--dataset")
              .help("fashion-mnist is embedded (Debian's dataset-fashion-mnist); the others are read from data.folder."),
          setting("data.folder", [](RunConfig& c) -> auto& { return c.data.folder; })
              .label("Folder").flag("--data-dir").folder()
              .help("The data set's folder.").unset("the data set's default folder (Fashion-MNIST only)"),
          setting("data.train_per_class", [](RunConfig& c) -> auto& { return c.data.trainPerClass; })
              .label("Train images / class").flag("--train-per-class")
              .help("At most this many training images per class; 0 takes all.")
              .atLeast(0).expect("0 (all) or a positive count"),
          setting("data.test_per_class", [](RunConfig& c) -> auto& { return c.data.testPerClass; })
              .label("Test images / class").flag("--test-per-class")
              .help("At most this many test images per class; 0 takes the whole test split.")
              .atLeast(0).expect("0 (all) or a positive count"),
          setting("data.crop_padding", [](RunConfig& c) -> auto& { return c.data.cropPadding; })
              .label("Crop padding").flag("--crop-padding")
              .help("Random-crop padding in pixels; 0 crops nothing.").atLeast(0).atMost(16)
              .unset("4; 0 for Fashion-MNIST"),
          setting("data.flip", [](RunConfig& c) -> auto& { return c.data.flip; })
              .label("Horizontal flip").flag("--flip").help("Random horizontal flips.")
              .unset("true; false for Fashion-MNIST"),
          setting("data.prefetch", [](RunConfig& c) -> auto& { return c.data.prefetch; })
              .label("Prefetch batches").flag("--no-prefetch")
              .help("Prepare the next batch on a background thread (--no-prefetch: on the training thread)."),
          setting("data.placement", [](RunConfig& c) -> auto& { return c.data.placement; })
              .label("Image placement").flag("--data-placement")
              .help("Where the training and test images live while the run trains: device keeps them on the "
                    "run's device as uint8 and crops, flips and normalises there; host prepares batches in host "
                    "memory; auto is device on a GPU when the images fit, else host."));

    group("Network and optimiser",
          setting("model.arch", [](RunConfig& c) -> auto& { return c.arch; })
              .label("Network").flag("--arch").network().help("The network trained."),
          setting("optim.optimizer", [](RunConfig& c) -> auto& { return c.optim.optimizer; })
              .label("Optimiser").help("Stochastic gradient descent with momentum."),
          setting("optim.lr", [](RunConfig& c) -> auto& { return c.optim.lr; })
              .label("Learning rate").flag("--lr").help("Peak learning rate.")
              .above(0).atMost(10).expect("a learning rate in (0, 10]"),
          setting("optim.momentum", [](RunConfig& c) -> auto& { return c.optim.momentum; })
              .label("Momentum").flag("--momentum").help("SGD momentum.").atLeast(0).below(1),
          setting("optim.weight_decay", [](RunConfig& c) -> auto& { return c.optim.weightDecay; })
              .label("Weight decay").flag("--weight-decay").help("L2 weight decay.").atLeast(0).below(1),
          setting("optim.nesterov", [](RunConfig& c) -> auto& { return c.optim.nesterov; })
              .label("Nesterov momentum").flag("--nesterov").help("Nesterov's form of momentum (needs momentum > 0)."));

    group("Learning-rate schedule",
          setting("schedule.kind", [](RunConfig& c) -> auto& { return c.schedule.kind; })
              .label("Kind").flag("--schedule")
              .help("constant; multistep (lr times gamma at each milestone); cosine (annealing to min_lr after any "
                    "warm-up); onecycle (warm-up from lr/25 over 30% of training unless warmup_epochs is given, then "
                    "cosine annealing)."),
          setting("schedule.warmup_epochs", [](RunConfig& c) -> auto& { return c.schedule.warmupEpochs; })
              .label("Warm-up epochs").flag("--warmup-epochs")
              .help("Linear warm-up from 0 to the peak learning rate; fractions of an epoch allowed.")
              .atLeast(0).expect("a value in [0, epochs]"),
          setting("schedule.milestones", [](RunConfig& c) -> auto& { return c.schedule.milestones; })
              .label("Milestones").flag("--milestones")
              .help("Epochs at which the learning rate is multiplied by gamma, e.g. --milestones 150 180 210.")
              .expect("strictly increasing epochs in (0, epochs)")
              .when("schedule.kind is multistep", [](const RunConfig& c) { return c.schedule.kind == ScheduleKind::Multistep; }),
          setting("schedule.gamma", [](RunConfig& c) -> auto& { return c.schedule.gamma; })
              .label("Gamma").flag("--gamma").help("Multistep factor.").above(0).atMost(1).expect("a factor in (0, 1]")
              .when("schedule.kind is multistep", [](const RunConfig& c) { return c.schedule.kind == ScheduleKind::Multistep; }),
          setting("schedule.min_lr", [](RunConfig& c) -> auto& { return c.schedule.minLr; })
              .label("Minimum lr").flag("--min-lr").help("The floor a cosine or onecycle schedule decays to.")
              .atLeast(0).expect("a value in [0, optim.lr)")
              .when("schedule.kind is cosine or onecycle", [](const RunConfig& c) {
                  return c.schedule.kind == ScheduleKind::Cosine || c.schedule.kind == ScheduleKind::OneCycle;
              }));

    group("Contrastive term",
          setting("contrastive.enabled", [](RunConfig& c) -> auto& { return c.contrastive.enabled; })
              .label("Enabled: loss = CE + beta L_con")
              .help("Adds the contrastive loss over a memory bank."),
          setting("contrastive.objective", [](RunConfig& c) -> auto& { return c.contrastive.objective; })
              .label("Objective").flag("--objective")
              .help("infonce: InfoNCE over the bank; nce: CRD's NCE form; supcon: supervised contrastive loss within "
                    "class-balanced batches.")
              .when("contrastive.enabled", contrastiveOn),
          setting("contrastive.sampler", [](RunConfig& c) -> auto& { return c.contrastive.sampler; })
              .label("Sampler").flag("--sampler")
              .help("How negatives are drawn: uniformly, from the top-k similar classes, or from the top-k similar "
                    "samples.")
              .switchesOn("contrastive.enabled", "none")
              .when("contrastive.enabled", contrastiveOn),
          setting("contrastive.negatives", [](RunConfig& c) -> auto& { return c.contrastive.negatives; })
              .label("Negatives (K)").flag("--negatives").help("Negatives per anchor.")
              .atLeast(1).atMost(1 << 20).when("contrastive.enabled", contrastiveOn),
          setting("contrastive.tau", [](RunConfig& c) -> auto& { return c.contrastive.tau; })
              .label("Temperature tau").flag("--tau").help("Temperature of the contrastive loss.")
              .above(0).atMost(10).expect("a temperature in (0, 10]").when("contrastive.enabled", contrastiveOn),
          setting("contrastive.beta", [](RunConfig& c) -> auto& { return c.contrastive.beta; })
              .label("Weight beta").flag("--beta")
              .help("Weight of the contrastive loss (a distillation run weighs CRD with distill.crd_weight instead).")
              .atLeast(0).atMost(1000).expect("a weight in [0, 1000]").when("contrastive.enabled", contrastiveOn),
          setting("contrastive.momentum", [](RunConfig& c) -> auto& { return c.contrastive.momentum; })
              .label("Bank momentum").flag("--bank-momentum").help("Memory-bank update: row = m row + (1 - m) new.")
              .atLeast(0).below(1).when("contrastive.enabled", contrastiveOn),
          setting("contrastive.bank_dtype", [](RunConfig& c) -> auto& { return c.contrastive.bankDtype; })
              .label("Bank storage").flag("--bank-dtype")
              .help("What the memory banks store their rows in: fp32, or bf16/fp16 for half the memory (updates "
                    "and losses are computed in float32; on a GPU the bank's logits in its type).")
              .when("contrastive.enabled", contrastiveOn),
          setting("contrastive.feature_dim", [](RunConfig& c) -> auto& { return c.contrastive.featureDim; })
              .label("Feature dim").flag("--feature-dim").help("Output size of the projection head.")
              .atLeast(1).atMost(4096).when("contrastive.enabled", contrastiveOn),
          setting("contrastive.positive", [](RunConfig& c) -> auto& { return c.contrastive.positive; })
              .label("Positive").flag("--positive")
              .help("An anchor's positive: a bank row of its class, or its own bank row. CRD always uses its own.")
              .when("contrastive.enabled", contrastiveOn),
          setting("contrastive.epsilon", [](RunConfig& c) -> auto& { return c.contrastive.epsilon; })
              .label("Uniform share epsilon").flag("--epsilon")
              .help("Share of the negatives drawn uniformly instead of by the sampler.")
              .atLeast(0).atMost(1).expect("a share in [0, 1]").when("contrastive.enabled", contrastiveOn),
          setting("contrastive.refresh_epochs", [](RunConfig& c) -> auto& { return c.contrastive.refreshEpochs; })
              .label("Refresh every (epochs)").flag("--refresh-epochs")
              .help("Rebuild a model-based class similarity or the top-k table every R epochs.")
              .atLeast(1).when("contrastive.enabled", contrastiveOn),
          setting("contrastive.probe_anchors", [](RunConfig& c) -> auto& { return c.contrastive.probeAnchors; })
              .label("Probe anchors").flag("--probe-anchors")
              .help("Anchors whose negatives are recorded each epoch (the negatives inspector).")
              .atLeast(0).atMost(1024).when("contrastive.enabled", contrastiveOn),
          setting("contrastive.probe_negatives", [](RunConfig& c) -> auto& { return c.contrastive.probeNegatives; })
              .label("Probe negatives").flag("--probe-negatives")
              .help("Negatives recorded per probe anchor and epoch; at most contrastive.negatives are recorded "
                    "whatever this says.")
              .atLeast(0).atMost(1 << 20).when("contrastive.enabled", contrastiveOn),
          setting("contrastive.supcon.samples_per_class",
                  [](RunConfig& c) -> auto& { return c.contrastive.supconSamplesPerClass; })
              .label("SupCon samples / class").flag("--samples-per-class")
              .help("SupCon batches hold batch_size / m classes with m samples each (classes drawn by the class "
                    "similarity when the sampler is class, else uniformly).")
              .atLeast(1).when("contrastive.objective is supcon", [](const RunConfig& c) {
                  return c.contrastive.enabled && c.contrastive.objective == Objective::SupCon;
              }),
          setting("contrastive.reference.weights", [](RunConfig& c) -> auto& { return c.contrastive.referenceWeights; })
              .label("Reference weights").flag("--reference-weights").file()
              .help("A fixed reference network (ours or PyTorch's weights) whose outputs give the model-based "
                    "similarities, computed once.")
              .unset("none: the model itself, refreshed every R epochs")
              .when("contrastive.enabled", contrastiveOn),
          setting("contrastive.reference.arch", [](RunConfig& c) -> auto& { return c.contrastive.referenceArch; })
              .label("Reference network").flag("--reference-arch").network()
              .help("The reference network's architecture.").unset("the run's network (model.arch)")
              .when("contrastive.enabled", contrastiveOn));

    group("Class sampler",
          setting("contrastive.class.similarity", [](RunConfig& c) -> auto& { return c.contrastive.similarity; })
              .label("Similarity source").flag("--similarity")
              .help("Where the class similarity comes from: WordNet (Wu-Palmer), visual (class-mean embeddings), "
                    "confusion (mean softmax), or a file. The class sampler draws by it; every sampler's statistics "
                    "(share of negatives from the top-k classes) use it.")
              .when("contrastive.enabled", contrastiveOn),
          setting("contrastive.class.similarity_file", [](RunConfig& c) -> auto& { return c.contrastive.similarityFile; })
              .label("Similarity file").flag("--similarity-file").file()
              .help("A C x C similarity CSV or a word-vector text file.")
              .when("contrastive.class.similarity is file", [](const RunConfig& c) {
                  return c.contrastive.enabled && c.contrastive.similarity == ClassSimilaritySource::File;
              }),
          setting("contrastive.class.k", [](RunConfig& c) -> auto& { return c.contrastive.classK; })
              .label("Top-k classes").flag("--class-k").help("Negatives come from the k classes most similar to the anchor's.")
              .atLeast(1).expect("at least 1 (and below the number of classes)").when("contrastive.sampler is class", classSampler),
          setting("contrastive.class.tau", [](RunConfig& c) -> auto& { return c.contrastive.classTau; })
              .label("Class tau").flag("--class-tau").help("Softmax temperature over the top-k classes' similarities.")
              .above(0).expect("a temperature > 0").when("contrastive.sampler is class", classSampler),
          setting("contrastive.class.uniform", [](RunConfig& c) -> auto& { return c.contrastive.classUniform; })
              .label("Uniform over the top-k classes").flag("--class-uniform")
              .help("Draw the top-k classes uniformly instead of by softmax.").when("contrastive.sampler is class", classSampler));

    group("Instance sampler",
          setting("contrastive.instance.k", [](RunConfig& c) -> auto& { return c.contrastive.instanceK; })
              .label("Top-k instances").flag("--instance-k").help("Negatives come from each anchor's k most similar samples.")
              .atLeast(1).when("contrastive.sampler is instance", instanceSampler),
          setting("contrastive.instance.weighting", [](RunConfig& c) -> auto& { return c.contrastive.instanceWeighting; })
              .label("Weighting").flag("--instance-weighting").help("Uniform over the top-k, or softmax of their similarity.")
              .when("contrastive.sampler is instance", instanceSampler),
          setting("contrastive.instance.tau", [](RunConfig& c) -> auto& { return c.contrastive.instanceTau; })
              .label("Instance tau").flag("--instance-tau").help("Softmax temperature of the softmax weighting.")
              .above(0).expect("a temperature > 0").when("contrastive.sampler is instance", instanceSampler),
          setting("contrastive.instance.other_classes_only",
                  [](RunConfig& c) -> auto& { return c.contrastive.instanceOtherClassesOnly; })
              .label("Other classes only").flag("--instance-other-classes-only")
              .help("Keep only samples of other classes in the top-k table.")
              .when("contrastive.sampler is instance", instanceSampler));

    group("Latent Mixup pseudo-negatives",
          setting("contrastive.mixup.count", [](RunConfig& c) -> auto& { return c.contrastive.mixupCount; })
              .label("Count").flag("--mixup").help("Pseudo-negatives mixed per anchor; 0 switches Mixup off.")
              .atLeast(0).atMost(65536).expect("0 (off) or a count up to 65536").when("contrastive.enabled", contrastiveOn),
          setting("contrastive.mixup.alpha", [](RunConfig& c) -> auto& { return c.contrastive.mixupAlpha; })
              .label("Alpha").flag("--mixup-alpha").help("Mixing weights are drawn from Beta(alpha, alpha).")
              .above(0).expect("a Beta parameter > 0").when("contrastive.mixup.count > 0", [](const RunConfig& c) {
                  return c.contrastive.enabled && c.contrastive.mixupCount > 0;
              }),
          setting("contrastive.mixup.mode", [](RunConfig& c) -> auto& { return c.contrastive.mixupMode; })
              .label("Mode").flag("--mixup-mode").help("Mix two drawn negatives (pairs) or a negative with the anchor.")
              .when("contrastive.mixup.count > 0",
                    [](const RunConfig& c) { return c.contrastive.enabled && c.contrastive.mixupCount > 0; }));

    group("Distillation",
          setting("distill.method", [](RunConfig& c) -> auto& { return c.distill.method; })
              .label("Method").flag("--distill")
              .help("kd: Hinton's KD; crd: CRD (the contrastive section configures its negatives); crd+kd: both.")
              .switchesOnWhen("contrastive.enabled", "a crd method",
                              [](const RunConfig& c) { return c.distill.usesCrd(); }),
          setting("distill.teacher.weights", [](RunConfig& c) -> auto& { return c.distill.teacherWeights; })
              .label("Teacher weights").flag("--teacher").file()
              .help("The frozen teacher: an SCNS checkpoint or a PyTorch file.")
              .when("distill.method is not none", distilling),
          setting("distill.teacher.arch", [](RunConfig& c) -> auto& { return c.distill.teacherArch; })
              .label("Teacher network").flag("--teacher-arch").network()
              .help("The teacher's architecture.").unset("the network an SCNS checkpoint names")
              .when("distill.method is not none", distilling),
          setting("distill.teacher.run_id", [](RunConfig& c) -> auto& { return c.distill.teacherRunId; })
              .label("From run").flag("--teacher-run")
              .help("The stored run the teacher's weights come from; 0 for imported weights.")
              .atLeast(0).expect("0 (imported) or a run id").when("distill.method is not none", distilling),
          setting("distill.temperature", [](RunConfig& c) -> auto& { return c.distill.temperature; })
              .label("Temperature T").flag("--kd-temperature").help("KD's softmax temperature T.")
              .above(0).atMost(100).expect("a temperature in (0, 100]").when("distill.method is not none", distilling),
          setting("distill.ce_weight", [](RunConfig& c) -> auto& { return c.distill.ceWeight; })
              .label("CE weight (gamma)").flag("--ce-weight").help("gamma: weight of the cross-entropy term.")
              .atLeast(0).atMost(1000).expect("a weight in [0, 1000]").unset("0.1 for kd, else 1")
              .when("distill.method is not none", distilling),
          setting("distill.kd_weight", [](RunConfig& c) -> auto& { return c.distill.kdWeight; })
              .label("KD weight (alpha)").flag("--kd-weight").help("alpha: weight of the KD term.")
              .atLeast(0).atMost(1000).expect("a weight in [0, 1000]").unset("0.9 for kd, 1 for crd+kd, 0 for crd")
              .when("distill.method is not none", distilling),
          setting("distill.crd_weight", [](RunConfig& c) -> auto& { return c.distill.crdWeight; })
              .label("CRD weight (beta)").flag("--crd-weight").help("beta: weight of the CRD term.")
              .atLeast(0).atMost(1000).expect("a weight in [0, 1000]").unset("0.8 for crd and crd+kd, 0 for kd")
              .when("distill.method is not none", distilling));

    return all;
}

}  // namespace

std::string Setting::typeName() const
{
    switch (type) {
    case SettingType::Bool: return "true or false";
    case SettingType::Integer: return "integer";
    case SettingType::Seed: return "unsigned 64-bit integer";
    case SettingType::Real: return "number";
    case SettingType::Text: return "text";
    case SettingType::File: return "file path";
    case SettingType::Folder: return "folder path";
    case SettingType::Choice: return "one of " + joinChoices(choices);
    case SettingType::Network: return "network name";
    case SettingType::IntegerList: return "list of integers";
    case SettingType::OptionalInteger: return "integer or null";
    case SettingType::OptionalBool: return "true, false or null";
    case SettingType::OptionalReal: return "number or null";
    }
    return "value";
}

const std::vector<Setting>& runSettings()
{
    static const std::vector<Setting> all = declareSettings();
    return all;
}

const Setting* findSetting(std::string_view key)
{
    for (const auto& s : runSettings())
        if (s.key == key)
            return &s;
    return nullptr;
}

}  // namespace scns
