#include "train/run_config.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "common/json_text.h"
#include "common/message_text.h"
#include "data/dataset_registry.h"
#include "models/model_names.h"
#include "train/json_fields.h"

namespace scns {

using nlohmann::json;

namespace {

bool isFashionMnist(const std::string& dataset) { return dataset == "fashion-mnist"; }

std::string joinNames(const std::vector<std::string>& names)
{
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

template <typename T>
std::string str(const T& v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}


bool oneOf(const std::string& v, std::initializer_list<const char*> allowed)
{
    return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return v == a; });
}

void validateContrastive(const ContrastiveConfig& c, std::int64_t batchSize, std::vector<FieldProblem>& p)
{
    if (!c.enabled)
        return;
    const std::string k = "contrastive.";
    if (!oneOf(c.objective, {"infonce", "nce", "supcon"}))
        p.push_back({k + "objective", c.objective, "infonce, nce or supcon"});
    if (c.supconSamplesPerClass < 1)
        p.push_back({k + "supcon.samples_per_class", str(c.supconSamplesPerClass), "at least 1"});
    if (!oneOf(c.sampler, {"uniform", "class", "instance"}))
        p.push_back({k + "sampler", c.sampler, "uniform, class or instance"});
    if (c.negatives < 1 || c.negatives > 1 << 20)
        p.push_back({k + "negatives", str(c.negatives), "an integer in [1, 1048576]"});
    if (!(c.tau > 0 && c.tau <= 10))
        p.push_back({k + "tau", str(c.tau), "a temperature in (0, 10]"});
    if (!(c.beta >= 0 && c.beta <= 1000))
        p.push_back({k + "beta", str(c.beta), "a weight in [0, 1000]"});
    if (!(c.momentum >= 0 && c.momentum < 1))
        p.push_back({k + "momentum", str(c.momentum), "a value in [0, 1)"});
    if (c.featureDim < 1 || c.featureDim > 4096)
        p.push_back({k + "feature_dim", str(c.featureDim), "an integer in [1, 4096]"});
    if (!oneOf(c.positive, {"same-class", "self"}))
        p.push_back({k + "positive", c.positive, "same-class or self"});
    if (!(c.epsilon >= 0 && c.epsilon <= 1))
        p.push_back({k + "epsilon", str(c.epsilon), "a share in [0, 1]"});
    if (c.refreshEpochs < 1)
        p.push_back({k + "refresh_epochs", str(c.refreshEpochs), "at least 1"});
    if (c.probeAnchors < 0 || c.probeAnchors > 1024)
        p.push_back({k + "probe_anchors", str(c.probeAnchors), "an integer in [0, 1024]"});
    // At most `negatives` are recorded whatever this says (the term takes the smaller), so a
    // user's --negatives 16 never fails on the default of 32 they did not set.
    if (c.probeNegatives < 0 || c.probeNegatives > 1 << 20)
        p.push_back({k + "probe_negatives", str(c.probeNegatives), "an integer in [0, 1048576]"});
    if (!oneOf(c.similarity, {"wordnet", "visual", "confusion", "file"}))
        p.push_back({k + "class.similarity", c.similarity, "wordnet, visual, confusion or file"});
    if (c.similarity == "file" && c.similarityFile.empty())
        p.push_back({k + "class.similarity_file", "\"\"", "a CSV or word-vector file when class.similarity is file"});
    if (c.classK < 1)
        p.push_back({k + "class.k", str(c.classK), "at least 1 (and below the number of classes)"});
    if (!(c.classTau > 0))
        p.push_back({k + "class.tau", str(c.classTau), "a temperature > 0"});
    if (c.instanceK < 1)
        p.push_back({k + "instance.k", str(c.instanceK), "at least 1"});
    if (!oneOf(c.instanceWeighting, {"uniform", "softmax"}))
        p.push_back({k + "instance.weighting", c.instanceWeighting, "uniform or softmax"});
    if (!(c.instanceTau > 0))
        p.push_back({k + "instance.tau", str(c.instanceTau), "a temperature > 0"});
    if (c.mixupCount < 0 || c.mixupCount > 65536)
        p.push_back({k + "mixup.count", str(c.mixupCount), "0 (off) or a count up to 65536"});
    if (c.objective == "supcon" && c.supconSamplesPerClass >= 1
        && (batchSize % c.supconSamplesPerClass != 0 || batchSize / c.supconSamplesPerClass < 2))
        p.push_back({"batch_size", str(batchSize),
                     "a multiple of contrastive.supcon.samples_per_class = " + str(c.supconSamplesPerClass)
                         + " holding at least 2 classes (supcon batches are classes x samples per class)"});
    if (!c.referenceArch.empty()) {
        const auto& archs = knownArchitectures();
        if (std::find(archs.begin(), archs.end(), c.referenceArch) == archs.end())
            p.push_back({k + "reference.arch", c.referenceArch, "one of " + joinNames(archs)});
    }
    if (c.objective == "supcon" && c.mixupCount > 0)
        p.push_back({k + "mixup.count", str(c.mixupCount), "0 with objective supcon (no memory-bank negatives to mix)"});
    if (!(c.mixupAlpha > 0))
        p.push_back({k + "mixup.alpha", str(c.mixupAlpha), "a Beta parameter > 0"});
    if (!oneOf(c.mixupMode, {"pairs", "anchor"}))
        p.push_back({k + "mixup.mode", c.mixupMode, "pairs or anchor"});
}

void validateDistill(const DistillConfig& d, const ContrastiveConfig& c, std::vector<FieldProblem>& p)
{
    const std::string k = "distill.";
    if (!oneOf(d.method, {"none", "kd", "crd", "crd+kd"})) {
        p.push_back({k + "method", d.method, "none, kd, crd or crd+kd"});
        return;
    }
    if (!d.enabled())
        return;
    if (d.teacherWeights.empty())
        p.push_back({k + "teacher.weights", "\"\"", "the teacher's weights file (an SCNS checkpoint or a PyTorch file)"});
    if (!d.teacherArch.empty()) {
        const auto& archs = knownArchitectures();
        if (std::find(archs.begin(), archs.end(), d.teacherArch) == archs.end())
            p.push_back({k + "teacher.arch", d.teacherArch, "one of " + joinNames(archs)});
    }
    if (d.teacherRunId < 0)
        p.push_back({k + "teacher.run_id", str(d.teacherRunId), "0 (imported) or a run id"});
    if (!(d.temperature > 0 && d.temperature <= 100))
        p.push_back({k + "temperature", str(d.temperature), "a temperature in (0, 100]"});
    for (const auto& [name, w] : {std::pair{"ce_weight", d.ceWeight}, {"kd_weight", d.kdWeight}, {"crd_weight", d.crdWeight}})
        if (w && !(*w >= 0 && *w <= 1000))
            p.push_back({k + name, str(*w), "a weight in [0, 1000]"});
    if (!c.referenceWeights.empty())
        p.push_back({"contrastive.reference.weights", c.referenceWeights,
                     "empty in a distillation run (the teacher is the reference network)"});
    if (d.usesCrd()) {
        if (!c.enabled)
            p.push_back({"contrastive.enabled", "false",
                         "true with distill.method " + d.method + " (the contrastive section configures CRD)"});
        if (c.objective == "supcon")
            p.push_back({"contrastive.objective", c.objective, "infonce or nce with distill.method " + d.method});
    }
}

}  // namespace

