#include "models/weights_file.h"

#include <ATen/core/ivalue.h>
#include <torch/serialize/input-archive.h>

#include "common/errors.h"
#include "io/torch_pickle.h"
#include "io/torch_zip.h"

namespace scns {

namespace {

// Keys under which training scripts commonly store the state dict, in the order tried.
const char* const kWrapperKeys[] = {"state_dict", "model", "model_state_dict", "net"};

bool isMapping(const PickleValue& v)
{
    return v.kind == PickleKind::Dict
           || (v.kind == PickleKind::Object && v.module == "collections" && v.name == "OrderedDict");
}

// A mapping of text keys to tensors, at least one of them.
bool isStateDict(const PickleValue& v)
{
    if (!isMapping(v) || v.entries.empty())
        return false;
    for (const auto& [k, value] : v.entries)
        if (!k->isText() || !TorchPickle::isTensor(TorchPickle::unwrapTypeTag(*value)))
            return false;
    return true;
}

std::string describeEntry(const PickleValue& v)
{
    if (TorchPickle::isTensor(v))
        return "tensor";
    if (v.kind == PickleKind::Object && !isMapping(v))
        return "pickled object " + v.module + "." + v.name;
    return v.describe();
}

// What the top level holds, for the error when no state dict is found.
std::string describeTop(const PickleValue& root)
{
    if (!isMapping(root))
        return "a " + describeEntry(root);
    std::string s = "a dict with ";
    std::size_t shown = 0;
    for (const auto& [k, v] : root.entries) {
        if (shown++ == 12) {
            s += ", ...";
            break;
        }
        s += (shown > 1 ? ", '" : "'") + k->textOrBytes() + "' (" + describeEntry(TorchPickle::unwrapTypeTag(*v)) + ")";
    }
    return root.entries.empty() ? "an empty dict" : s;
}

StateDict tensorsOf(TorchPickle& pickle, const PickleValue& dict)
{
    StateDict out;
    for (const auto& [k, v] : dict.entries) {
        const std::string key = k->textOrBytes();
        out.emplace_back(key, pickle.tensor(TorchPickle::unwrapTypeTag(*v), "key '" + key + "'"));
    }
    return out;
}

WeightsFile readPyTorchFile(const std::filesystem::path& file)
{
    TorchPickle pickle(file);
    const PickleValue& root = TorchPickle::unwrapTypeTag(pickle.root());
    WeightsFile w;
    if (isStateDict(root)) {
        w.tensors = tensorsOf(pickle, root);
        w.format = "PyTorch state dict";
        return w;
    }
    if (isMapping(root)) {
        for (const char* key : kWrapperKeys) {
            const PickleValue* inner = root.find(key);
            if (inner && isStateDict(TorchPickle::unwrapTypeTag(*inner))) {
                w.tensors = tensorsOf(pickle, TorchPickle::unwrapTypeTag(*inner));
                w.format = std::string("PyTorch checkpoint, state dict under '") + key + "'";
                if (const PickleValue* epoch = root.find("epoch"); epoch && epoch->kind == PickleKind::Int)
                    w.epoch = epoch->integer;
                return w;
            }
        }
    }
    // torch.save(model) pickles the module object itself, which only its Python class can rebuild.
    bool pickledObject = root.kind == PickleKind::Object && !isMapping(root);
    for (const char* key : kWrapperKeys) {
        const PickleValue* inner = isMapping(root) ? root.find(key) : nullptr;
        pickledObject = pickledObject || (inner && inner->kind == PickleKind::Object && !isMapping(*inner)
                                          && !TorchPickle::isTensor(*inner));
    }
    throw CheckpointError(file.string() + ": no state dict found: expected a dict of tensors, or a dict holding "
                          "one under 'state_dict', 'model', 'model_state_dict' or 'net'; found "
                          + describeTop(root)
                          + (pickledObject ? "; a whole pickled module cannot be read without its Python code: "
                                             "torch.save(model.state_dict()) instead"
                                           : ""));
}

void flatten(torch::serialize::InputArchive& archive, const std::string& prefix, StateDict& out)
{
    for (const auto& key : archive.keys()) {
        torch::Tensor t;
        torch::serialize::InputArchive sub;
        if (archive.try_read(key, t))
            out.emplace_back(prefix + key, t.cpu());
        else if (archive.try_read(key, sub))
            flatten(sub, prefix + key + ".", out);
    }
}

WeightsFile readTorchScriptArchive(const std::filesystem::path& file)
{
    WeightsFile w;
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(file.string());
        torch::serialize::InputArchive model;
        c10::IValue v;
        if (archive.try_read("model", model)) {
            // An SCNS training checkpoint: the network's archive beside arch, epochs, optimiser.
            flatten(model, "", w.tensors);
            w.format = "SCNS training checkpoint";
            if (archive.try_read("arch", v) && v.isString())
                w.arch = v.toStringRef();
            if (archive.try_read("dataset", v) && v.isString())
                w.dataset = v.toStringRef();
            if (archive.try_read("epochs_completed", v) && v.isInt())
                w.epoch = v.toInt();
        } else {
            flatten(archive, "", w.tensors);
            w.format = "LibTorch archive";
        }
    } catch (const std::exception& e) {
        const std::string what = e.what();
        throw CheckpointError(file.string() + ": cannot read the LibTorch archive: " + what.substr(0, what.find('\n')));
    }
    if (w.tensors.empty())
        throw CheckpointError(file.string() + ": the LibTorch archive holds no tensors");
    return w;
}

}  // namespace

WeightsFile readWeightsFile(const std::filesystem::path& file)
{
    // Opening checks existence and the zip container and reports either by file name.
    bool torchScript = false;
    {
        TorchZipArchive zip(file);
        torchScript = zip.isTorchScript();
    }
    return torchScript ? readTorchScriptArchive(file) : readPyTorchFile(file);
}

torch::Tensor readTensorFile(const std::filesystem::path& file)
{
    TorchPickle pickle(file);
    const PickleValue& root = TorchPickle::unwrapTypeTag(pickle.root());
    if (!TorchPickle::isTensor(root))
        throw CheckpointError(file.string() + ": expected a single tensor saved with torch.save(tensor), found "
                              + describeTop(root));
    return pickle.tensor(root, "the tensor");
}

}  // namespace scns
