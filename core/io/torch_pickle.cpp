#include "io/torch_pickle.h"

#include <cstring>
#include <utility>
#include <vector>

#include "common/errors.h"

namespace scns {

namespace {

bool isObject(const PickleValue& v, const char* module, const char* name)
{
    return v.kind == PickleKind::Object && v.module == module && v.name == name && v.args
           && v.args->kind == PickleKind::Tuple;
}

struct StorageClass {
    const char* name;
    std::optional<c10::ScalarType> type;  // nullopt: a class torch.load knows but we do not read
};

const StorageClass kStorageClasses[] = {
    {"FloatStorage", c10::kFloat},   {"DoubleStorage", c10::kDouble}, {"HalfStorage", c10::kHalf},
    {"BFloat16Storage", c10::kBFloat16}, {"LongStorage", c10::kLong}, {"IntStorage", c10::kInt},
    {"ShortStorage", c10::kShort},   {"CharStorage", c10::kChar},     {"ByteStorage", c10::kByte},
    {"BoolStorage", c10::kBool},     {"ComplexFloatStorage", std::nullopt},
    {"ComplexDoubleStorage", std::nullopt}, {"QInt8Storage", std::nullopt}, {"QUInt8Storage", std::nullopt},
    {"QInt32Storage", std::nullopt}, {"UntypedStorage", std::nullopt},
};

const char* const kDtypes[] = {"float32", "float64", "float16", "bfloat16", "int8",   "int16",  "int32",
                               "int64",   "uint8",   "bool",    "float",    "double", "half",   "long",
                               "int",     "short",   "complex64", "complex128", "cfloat", "cdouble"};

const char* const kRefusal = "a weights file may hold only tensors, storages, dicts, lists and numbers (for a whole "
                            "pickled model, save its weights with torch.save(model.state_dict(), file))";

bool isArchiveClass(const std::string& module, const std::string& name)
{
    if (name != "Module")
        return false;
    if (module == "__torch__")
        return true;
    const std::string mangle = "__torch__.___torch_mangle_";
    if (module.size() <= mangle.size() || module.compare(0, mangle.size(), mangle) != 0)
        return false;
    for (std::size_t i = mangle.size(); i < module.size(); ++i)
        if (module[i] < '0' || module[i] > '9')
            return false;
    return true;
}

// What a weights file may name: PyTorch's weights_only allow-list, less what we cannot use.
bool allowedInWeights(const std::string& m, const std::string& n, bool libtorchArchive)
{
    if (m == "collections")
        return n == "OrderedDict";
    if (m == "torch._utils")
        return n == "_rebuild_tensor_v2" || n == "_rebuild_tensor" || n == "_rebuild_parameter"
               || n == "_rebuild_parameter_with_state";
    if (m == "torch") {
        for (const auto& s : kStorageClasses)
            if (n == s.name)
                return true;
        for (const char* d : kDtypes)
            if (n == d)
                return true;
        return n == "Size" || n == "device";
    }
    if (m == "torch.jit._pickle")
        return n == "restore_type_tag" || n == "build_intlist" || n == "build_doublelist" || n == "build_boollist"
               || n == "build_tensorlist";
    if (m == "builtins" || m == "__builtin__")
        return n == "set" || n == "frozenset" || n == "complex";
    // Accuracies saved as numpy scalars (best_acc in many training scripts).
    if (m == "numpy.core.multiarray" || m == "numpy._core.multiarray")
        return n == "scalar";
    if (m == "numpy")
        return n == "dtype";
    if (m == "_codecs")
        return n == "encode";
    return libtorchArchive && isArchiveClass(m, n);
}

std::optional<c10::ScalarType> storageType(const PickleValue& g, std::string& name)
{
    name = g.kind == PickleKind::Global ? g.module + "." + g.name : g.describe();
    if (g.kind != PickleKind::Global || g.module != "torch")
        return std::nullopt;
    for (const auto& s : kStorageClasses)
        if (g.name == s.name)
            return s.type;
    return std::nullopt;
}

bool intValue(const PickleValue& v, std::int64_t& out)
{
    if (v.kind == PickleKind::Int) {
        out = v.integer;
        return true;
    }
    return false;
}

bool intTuple(const PickleValue& v, std::vector<std::int64_t>& out)
{
    const PickleValue* seq = &v;
    // torch.Size((2, 3)) arrives as an object whose first argument is the tuple.
    if (v.kind == PickleKind::Object && v.module == "torch" && v.name == "Size" && v.args && !v.args->items.empty())
        seq = v.args->items[0];
    if (seq->kind != PickleKind::Tuple && seq->kind != PickleKind::List)
        return false;
    if (seq->items.size() > 64)
        return false;
    out.clear();
    for (const auto& item : seq->items) {
        std::int64_t x = 0;
        if (!intValue(*item, x) || x < 0)
            return false;
        out.push_back(x);
    }
    return true;
}

std::string join(const std::vector<std::int64_t>& v)
{
    std::string s = "(";
    for (std::size_t i = 0; i < v.size(); ++i)
        s += (i ? ", " : "") + std::to_string(v[i]);
    return s + ")";
}

}  // namespace

TorchPickle::TorchPickle(const std::filesystem::path& file) : m_file(file)
{
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        throw CheckpointError(file.string() + ": file not found");
    if (std::filesystem::is_directory(file, ec))
        throw CheckpointError(file.string() + ": is a folder, expected a weights file");
    m_fileSize = std::filesystem::file_size(file, ec);
    try {
        if (hasZipMagic(file))
            openZip();
        else if (hasLegacyTorchMagic(file))
            openLegacy();
        else
            throw CheckpointError(file.string()
                                  + ": not a PyTorch weights file (expected a zip archive written by torch.save, or "
                                    "torch.save's legacy format)");
    } catch (const DataError& e) {
        throw CheckpointError(e.what());
    }
}

TorchPickle::~TorchPickle() = default;

void TorchPickle::openZip()
{
    m_zip = std::make_unique<TorchZipArchive>(m_file);
    m_container = "torch.save zip archive";
    if (m_zip->isTorchScript()) {
        const std::string def = m_zip->firstCodeDefinition();
        if (!def.empty())
            throw CheckpointError(m_file.string() + ": refused: the file holds TorchScript code (" + def
                                  + "); weights files are read as data and their code is never run. Save the "
                                    "weights with torch.save(model.state_dict(), file) instead");
        m_libtorchArchive = true;
        m_container = "LibTorch archive";
    }
    if (!m_zip->has("data.pkl"))
        throw CheckpointError(m_file.string() + ": not a PyTorch weights file: the zip archive has no data.pkl record "
                                                "(expected a file written by torch.save)");
    if (m_zip->has("byteorder")) {
        const Bytes order = m_zip->read("byteorder", 16);
        if (std::string(order.begin(), order.end()) == "big")
            throw CheckpointError(m_file.string() + ": written on a big-endian machine; only little-endian "
                                                    "files are supported");
    }
    PickleOptions options;
    const bool archive = m_libtorchArchive;
    options.allowGlobal = [archive](const std::string& m, const std::string& n) {
        return allowedInWeights(m, n, archive);
    };
    options.refusal = kRefusal;
    m_pickle = parsePickle(m_zip->read("data.pkl"), m_file.string() + ": data.pkl", options);
}

void TorchPickle::openLegacy()
{
    m_container = "torch.save legacy file (PyTorch < 1.6)";
    m_bytes = readFileBytes(m_file);
    const std::string source = m_file.string();
    // The magic number is a 10-byte integer, more than a PickleValue holds: compare its bytes.
    if (m_bytes.size() < 15 || m_bytes[14] != '.')
        throw CheckpointError(source + ": truncated legacy torch.save file (ends in its magic number)");
    std::size_t pos = 15;
    PickleOptions plain;
    plain.allowGlobal = [](const std::string&, const std::string&) { return false; };
    plain.refusal = "the header of a legacy torch.save file holds no objects";
    plain.maxValues = 10'000;

    plain.offset = pos;
    const Pickle protocol = parsePickle(m_bytes, source + ": protocol version", plain, &pos);
    if (protocol->kind != PickleKind::Int || protocol->integer != 1001)
        throw CheckpointError(source + ": legacy torch.save protocol " + protocol->describe()
                              + (protocol->kind == PickleKind::Int ? " " + std::to_string(protocol->integer) : "")
                              + ", expected 1001");
    plain.offset = pos;
    const Pickle sysInfo = parsePickle(m_bytes, source + ": system info", plain, &pos);
    if (const PickleValue* little = sysInfo->find("little_endian");
        little && little->kind == PickleKind::Bool && !little->boolean)
        throw CheckpointError(source + ": written on a big-endian machine; only little-endian files are supported");

    PickleOptions options;
    options.allowGlobal = [](const std::string& m, const std::string& n) { return allowedInWeights(m, n, false); };
    options.refusal = kRefusal;
    options.offset = pos;
    m_pickle = parsePickle(m_bytes, source + ": object", options, &pos);

    plain.offset = pos;
    plain.maxValues = std::size_t(1) << 20;
    const Pickle keys = parsePickle(m_bytes, source + ": storage keys", plain, &pos);
    if (keys->kind != PickleKind::List)
        throw CheckpointError(source + ": expected the list of storage keys after the object, found a "
                              + keys->describe());

    // The element size of each storage comes from the references in the object's pickle.
    std::map<std::string, std::size_t> elementSizes;
    for (const PickleValue* pid : m_pickle.persistentIds()) {
        const PickleValue* id = pid->args;
        if (!id || id->kind != PickleKind::Tuple || id->items.size() < 5 || !id->items[2]->isText())
            continue;
        std::string typeName;
        if (const auto type = storageType(*id->items[1], typeName))
            elementSizes[id->items[2]->textOrBytes()] = c10::elementSize(*type);
        else
            throw CheckpointError(source + ": unsupported storage type " + typeName
                                  + " (supported: float32/64, float16, bfloat16, int8-64, uint8, bool)");
    }
    for (const PickleValue* k : keys->items) {
        const std::string key = k->textOrBytes();
        const auto size = elementSizes.find(key);
        if (!k->isText() || size == elementSizes.end())
            throw CheckpointError(source + ": storage '" + key.substr(0, 40)
                                  + "' follows the object but no tensor refers to it");
        if (m_bytes.size() - pos < 8)
            throw CheckpointError(source + ": truncated: storage '" + key + "' is missing (the file ends at byte "
                                  + std::to_string(m_bytes.size()) + ")");
        std::int64_t numel = 0;
        std::memcpy(&numel, &m_bytes[pos], 8);
        pos += 8;
        const std::uint64_t remaining = m_bytes.size() - pos;
        if (numel < 0 || static_cast<std::uint64_t>(numel) > remaining / size->second)
            throw CheckpointError(source + ": truncated: storage '" + key + "' claims " + std::to_string(numel)
                                  + " elements of " + std::to_string(size->second) + " bytes but only "
                                  + std::to_string(remaining) + " bytes remain");
        m_legacy[key] = LegacyStorage{pos, numel};
        pos += static_cast<std::size_t>(numel) * size->second;
    }
}

void TorchPickle::fail(const std::string& context, const std::string& what) const
{
    throw CheckpointError(m_file.string() + ": " + context + ": " + what);
}

bool TorchPickle::isTensor(const PickleValue& v)
{
    return isObject(v, "torch._utils", "_rebuild_tensor_v2") || isObject(v, "torch._utils", "_rebuild_tensor")
           || isObject(v, "torch._utils", "_rebuild_parameter")
           || isObject(v, "torch._utils", "_rebuild_parameter_with_state");
}

const PickleValue& TorchPickle::unwrapTypeTag(const PickleValue& v)
{
    if (v.kind == PickleKind::Object && v.module == "torch.jit._pickle" && v.args && !v.args->items.empty())
        return *v.args->items[0];
    return v;
}

const PickleValue* TorchPickle::archiveAttributes(const PickleValue& v)
{
    if (v.kind == PickleKind::Object && isArchiveClass(v.module, v.name) && v.state
        && v.state->kind == PickleKind::Dict)
        return v.state;
    return nullptr;
}

torch::Tensor TorchPickle::storage(const PickleValue& pid, const std::string& context)
{
    // ('storage', torch.FloatStorage, key, location, numel[, view_metadata])
    const PickleValue* id = pid.args;
    if (pid.kind != PickleKind::PersistentId || !id || id->kind != PickleKind::Tuple || id->items.size() < 5
        || id->items.size() > 6 || id->items[0]->textOrBytes() != "storage" || !id->items[2]->isText())
        fail(context, "expected a storage reference ('storage', type, key, location, size), found a "
                          + (id ? id->describe() : pid.describe()));
    std::string typeName;
    const auto type = storageType(*id->items[1], typeName);
    if (!type)
        fail(context, "unsupported storage type " + typeName
                          + " (supported: float32/64, float16, bfloat16, int8-64, uint8, bool)");
    std::int64_t numel = 0;
    if (!intValue(*id->items[4], numel) || numel < 0)
        fail(context, "bad storage size " + id->items[4]->describe());
    const std::string key = id->items[2]->textOrBytes();
    const std::uint64_t esize = c10::elementSize(*type);
    if (static_cast<std::uint64_t>(numel) > kMaxStorageBytes / esize)
        fail(context, "storage '" + key + "' claims " + std::to_string(numel) + " elements, more than the "
                          + std::to_string(kMaxStorageBytes >> 30) + " GiB a storage may hold");
    const std::uint64_t need = static_cast<std::uint64_t>(numel) * esize;

    torch::Tensor root;
    if (auto it = m_storages.find(key); it != m_storages.end()) {
        root = it->second;
        if (root.scalar_type() != *type || root.numel() != numel)
            fail(context, "storage '" + key + "' is referred to with two different types or sizes");
    } else if (m_zip) {
        const std::string record = "data/" + key;
        if (!m_zip->has(record))
            fail(context, "storage record '" + record + "' is missing from the archive");
        // The record's size is checked before anything is allocated for it.
        if (m_zip->size(record) != need)
            fail(context, "storage record '" + record + "' holds " + std::to_string(m_zip->size(record))
                              + " bytes, expected " + std::to_string(need) + " for " + std::to_string(numel)
                              + " elements of " + c10::toString(*type));
        const Bytes bytes = m_zip->read(record, need);
        root = torch::empty({numel}, torch::TensorOptions().dtype(*type));
        if (need > 0)
            std::memcpy(root.data_ptr(), bytes.data(), need);
        m_storages.emplace(key, root);
    } else {
        const auto it = m_legacy.find(key);
        if (it == m_legacy.end())
            fail(context, "storage '" + key + "' is missing from the file");
        if (it->second.numel != numel)
            fail(context, "storage '" + key + "' holds " + std::to_string(it->second.numel) + " elements, the tensor "
                              "refers to " + std::to_string(numel));
        root = torch::empty({numel}, torch::TensorOptions().dtype(*type));
        if (need > 0)
            std::memcpy(root.data_ptr(), m_bytes.data() + it->second.offset, need);
        m_storages.emplace(key, root);
    }

    // Legacy files may refer to a view of a storage: (view_key, offset, size) in elements.
    if (id->items.size() == 6 && id->items[5]->kind != PickleKind::None) {
        const PickleValue& view = *id->items[5];
        std::int64_t offset = 0, size = 0;
        if (view.kind != PickleKind::Tuple || view.items.size() != 3 || !intValue(*view.items[1], offset)
            || !intValue(*view.items[2], size) || offset < 0 || size < 0 || offset > numel || size > numel - offset)
            fail(context, "bad storage view of storage '" + key + "' (" + std::to_string(numel) + " elements)");
        return root.narrow(0, offset, size);
    }
    return root;
}

torch::Tensor TorchPickle::tensor(const PickleValue& value, const std::string& context)
{
    if (isObject(value, "torch._utils", "_rebuild_parameter")
        || isObject(value, "torch._utils", "_rebuild_parameter_with_state")) {
        if (value.args->items.empty() || !isTensor(*value.args->items[0]))
            fail(context, "a parameter without its tensor");
        return tensor(*value.args->items[0], context);
    }
    if (!isObject(value, "torch._utils", "_rebuild_tensor_v2") && !isObject(value, "torch._utils", "_rebuild_tensor"))
        fail(context, "expected a tensor, found a " + value.describe());
    const auto& args = value.args->items;
    std::int64_t offset = 0;
    std::vector<std::int64_t> size, stride;
    if (args.size() < 4 || !intValue(*args[1], offset) || offset < 0 || !intTuple(*args[2], size)
        || !intTuple(*args[3], stride) || size.size() != stride.size())
        fail(context, "malformed tensor record (expected storage, offset, size, stride, ...)");
    const torch::Tensor store = storage(*args[0], context);

    // The last element the view touches must lie inside the storage.
    bool empty = false;
    std::int64_t last = offset;
    for (std::size_t d = 0; d < size.size(); ++d) {
        empty = empty || size[d] == 0;
        std::int64_t reach = 0;
        if (size[d] > 0 && (__builtin_mul_overflow(size[d] - 1, stride[d], &reach)
                            || __builtin_add_overflow(last, reach, &last)))
            fail(context, "tensor of size " + join(size) + " and stride " + join(stride) + " overflows");
    }
    if (empty)
        return torch::empty(size, store.options());
    // Cloning materialises every element: an overlapping view (stride 0) may not claim more
    // elements than its storage holds, or a few bytes would become gigabytes.
    std::int64_t count = 1;
    for (const std::int64_t s : size)
        if (__builtin_mul_overflow(count, s, &count) || count > store.numel())
            fail(context, "tensor of size " + join(size) + " has more elements than its storage of "
                              + std::to_string(store.numel()));
    if (last >= store.numel())
        fail(context, "tensor of size " + join(size) + ", stride " + join(stride) + " and offset "
                          + std::to_string(offset) + " reaches element " + std::to_string(last)
                          + " of a storage of " + std::to_string(store.numel()));
    m_materialized += static_cast<std::uint64_t>(count) * store.element_size();
    if (m_materialized > 4 * m_fileSize + (std::uint64_t(256) << 20))
        fail(context, "the file's tensors add up to more than 4 times its size: storages are shared more "
                      "often than a weights file does");
    return store.as_strided(size, stride, offset).clone(at::MemoryFormat::Contiguous);
}

}  // namespace scns