double DistillConfig::gamma() const { return ceWeight.value_or(method == "kd" ? 0.1 : 1.0); }
double DistillConfig::alpha() const
{
    return kdWeight.value_or(method == "kd" ? 0.9 : method == "crd+kd" ? 1.0 : 0.0);
}
double DistillConfig::beta() const { return crdWeight.value_or(usesCrd() ? 0.8 : 0.0); }

std::int64_t DataConfig::resolvedCropPadding() const
{
    return cropPadding.value_or(isFashionMnist(dataset) ? 0 : 4);
}

bool DataConfig::resolvedFlip() const { return flip.value_or(!isFashionMnist(dataset)); }

std::string RunConfig::displayName() const
{
    if (!name.empty())
        return name;
    return data.dataset + "-" + arch + "-seed" + std::to_string(seed);
}

void RunConfig::validate() const
{
    std::vector<FieldProblem> p;
    const auto datasets = knownDatasets();
    if (std::find(datasets.begin(), datasets.end(), data.dataset) == datasets.end())
        p.push_back({"data.dataset", data.dataset, "one of " + joinNames(datasets)});
    if (data.trainPerClass < 0)
        p.push_back({"data.train_per_class", str(data.trainPerClass), "0 (all) or a positive count"});
    if (data.testPerClass < 0)
        p.push_back({"data.test_per_class", str(data.testPerClass), "0 (all) or a positive count"});
    if (data.cropPadding && (*data.cropPadding < 0 || *data.cropPadding > 16))
        p.push_back({"data.crop_padding", str(*data.cropPadding), "an integer in [0, 16]"});
    const auto archs = knownArchitectures();
    if (std::find(archs.begin(), archs.end(), arch) == archs.end())
        p.push_back({"model.arch", arch, "one of " + joinNames(archs)});
    if (optim.optimizer != "sgd")
        p.push_back({"optim.optimizer", optim.optimizer, "sgd"});
    if (!(optim.lr > 0 && optim.lr <= 10))
        p.push_back({"optim.lr", str(optim.lr), "a learning rate in (0, 10]"});
    if (!(optim.momentum >= 0 && optim.momentum < 1))
        p.push_back({"optim.momentum", str(optim.momentum), "a value in [0, 1)"});
    if (!(optim.weightDecay >= 0 && optim.weightDecay < 1))
        p.push_back({"optim.weight_decay", str(optim.weightDecay), "a value in [0, 1)"});
    if (optim.nesterov && optim.momentum <= 0)
        p.push_back({"optim.nesterov", "true", "false when momentum is 0 (Nesterov needs momentum)"});
    static const std::vector<std::string> kinds = {"constant", "multistep", "cosine", "onecycle"};
    if (std::find(kinds.begin(), kinds.end(), schedule.kind) == kinds.end())
        p.push_back({"schedule.kind", schedule.kind, "one of " + joinNames(kinds)});
    if (!(schedule.warmupEpochs >= 0 && schedule.warmupEpochs <= static_cast<double>(epochs)))
        p.push_back({"schedule.warmup_epochs", str(schedule.warmupEpochs),
                     "a value in [0, epochs = " + str(epochs) + "]"});
    for (std::size_t i = 0; i < schedule.milestones.size(); ++i) {
        const auto m = schedule.milestones[i];
        if (m <= 0 || m >= epochs || (i > 0 && m <= schedule.milestones[i - 1]))
            p.push_back({"schedule.milestones[" + str(i) + "]", str(m),
                         "strictly increasing epochs in (0, epochs = " + str(epochs) + ")"});
    }
    if (schedule.kind == "multistep" && schedule.milestones.empty())
        p.push_back({"schedule.milestones", "[]", "at least one epoch for a multistep schedule"});
    if (!(schedule.gamma > 0 && schedule.gamma <= 1))
        p.push_back({"schedule.gamma", str(schedule.gamma), "a factor in (0, 1]"});
    if (!(schedule.minLr >= 0 && (optim.lr <= 0 || schedule.minLr < optim.lr)))
        p.push_back({"schedule.min_lr", str(schedule.minLr), "a value in [0, optim.lr)"});
    if (epochs < 1 || epochs > 100000)
        p.push_back({"epochs", str(epochs), "an integer in [1, 100000]"});
    if (batchSize < 1 || batchSize > 65536)
        p.push_back({"batch_size", str(batchSize), "an integer in [1, 65536]"});
    if (evalBatchSize < 1 || evalBatchSize > 65536)
        p.push_back({"eval_batch_size", str(evalBatchSize), "an integer in [1, 65536]"});
    if (threads < 0 || threads > 1024)
        p.push_back({"threads", str(threads), "0 (all cores) or a thread count up to 1024"});
    const bool cudaDevice = device.rfind("cuda:", 0) == 0 && device.size() > 5
                            && device.find_first_not_of("0123456789", 5) == std::string::npos;
    if (device != "cpu" && device != "cuda" && !cudaDevice)
        p.push_back({"device", device, "cpu, cuda or cuda:N"});
    validateContrastive(contrastive, batchSize, p);
    validateDistill(distill, contrastive, p);
    if (checkpoint.keep < 1)
        p.push_back({"checkpoint.keep", str(checkpoint.keep), "at least 1 (resume needs the newest)"});
    if (!(divergenceLoss > 0 && std::isfinite(divergenceLoss)))
        p.push_back({"divergence_loss", str(divergenceLoss), "a finite loss bound > 0 (default 1e6)"});
    // Every string is stored as JSON and printed: it must be text.
    for (const auto& [field, value] : std::initializer_list<std::pair<const char*, const std::string*>>{
             {"name", &name}, {"data.dataset", &data.dataset}, {"data.folder", &data.folder}, {"model.arch", &arch},
             {"optim.optimizer", &optim.optimizer}, {"schedule.kind", &schedule.kind}, {"device", &device},
             {"contrastive.objective", &contrastive.objective}, {"contrastive.sampler", &contrastive.sampler},
             {"contrastive.positive", &contrastive.positive}, {"contrastive.class.similarity", &contrastive.similarity},
             {"contrastive.class.similarity_file", &contrastive.similarityFile},
             {"contrastive.reference.weights", &contrastive.referenceWeights},
             {"contrastive.reference.arch", &contrastive.referenceArch},
             {"contrastive.instance.weighting", &contrastive.instanceWeighting},
             {"contrastive.mixup.mode", &contrastive.mixupMode}, {"distill.method", &distill.method},
             {"distill.teacher.weights", &distill.teacherWeights}, {"distill.teacher.arch", &distill.teacherArch}})
        if (!isValidUtf8(*value)) {
            // Captured by copy: clang 14 (the fuzz build) cannot capture a structured binding.
            std::erase_if(p, [name = std::string(field)](const FieldProblem& q) { return q.field == name; });
            p.push_back({field, quoteForMessage(*value), "valid UTF-8 text"});
        }
    if (!p.empty())
        throw ConfigError(std::move(p));
}

