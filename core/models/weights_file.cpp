#include "models/weights_file.h"

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

// The keys of a mapping that holds tensors and something else: a state dict gone wrong.
std::string nonTensorEntries(const PickleValue& dict)
{
    std::size_t tensors = 0;
    std::string others;
    std::size_t shown = 0, count = 0;
    for (const auto& [k, value] : dict.entries) {
        const PickleValue& v = TorchPickle::unwrapTypeTag(*value);
        if (TorchPickle::isTensor(v)) {
            ++tensors;
            continue;
        }
        ++count;
        if (shown++ < 5)
            others += (shown > 1 ? ", '" : "'") + k->textOrBytes().substr(0, 80) + "' (" + describeEntry(v) + ")";
    }
    if (tensors == 0 || count == 0)
        return {};
    return std::to_string(count) + " of its " + std::to_string(dict.entries.size())
           + " entries are not tensors: " + others + (count > 5 ? ", ..." : "");
}

WeightsFile readPyTorchFile(TorchPickle& pickle)
{
    const std::filesystem::path& file = pickle.file();
    const PickleValue& root = TorchPickle::unwrapTypeTag(pickle.root());
    WeightsFile w;
    if (isMapping(root)) {
        if (const PickleValue* tag = root.find("format"); tag && tag->textOrBytes() == kScnsCheckpointTag) {
            // An SCNS training checkpoint (format 2): the network's state dict beside its metadata.
            const PickleValue* model = root.find("model");
            if (!model || !isStateDict(TorchPickle::unwrapTypeTag(*model)))
                throw CheckpointError(file.string() + ": an SCNS checkpoint without the network's state dict under 'model'");
            w.tensors = tensorsOf(pickle, TorchPickle::unwrapTypeTag(*model));
            w.format = "SCNS training checkpoint";
            if (const PickleValue* v = root.find("arch"); v && v->isText())
                w.arch = v->textOrBytes();
            if (const PickleValue* v = root.find("dataset"); v && v->isText())
                w.dataset = v->textOrBytes();
            if (const PickleValue* v = root.find("epochs_completed"); v && v->kind == PickleKind::Int)
                w.epoch = v->integer;
            return w;
        }
    }
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
    // A mapping of tensors with a stray value: name the stray keys, not the first twelve.
    const std::pair<const char*, const PickleValue*> candidates[] = {
        {"the top-level dict", &root},
        {"the dict under 'state_dict'", isMapping(root) ? root.find("state_dict") : nullptr},
        {"the dict under 'model'", isMapping(root) ? root.find("model") : nullptr}};
    for (const auto& [where, candidate] : candidates) {
        if (!candidate || !isMapping(TorchPickle::unwrapTypeTag(*candidate)))
            continue;
        const std::string strays = nonTensorEntries(TorchPickle::unwrapTypeTag(*candidate));
        if (!strays.empty())
            throw CheckpointError(file.string() + ": not a state dict: " + where + " holds tensors, but " + strays
                                  + " (a state dict holds only tensors)");
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

// LibTorch's serialize::OutputArchive (SCNS checkpoints before format 2, torch::save from
// C++): objects whose attributes are tensors or further objects, read as data.
void flatten(TorchPickle& pickle, const PickleValue& object, const std::string& prefix, StateDict& out, int depth)
{
    const PickleValue* attributes = TorchPickle::archiveAttributes(object);
    if (!attributes || depth > 32)
        return;
    for (const auto& [k, v] : attributes->entries) {
        const std::string key = prefix + k->textOrBytes();
        if (TorchPickle::isTensor(*v))
            out.emplace_back(key, pickle.tensor(*v, "key '" + key + "'"));
        else if (TorchPickle::archiveAttributes(*v))
            flatten(pickle, *v, key + ".", out, depth + 1);
    }
}

WeightsFile readLibTorchArchive(TorchPickle& pickle)
{
    const PickleValue* top = TorchPickle::archiveAttributes(pickle.root());
    if (!top)
        throw CheckpointError(pickle.file().string() + ": a LibTorch archive whose top level is a "
                              + pickle.root().describe() + ", expected a module's attributes");
    WeightsFile w;
    if (const PickleValue* model = top->find("model"); model && TorchPickle::archiveAttributes(*model)) {
        // An SCNS training checkpoint of format 1: the network's archive beside arch, epochs, optimiser.
        flatten(pickle, *model, "", w.tensors, 0);
        w.format = "SCNS training checkpoint (format 1)";
        if (const PickleValue* v = top->find("arch"); v && v->isText())
            w.arch = v->textOrBytes();
        if (const PickleValue* v = top->find("dataset"); v && v->isText())
            w.dataset = v->textOrBytes();
        if (const PickleValue* v = top->find("epochs_completed"); v && v->kind == PickleKind::Int)
            w.epoch = v->integer;
    } else {
        flatten(pickle, pickle.root(), "", w.tensors, 0);
        w.format = "LibTorch archive";
    }
    if (w.tensors.empty())
        throw CheckpointError(pickle.file().string() + ": the LibTorch archive holds no tensors");
    return w;
}

}  // namespace

WeightsFile readWeightsFile(const std::filesystem::path& file)
{
    // Opening checks existence, the container, code and globals and reports each by file name.
    TorchPickle pickle(file);
    return pickle.isLibTorchArchive() ? readLibTorchArchive(pickle) : readPyTorchFile(pickle);
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
