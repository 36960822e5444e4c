#include "io/torch_pickle.h"

#include <cstring>
#include <optional>
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

// torch.<Name>Storage -> element type; nullopt when not a supported storage class.
std::optional<c10::ScalarType> storageType(const PickleValue& g)
{
    static const std::pair<const char*, c10::ScalarType> table[] = {
        {"FloatStorage", c10::kFloat},  {"DoubleStorage", c10::kDouble}, {"HalfStorage", c10::kHalf},
        {"BFloat16Storage", c10::kBFloat16}, {"LongStorage", c10::kLong}, {"IntStorage", c10::kInt},
        {"ShortStorage", c10::kShort},  {"CharStorage", c10::kChar},     {"ByteStorage", c10::kByte},
        {"BoolStorage", c10::kBool},
    };
    if (g.kind != PickleKind::Global || g.module != "torch")
        return std::nullopt;
    for (const auto& [name, type] : table)
        if (g.name == name)
            return type;
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
    if (v.kind != PickleKind::Tuple && v.kind != PickleKind::List)
        return false;
    out.clear();
    for (const auto& item : v.items) {
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

TorchPickle::TorchPickle(const std::filesystem::path& file) : m_zip(file)
{
    if (!m_zip.has("data.pkl"))
        throw CheckpointError(file.string() + ": not a PyTorch checkpoint: the zip archive has no data.pkl record "
                              "(expected a file written by torch.save)");
    if (m_zip.has("byteorder")) {
        const Bytes order = m_zip.read("byteorder");
        if (std::string(order.begin(), order.end()) == "big")
            throw CheckpointError(file.string() + ": written on a big-endian machine; only little-endian "
                                  "checkpoints are supported");
    }
    try {
        m_pickle = parsePickle(m_zip.read("data.pkl"), file.string() + ": data.pkl");
    } catch (const DataError& e) {
        throw CheckpointError(e.what());
    }
}

void TorchPickle::fail(const std::string& context, const std::string& what) const
{
    throw CheckpointError(file().string() + ": " + context + ": " + what);
}

bool TorchPickle::isTensor(const PickleValue& v)
{
    return isObject(v, "torch._utils", "_rebuild_tensor_v2") || isObject(v, "torch._utils", "_rebuild_parameter");
}

const PickleValue& TorchPickle::unwrapTypeTag(const PickleValue& v)
{
    if (isObject(v, "torch.jit._pickle", "restore_type_tag") && !v.args->items.empty())
        return *v.args->items[0];
    return v;
}

torch::Tensor TorchPickle::storage(const PickleValue& pid, const std::string& context)
{
    // ('storage', torch.FloatStorage, key, location, numel)
    const PickleValue* id = pid.args;
    if (pid.kind != PickleKind::PersistentId || !id || id->kind != PickleKind::Tuple || id->items.size() != 5
        || id->items[0]->textOrBytes() != "storage" || !id->items[2]->isText())
        fail(context, "expected a storage reference ('storage', type, key, location, size), found a "
                          + (id ? id->describe() : pid.describe()));
    const auto type = storageType(*id->items[1]);
    if (!type)
        fail(context, "unsupported storage type " + id->items[1]->module + "." + id->items[1]->name
                          + " (supported: float32/64, float16, bfloat16, int8-64, uint8, bool)");
    std::int64_t numel = 0;
    if (!intValue(*id->items[4], numel) || numel < 0)
        fail(context, "bad storage size " + id->items[4]->describe());
    const std::string key = id->items[2]->textOrBytes();
    if (auto it = m_storages.find(key); it != m_storages.end())
        return it->second;

    const std::string record = "data/" + key;
    if (!m_zip.has(record))
        fail(context, "storage record '" + record + "' is missing from the archive");
    const Bytes bytes = m_zip.read(record);
    auto t = torch::empty({numel}, torch::TensorOptions().dtype(*type));
    const auto need = static_cast<std::uint64_t>(numel) * t.element_size();
    if (bytes.size() != need)
        fail(context, "storage record '" + record + "' holds " + std::to_string(bytes.size()) + " bytes, expected "
                          + std::to_string(need) + " for " + std::to_string(numel) + " elements of "
                          + c10::toString(*type));
    if (need > 0)
        std::memcpy(t.data_ptr(), bytes.data(), need);
    m_storages.emplace(key, t);
    return t;
}

torch::Tensor TorchPickle::tensor(const PickleValue& value, const std::string& context)
{
    if (isObject(value, "torch._utils", "_rebuild_parameter")) {
        if (value.args->items.empty())
            fail(context, "_rebuild_parameter without arguments");
        return tensor(*value.args->items[0], context);
    }
    if (!isObject(value, "torch._utils", "_rebuild_tensor_v2"))
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
    if (!empty && last >= store.numel())
        fail(context, "tensor of size " + join(size) + ", stride " + join(stride) + " and offset "
                          + std::to_string(offset) + " reaches element " + std::to_string(last)
                          + " of a storage of " + std::to_string(store.numel()));
    if (empty)
        return torch::empty(size, store.options());
    return store.as_strided(size, stride, offset).clone(at::MemoryFormat::Contiguous);
}

}  // namespace scns