std::uint64_t parseSeedText(const std::string& text, const std::string& field)
{
    std::uint64_t seed = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
        throw ConfigError({{field, text,
                            !text.empty() && text[0] == '-' ? "a non-negative integer (negative seeds are not allowed)"
                            : ec == std::errc::result_out_of_range ? "an integer in [0, 2^64 - 1] (the number overflows)"
                                                                   : "an integer in [0, 2^64 - 1]"}});
    return seed;
}

RunConfig runConfigFromJson(const json& j)
{
    std::vector<FieldProblem> p;
    RunConfig c;
    if (!j.is_object())
        throw ConfigError({{"(top level)", jsonForMessage(j, 60), "a JSON object"}});
    JsonFieldReader top(j, "", p);
    top.read("name", c.name, "a string");
    top.read("epochs", c.epochs, "an integer");
    top.read("batch_size", c.batchSize, "an integer");
    top.read("eval_batch_size", c.evalBatchSize, "an integer");
    top.read("seed", c.seed, "a non-negative integer");
    top.read("threads", c.threads, "an integer");
    top.read("device", c.device, "a string: cpu, cuda or cuda:N");
    top.read("divergence_loss", c.divergenceLoss, "a number");

    const json data = top.object("data");
    JsonFieldReader d(data, "data.", p);
    d.read("dataset", c.data.dataset, "a string");
    d.read("folder", c.data.folder, "a folder path");
    d.read("train_per_class", c.data.trainPerClass, "an integer");
    d.read("test_per_class", c.data.testPerClass, "an integer");
    d.readOptional("crop_padding", c.data.cropPadding, "an integer");
    d.readOptional("flip", c.data.flip, "true or false");
    d.read("prefetch", c.data.prefetch, "true or false");
    d.reportUnknown();

    const json model = top.object("model");
    JsonFieldReader m(model, "model.", p);
    m.read("arch", c.arch, "a network name");
    m.reportUnknown();

    const json optim = top.object("optim");
    JsonFieldReader o(optim, "optim.", p);
    o.read("optimizer", c.optim.optimizer, "a string");
    o.read("lr", c.optim.lr, "a number");
    o.read("momentum", c.optim.momentum, "a number");
    o.read("weight_decay", c.optim.weightDecay, "a number");
    o.read("nesterov", c.optim.nesterov, "true or false");
    o.reportUnknown();

    const json schedule = top.object("schedule");
    JsonFieldReader s(schedule, "schedule.", p);
    s.read("kind", c.schedule.kind, "a string");
    s.read("warmup_epochs", c.schedule.warmupEpochs, "a number");
    s.read("milestones", c.schedule.milestones, "a list of integers");
    s.read("gamma", c.schedule.gamma, "a number");
    s.read("min_lr", c.schedule.minLr, "a number");
    s.reportUnknown();

    const json contrastive = top.object("contrastive");
    JsonFieldReader r(contrastive, "contrastive.", p);
    ContrastiveConfig& cc = c.contrastive;
    r.read("enabled", cc.enabled, "true or false");
    r.read("objective", cc.objective, "a string");
    r.read("sampler", cc.sampler, "a string");
    r.read("negatives", cc.negatives, "an integer");
    r.read("tau", cc.tau, "a number");
    r.read("beta", cc.beta, "a number");
    r.read("momentum", cc.momentum, "a number");
    r.read("feature_dim", cc.featureDim, "an integer");
    r.read("positive", cc.positive, "a string");
    r.read("epsilon", cc.epsilon, "a number");
    r.read("refresh_epochs", cc.refreshEpochs, "an integer");
    r.read("probe_anchors", cc.probeAnchors, "an integer");
    r.read("probe_negatives", cc.probeNegatives, "an integer");
    const json cls = r.object("class");
    JsonFieldReader rc(cls, "contrastive.class.", p);
    rc.read("similarity", cc.similarity, "a string");
    rc.read("similarity_file", cc.similarityFile, "a file path");
    rc.read("k", cc.classK, "an integer");
    rc.read("tau", cc.classTau, "a number");
    rc.read("uniform", cc.classUniform, "true or false");
    rc.reportUnknown();
    const json inst = r.object("instance");
    JsonFieldReader ri(inst, "contrastive.instance.", p);
    ri.read("k", cc.instanceK, "an integer");
    ri.read("weighting", cc.instanceWeighting, "a string");
    ri.read("tau", cc.instanceTau, "a number");
    ri.read("other_classes_only", cc.instanceOtherClassesOnly, "true or false");
    ri.reportUnknown();
    const json mix = r.object("mixup");
    JsonFieldReader rm(mix, "contrastive.mixup.", p);
    rm.read("count", cc.mixupCount, "an integer");
    rm.read("alpha", cc.mixupAlpha, "a number");
    rm.read("mode", cc.mixupMode, "a string");
    rm.reportUnknown();
    const json ref = r.object("reference");
    JsonFieldReader rr(ref, "contrastive.reference.", p);
    rr.read("weights", cc.referenceWeights, "a weights file path");
    rr.read("arch", cc.referenceArch, "a network name");
    rr.reportUnknown();
    const json sup = r.object("supcon");
    JsonFieldReader rs(sup, "contrastive.supcon.", p);
    rs.read("samples_per_class", cc.supconSamplesPerClass, "an integer");
    rs.reportUnknown();
    r.reportUnknown();

    const json distill = top.object("distill");
    JsonFieldReader rd(distill, "distill.", p);
    DistillConfig& dc = c.distill;
    rd.read("method", dc.method, "a string");
    const json teacher = rd.object("teacher");
    JsonFieldReader rt(teacher, "distill.teacher.", p);
    rt.read("weights", dc.teacherWeights, "a weights file path");
    rt.read("arch", dc.teacherArch, "a network name");
    rt.read("run_id", dc.teacherRunId, "an integer");
    rt.reportUnknown();
    rd.read("temperature", dc.temperature, "a number");
    rd.readOptional("ce_weight", dc.ceWeight, "a number");
    rd.readOptional("kd_weight", dc.kdWeight, "a number");
    rd.readOptional("crd_weight", dc.crdWeight, "a number");
    rd.reportUnknown();
    // A crd method is the contrastive term in CRD form: switched on with it.
    if (dc.usesCrd() && !contrastive.contains("enabled"))
        cc.enabled = true;

    const json checkpoint = top.object("checkpoint");
    JsonFieldReader k(checkpoint, "checkpoint.", p);
    k.read("keep", c.checkpoint.keep, "an integer");
    k.reportUnknown();
    top.reportUnknown();

    // Type problems first; range problems only make sense on well-typed values, but report
    // both kinds together so a user fixes a file in one pass.
    try {
        c.validate();
    } catch (const ConfigError& e) {
        for (const auto& q : e.problems()) {
            const bool dup = std::any_of(p.begin(), p.end(), [&](const FieldProblem& x) { return x.field == q.field; });
            if (!dup)
                p.push_back(q);
        }
    }
    if (!p.empty())
        throw ConfigError(std::move(p));
    return c;
}

