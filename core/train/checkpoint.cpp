#include "train/checkpoint.h"

#include <sstream>
#include <type_traits>

#include <ATen/CPUGeneratorImpl.h>

#include "common/errors.h"
#include "models/load_state_dict.h"
#include "models/weights_file.h"

namespace scns {

namespace {

constexpr std::int64_t kFormatVersion = 2;

// LibTorch keys an optimiser's per-parameter state by the parameter's TensorImpl: as a string
// in LibTorch 1.x, as the pointer itself in 2.x. This is the one place that differs.
template <class Optimizer>
auto stateKey(Optimizer& optimizer, const torch::Tensor& p)
{
    using Key = typename std::decay_t<decltype(optimizer.state())>::key_type;
    if constexpr (std::is_same_v<Key, std::string>) {
        // c10::guts::to_string(impl), which later LibTorch versions no longer have.
        std::ostringstream os;
        os << static_cast<const void*>(p.unsafeGetTensorImpl());
        return os.str();
    } else {
        return static_cast<Key>(p.unsafeGetTensorImpl());
    }
}

std::vector<torch::Tensor> parametersOf(torch::optim::SGD& optimizer)
{
    std::vector<torch::Tensor> out;
    for (auto& group : optimizer.param_groups())
        for (auto& p : group.params())
            out.push_back(p);
    return out;
}

// optimizer.state_dict()'s layout: state by parameter index, then the groups' options.
TorchValue optimizerState(torch::optim::SGD& optimizer)
{
    TorchValue out = TorchValue::dict();
    out.set("type", TorchValue::of(std::string("SGD")));
    TorchValue& state = out.set("state", TorchValue::dict());
    const auto params = parametersOf(optimizer);
    for (std::size_t i = 0; i < params.size(); ++i) {
        const auto it = optimizer.state().find(stateKey(optimizer, params[i]));
        if (it == optimizer.state().end())
            continue;
        const auto& s = static_cast<const torch::optim::SGDParamState&>(*it->second);
        if (!s.momentum_buffer().defined())
            continue;
        TorchValue& entry = state.set(std::to_string(i), TorchValue::dict());
        entry.set("momentum_buffer", TorchValue::of(s.momentum_buffer()));
    }
    TorchValue& groups = out.set("param_groups", TorchValue::list());
    std::int64_t first = 0;
    for (auto& group : optimizer.param_groups()) {
        const auto& o = static_cast<const torch::optim::SGDOptions&>(group.options());
        TorchValue g = TorchValue::dict();
        g.set("lr", TorchValue::of(o.lr()));
        g.set("momentum", TorchValue::of(o.momentum()));
        g.set("dampening", TorchValue::of(o.dampening()));
        g.set("weight_decay", TorchValue::of(o.weight_decay()));
        g.set("nesterov", TorchValue::of(o.nesterov()));
        TorchValue& ids = g.set("params", TorchValue::list());
        for (std::size_t k = 0; k < group.params().size(); ++k)
            ids.items.push_back(TorchValue::of(first++));
        groups.items.push_back(std::move(g));
    }
    return out;
}

std::int64_t intAt(const TorchValue& dict, const std::string& key, const std::string& file)
{
    const TorchValue* v = dict.find(key);
    if (!v || v->kind != TorchValue::Kind::Int)
        throw CheckpointError(file + ": not an SCNS checkpoint: '" + key + "' is "
                              + (v ? "a " + v->describe() : std::string("missing")) + ", expected an int");
    return v->integer;
}

std::string textAt(const TorchValue& dict, const std::string& key, const std::string& file, bool required)
{
    const TorchValue* v = dict.find(key);
    if (v && v->kind == TorchValue::Kind::String)
        return v->text;
    if (!required && !v)
        return {};
    throw CheckpointError(file + ": not an SCNS checkpoint: '" + key + "' is "
                          + (v ? "a " + v->describe() : std::string("missing")) + ", expected a string");
}

// The key is a C string: a std::string temporary in the call would make GCC 14 warn that the
// returned reference may dangle (-Wdangling-reference), although it refers into `dict`.
const TorchValue& dictAt(const TorchValue& dict, const char* key, const std::string& file)
{
    const TorchValue* v = dict.find(key);
    if (!v || v->kind != TorchValue::Kind::Dict)
        throw CheckpointError(file + ": not an SCNS checkpoint: '" + std::string(key) + "' is "
                              + (v ? "a " + v->describe() : std::string("missing")) + ", expected a dict");
    return *v;
}

// Momentum buffers by parameter index. Format 2: state["<i>"]["momentum_buffer"]. Format 1
// (LibTorch's SGD::save): state keyed by the saving process's TensorImpl addresses, which
// param_groups/0's params/<i> list in parameter order.
std::vector<torch::Tensor> momentumBuffers(const TorchValue& optim, int format, std::size_t count,
                                           const std::string& file)
{
    std::vector<torch::Tensor> out(count);
    const TorchValue& state = dictAt(optim, "state", file);
    std::vector<std::string> keys(count);
    if (format >= 2) {
        for (std::size_t i = 0; i < count; ++i)
            keys[i] = std::to_string(i);
    } else {
        const TorchValue& groups = dictAt(optim, "param_groups", file);
        const TorchValue* group = groups.find("param_groups/0");
        for (std::size_t i = 0; group && i < count; ++i)
            if (const TorchValue* k = group->find("params/" + std::to_string(i)); k && k->kind == TorchValue::Kind::String)
                keys[i] = k->text;
    }
    for (std::size_t i = 0; i < count; ++i) {
        const TorchValue* entry = keys[i].empty() ? nullptr : state.find(keys[i]);
        const TorchValue* buffer = entry ? entry->find("momentum_buffer") : nullptr;
        if (buffer && buffer->kind == TorchValue::Kind::Tensor)
            out[i] = buffer->tensor;
    }
    return out;
}

}  // namespace

StateDict flattenTensors(const TorchValue& dict)
{
    StateDict out;
    const std::function<void(const TorchValue&, const std::string&, int)> walk = [&](const TorchValue& d,
                                                                                      const std::string& prefix,
                                                                                      int depth) {
        for (const auto& [key, v] : d.entries) {
            if (v.kind == TorchValue::Kind::Tensor)
                out.emplace_back(prefix + key, v.tensor);
            else if (v.kind == TorchValue::Kind::Dict && depth < 64)
                walk(v, prefix + key + ".", depth + 1);
        }
    };
    walk(dict, "", 0);
    return out;
}

void saveCheckpoint(const std::filesystem::path& file, torch::nn::Module& model, torch::optim::SGD& optimizer,
                    const CheckpointMeta& meta, const SaveExtra& extra)
{
    TorchValue root = TorchValue::dict();
    root.set("format", TorchValue::of(std::string(kScnsCheckpointTag)));
    root.set("format_version", TorchValue::of(kFormatVersion));
    root.set("arch", TorchValue::of(meta.arch));
    root.set("dataset", TorchValue::of(meta.dataset));
    root.set("epochs_completed", TorchValue::of(meta.epochsCompleted));
    root.set("step", TorchValue::of(meta.step));
    TorchValue& weights = root.set("model", TorchValue::dict(/*ordered=*/true));
    for (const auto& [key, t] : stateDict(model))
        weights.set(key, TorchValue::of(t.detach()));
    root.set("optimizer", optimizerState(optimizer));
    if (extra)
        extra(root.set("extra", TorchValue::dict()));
    {
        auto gen = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        root.set("cpu_rng_state", TorchValue::of(gen.get_state()));
    }
    writeTorchFile(root, file);
}

CheckpointMeta loadCheckpoint(const std::filesystem::path& file, const std::string& arch, torch::nn::Module& model,
                              torch::optim::SGD& optimizer, const LoadExtra& extra)
{
    const std::string name = file.string();
    if (!std::filesystem::exists(file))
        throw CheckpointError(name + ": checkpoint file not found");
    const TorchValue root = readTorchFile(file);
    if (root.kind != TorchValue::Kind::Dict)
        throw CheckpointError(name + ": not an SCNS checkpoint: the file holds a " + root.describe());
    CheckpointMeta meta;
    const std::int64_t version = intAt(root, "format_version", name);
    if (version < 1 || version > kFormatVersion)
        throw CheckpointError(name + ": checkpoint format " + std::to_string(version) + ", this program reads formats 1 to "
                              + std::to_string(kFormatVersion));
    if (version >= 2 && textAt(root, "format", name, true) != kScnsCheckpointTag)
        throw CheckpointError(name + ": not an SCNS checkpoint: 'format' is not '" + kScnsCheckpointTag + "'");
    meta.formatVersion = static_cast<int>(version);
    meta.arch = textAt(root, "arch", name, true);
    if (meta.arch != arch)
        throw CheckpointError(name + ": holds a " + meta.arch + " network, the run trains a " + arch);
    meta.dataset = textAt(root, "dataset", name, false);
    meta.epochsCompleted = intAt(root, "epochs_completed", name);
    meta.step = intAt(root, "step", name);
    if (meta.epochsCompleted < 0 || meta.step < 0)
        throw CheckpointError(name + ": negative epochs_completed or step");

    // Check everything before changing anything: a bad file leaves the run as it was.
    const StateDict weights = flattenTensors(dictAt(root, "model", name));
    const auto params = parametersOf(optimizer);
    const auto buffers = momentumBuffers(dictAt(root, "optimizer", name), meta.formatVersion, params.size(), name);
    for (std::size_t i = 0; i < params.size(); ++i)
        if (buffers[i].defined() && !buffers[i].sizes().equals(params[i].sizes()))
            throw CheckpointError(name + ": the optimiser's momentum for parameter " + std::to_string(i)
                                  + " does not fit the model");
    const TorchValue* rng = root.find("cpu_rng_state");
    if (!rng || rng->kind != TorchValue::Kind::Tensor || rng->tensor.scalar_type() != torch::kByte)
        throw CheckpointError(name + ": not an SCNS checkpoint: no CPU random-number state");
    const TorchValue* extraState = root.find("extra");
    if (extra && (!extraState || extraState->kind != TorchValue::Kind::Dict))
        throw CheckpointError(name + ": holds no contrastive state (head, memory bank); "
                                     "it was written by a run without the contrastive term");

    loadStateDict(model, weights, name, arch);
    {
        torch::NoGradGuard noGrad;
        for (std::size_t i = 0; i < params.size(); ++i) {
            if (!buffers[i].defined())
                continue;
            auto s = std::make_unique<torch::optim::SGDParamState>();
            s->momentum_buffer(buffers[i].to(params[i].device(), params[i].scalar_type()).clone());
            optimizer.state()[stateKey(optimizer, params[i])] = std::move(s);
        }
    }
    if (extra)
        extra(*extraState, name);
    try {
        auto gen = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        gen.set_state(rng->tensor);
    } catch (const std::exception& e) {
        const std::string what = e.what();
        throw CheckpointError(name + ": the CPU random-number state cannot be restored: " + what.substr(0, what.find('\n')));
    }
    return meta;
}

}  // namespace scns