RunConfig runConfigFromJsonText(const std::string& text, const std::string& source)
{
    return runConfigFromJson(parseJsonText(text, source));
}

RunConfig loadRunConfig(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ConfigError({{"config file", path, "a readable JSON file"}});
    std::stringstream buffer;
    buffer << in.rdbuf();
    return runConfigFromJsonText(buffer.str(), path);
}

json toJson(const ContrastiveConfig& c)
{
    return {{"enabled", c.enabled},
            {"objective", c.objective},
            {"sampler", c.sampler},
            {"negatives", c.negatives},
            {"tau", c.tau},
            {"beta", c.beta},
            {"momentum", c.momentum},
            {"feature_dim", c.featureDim},
            {"positive", c.positive},
            {"epsilon", c.epsilon},
            {"refresh_epochs", c.refreshEpochs},
            {"probe_anchors", c.probeAnchors},
            {"probe_negatives", c.probeNegatives},
            {"class",
             {{"similarity", c.similarity},
              {"similarity_file", c.similarityFile},
              {"k", c.classK},
              {"tau", c.classTau},
              {"uniform", c.classUniform}}},
            {"instance",
             {{"k", c.instanceK},
              {"weighting", c.instanceWeighting},
              {"tau", c.instanceTau},
              {"other_classes_only", c.instanceOtherClassesOnly}}},
            {"mixup", {{"count", c.mixupCount}, {"alpha", c.mixupAlpha}, {"mode", c.mixupMode}}},
            {"supcon", {{"samples_per_class", c.supconSamplesPerClass}}},
            {"reference", {{"weights", c.referenceWeights}, {"arch", c.referenceArch}}}};
}

json toJson(const DistillConfig& d)
{
    const auto optional = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
    return {{"method", d.method},
            {"teacher", {{"weights", d.teacherWeights}, {"arch", d.teacherArch}, {"run_id", d.teacherRunId}}},
            {"temperature", d.temperature},
            {"ce_weight", optional(d.ceWeight)},
            {"kd_weight", optional(d.kdWeight)},
            {"crd_weight", optional(d.crdWeight)}};
}

json toJson(const RunConfig& c)
{
    json data = {{"dataset", c.data.dataset},
                 {"folder", c.data.folder},
                 {"train_per_class", c.data.trainPerClass},
                 {"test_per_class", c.data.testPerClass},
                 {"prefetch", c.data.prefetch}};
    data["crop_padding"] = c.data.cropPadding ? json(*c.data.cropPadding) : json(nullptr);
    data["flip"] = c.data.flip ? json(*c.data.flip) : json(nullptr);
    return {{"name", c.name},
            {"data", data},
            {"model", {{"arch", c.arch}}},
            {"optim",
             {{"optimizer", c.optim.optimizer},
              {"lr", c.optim.lr},
              {"momentum", c.optim.momentum},
              {"weight_decay", c.optim.weightDecay},
              {"nesterov", c.optim.nesterov}}},
            {"schedule",
             {{"kind", c.schedule.kind},
              {"warmup_epochs", c.schedule.warmupEpochs},
              {"milestones", c.schedule.milestones},
              {"gamma", c.schedule.gamma},
              {"min_lr", c.schedule.minLr}}},
            {"epochs", c.epochs},
            {"batch_size", c.batchSize},
            {"eval_batch_size", c.evalBatchSize},
            {"seed", c.seed},
            {"threads", c.threads},
            {"device", c.device},
            {"divergence_loss", c.divergenceLoss},
            {"contrastive", toJson(c.contrastive)},
            {"distill", toJson(c.distill)},
            {"checkpoint", {{"keep", c.checkpoint.keep}}}};
}

std::string toJsonText(const RunConfig& c) { return toJson(c).dump(2); }

}  // namespace scns
