#include "io/torch_file.h"

#include <cstring>

#include "common/errors.h"
#include "io/torch_pickle.h"
#include "io/zip_writer.h"

namespace scns {

namespace {

constexpr int kMaxDepth = 64;

// ---- writing: a protocol-2 pickle stream, as Python's pickle module writes ----------------

class PickleOut {
public:
    std::string bytes;
    std::vector<torch::Tensor> storages;  // data/<index>

    void op(std::uint8_t c) { bytes.push_back(static_cast<char>(c)); }
    void le(std::uint64_t v, int n)
    {
        for (int i = 0; i < n; ++i)
            bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
    void global(const char* module, const char* name)
    {
        op('c');
        bytes += module;
        bytes += '\n';
        bytes += name;
        bytes += '\n';
    }
    void integer(std::int64_t v)
    {
        if (v >= 0 && v < 256) {
            op('K');
            le(static_cast<std::uint64_t>(v), 1);
        } else if (v >= 0 && v < 65536) {
            op('M');
            le(static_cast<std::uint64_t>(v), 2);
        } else if (v >= INT32_MIN && v <= INT32_MAX) {
            op('J');
            le(static_cast<std::uint32_t>(static_cast<std::int32_t>(v)), 4);
        } else {
            op(0x8a);  // LONG1: 8 bytes of two's complement
            le(8, 1);
            le(static_cast<std::uint64_t>(v), 8);
        }
    }
    void real(double d)
    {
        op('G');
        std::uint64_t bits = 0;
        std::memcpy(&bits, &d, sizeof bits);
        for (int i = 7; i >= 0; --i)  // big-endian, unlike every other binary argument
            bytes.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
    }
    void string(const std::string& s)
    {
        op('X');
        le(s.size(), 4);
        bytes += s;
    }
    void emptyOrderedDict()
    {
        global("collections", "OrderedDict");
        op(')');  // EMPTY_TUPLE
        op('R');  // REDUCE
    }
    void tensor(const torch::Tensor& t, const std::string& where);
    void value(const TorchValue& v, const std::string& where, int depth);
};

const char* storageClass(c10::ScalarType t)
{
    switch (t) {
    case c10::kFloat: return "FloatStorage";
    case c10::kDouble: return "DoubleStorage";
    case c10::kHalf: return "HalfStorage";
    case c10::kBFloat16: return "BFloat16Storage";
    case c10::kLong: return "LongStorage";
    case c10::kInt: return "IntStorage";
    case c10::kShort: return "ShortStorage";
    case c10::kChar: return "CharStorage";
    case c10::kByte: return "ByteStorage";
    case c10::kBool: return "BoolStorage";
    default: return nullptr;
    }
}

// Python's unpickler decodes str as UTF-8 and fails on anything else: replace invalid bytes.
std::string validUtf8(const std::string& s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        bool ok = n > 0 && i + n <= s.size();
        for (std::size_t k = 1; ok && k < n; ++k)
            ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
        if (ok) {
            out.append(s, i, n);
            i += n;
        } else {
            out += '?';
            ++i;
        }
    }
    return out;
}

void PickleOut::tensor(const torch::Tensor& t, const std::string& where)
{
    const char* cls = storageClass(t.scalar_type());
    if (!cls)
        throw CheckpointError(where + ": cannot write a tensor of type " + std::string(c10::toString(t.scalar_type())));
    const torch::Tensor data = t.detach().to(torch::kCPU).contiguous();
    const std::string key = std::to_string(storages.size());
    storages.push_back(data);
    global("torch._utils", "_rebuild_tensor_v2");
    op('(');  // MARK: the argument tuple
    op('(');  // MARK: the persistent id
    string("storage");
    global("torch", cls);
    string(key);
    string("cpu");
    integer(data.numel());
    op('t');
    op('Q');  // BINPERSID
    integer(0);
    op('(');
    for (const auto s : data.sizes())
        integer(s);
    op('t');
    op('(');
    for (const auto s : data.strides())
        integer(s);
    op('t');
    op(0x89);  // requires_grad False
    emptyOrderedDict();  // backward hooks
    op('t');
    op('R');
}

void PickleOut::value(const TorchValue& v, const std::string& where, int depth)
{
    if (depth > kMaxDepth)
        throw CheckpointError(where + ": nested more than " + std::to_string(kMaxDepth) + " levels deep");
    switch (v.kind) {
    case TorchValue::Kind::None: op('N'); break;
    case TorchValue::Kind::Bool: op(v.boolean ? 0x88 : 0x89); break;
    case TorchValue::Kind::Int: integer(v.integer); break;
    // A 0-dim float64 tensor rather than BINFLOAT: PyTorch 1.13's weights_only loader (Debian
    // 12's python3-torch) knows no BINFLOAT opcode and would refuse the whole file.
    case TorchValue::Kind::Float: tensor(torch::scalar_tensor(v.real, torch::kDouble), where); break;
    case TorchValue::Kind::String: string(validUtf8(v.text)); break;
    case TorchValue::Kind::Tensor: tensor(v.tensor, where); break;
    case TorchValue::Kind::List:
        op(']');
        if (!v.items.empty()) {
            op('(');
            for (const auto& item : v.items)
                value(item, where, depth + 1);
            op('e');  // APPENDS
        }
        break;
    case TorchValue::Kind::Dict:
        if (v.ordered)
            emptyOrderedDict();
        else
            op('}');
        if (!v.entries.empty()) {
            op('(');
            for (const auto& [key, item] : v.entries) {
                string(validUtf8(key));
                value(item, where, depth + 1);
            }
            op('u');  // SETITEMS
        }
        break;
    }
}

// ---- reading -------------------------------------------------------------------------------

std::string keyText(const PickleValue& k, const std::string& path)
{
    if (k.isText())
        return k.textOrBytes();
    if (k.kind == PickleKind::Int)  // optimizer.state_dict()['state'] is keyed by parameter index
        return std::to_string(k.integer);
    throw CheckpointError(path + ": a dict key is a " + k.describe() + ", expected a string or an int");
}

}  // namespace

TorchValue TorchValue::of(bool b)
{
    TorchValue v;
    v.kind = Kind::Bool;
    v.boolean = b;
    return v;
}
TorchValue TorchValue::of(std::int64_t i)
{
    TorchValue v;
    v.kind = Kind::Int;
    v.integer = i;
    return v;
}
TorchValue TorchValue::of(double d)
{
    TorchValue v;
    v.kind = Kind::Float;
    v.real = d;
    return v;
}
TorchValue TorchValue::of(std::string s)
{
    TorchValue v;
    v.kind = Kind::String;
    v.text = std::move(s);
    return v;
}
TorchValue TorchValue::of(const torch::Tensor& t)
{
    TorchValue v;
    v.kind = Kind::Tensor;
    v.tensor = t;
    return v;
}
std::optional<double> TorchValue::number() const
{
    if (kind == Kind::Float)
        return real;
    if (kind == Kind::Int)
        return static_cast<double>(integer);
    if (kind == Kind::Tensor && tensor.defined() && tensor.numel() == 1 && tensor.is_floating_point())
        return tensor.item<double>();
    return std::nullopt;
}

TorchValue TorchValue::list()
{
    TorchValue v;
    v.kind = Kind::List;
    return v;
}
TorchValue TorchValue::dict(bool ordered)
{
    TorchValue v;
    v.kind = Kind::Dict;
    v.ordered = ordered;
    return v;
}

const TorchValue* TorchValue::find(const std::string& key) const
{
    if (kind != Kind::Dict)
        return nullptr;
    for (const auto& [k, v] : entries)
        if (k == key)
            return &v;
    return nullptr;
}

TorchValue& TorchValue::set(std::string key, TorchValue value)
{
    entries.emplace_back(std::move(key), std::move(value));
    return entries.back().second;
}

std::string TorchValue::describe() const
{
    switch (kind) {
    case Kind::None: return "None";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "str";
    case Kind::Tensor: {
        std::string s = std::string("tensor ") + c10::toString(tensor.scalar_type()) + " [";
        for (std::int64_t d = 0; d < tensor.dim(); ++d)
            s += (d ? ", " : "") + std::to_string(tensor.size(d));
        return s + "]";
    }
    case Kind::List: return "list of " + std::to_string(items.size());
    case Kind::Dict: return "dict of " + std::to_string(entries.size());
    }
    return "value";
}

void writeTorchFile(const TorchValue& root, const std::filesystem::path& file)
{
    PickleOut out;
    out.op(0x80);  // PROTO 2
    out.op(2);
    out.value(root, file.string(), 0);
    out.op('.');
    ZipWriter zip(file);
    zip.add("archive/data.pkl", out.bytes.data(), out.bytes.size());
    static const char order[] = "little";
    zip.add("archive/byteorder", order, sizeof order - 1);
    for (std::size_t i = 0; i < out.storages.size(); ++i) {
        const torch::Tensor& t = out.storages[i];
        zip.add("archive/data/" + std::to_string(i), t.data_ptr(), static_cast<std::uint64_t>(t.nbytes()));
    }
    static const char version[] = "3\n";
    zip.add("archive/version", version, sizeof version - 1);
    zip.finish();
}

namespace {

// Values converted so far: a pickle's memo lets a few bytes name one list thousands of times
// over, nested, which a plain recursive copy would expand exponentially.
constexpr std::size_t kMaxValues = std::size_t(1) << 22;

TorchValue convert(TorchPickle& pickle, const PickleValue& raw, const std::string& path, int depth, std::size_t& budget)
{
    const auto where = [&] { return pickle.file().string() + ": " + (path.empty() ? "the top level" : "'" + path + "'"); };
    if (depth > kMaxDepth)
        throw CheckpointError(where() + ": nested more than " + std::to_string(kMaxDepth) + " levels deep");
    if (++budget > kMaxValues)
        throw CheckpointError(pickle.file().string() + ": holds more than " + std::to_string(kMaxValues)
                              + " values (counting shared ones each time they are used)");
    const PickleValue& v = TorchPickle::unwrapTypeTag(raw);
    const auto child = [&](const std::string& key) { return path.empty() ? key : path + "." + key; };
    TorchValue out;
    switch (v.kind) {
    case PickleKind::None: return out;
    case PickleKind::Bool: return TorchValue::of(v.boolean);
    case PickleKind::Int: return TorchValue::of(v.integer);
    case PickleKind::Float: return TorchValue::of(v.real);
    case PickleKind::String:
    case PickleKind::Bytes: return TorchValue::of(v.textOrBytes());
    case PickleKind::List:
    case PickleKind::Tuple:
        out = TorchValue::list();
        for (std::size_t i = 0; i < v.items.size(); ++i)
            out.items.push_back(convert(pickle, *v.items[i], child(std::to_string(i)), depth + 1, budget));
        return out;
    case PickleKind::Dict:
        out = TorchValue::dict();
        for (const auto& [k, item] : v.entries) {
            const std::string key = keyText(*k, where());
            out.set(key, convert(pickle, *item, child(key), depth + 1, budget));
        }
        return out;
    case PickleKind::Object:
        if (TorchPickle::isTensor(v))
            return TorchValue::of(pickle.tensor(v, path.empty() ? "the tensor" : "'" + path + "'"));
        if (v.module == "collections" && v.name == "OrderedDict") {
            out = TorchValue::dict(true);
            for (const auto& [k, item] : v.entries) {
                const std::string key = keyText(*k, where());
                out.set(key, convert(pickle, *item, child(key), depth + 1, budget));
            }
            return out;
        }
        if (v.module == "torch" && v.name == "Size" && !v.args->items.empty())
            return convert(pickle, *v.args->items[0], path, depth + 1, budget);
        if (const PickleValue* attributes = TorchPickle::archiveAttributes(v)) {
            out = TorchValue::dict();
            for (const auto& [k, item] : attributes->entries) {
                const std::string key = keyText(*k, where());
                out.set(key, convert(pickle, *item, child(key), depth + 1, budget));
            }
            return out;
        }
        throw CheckpointError(where() + ": holds a " + v.module + "." + v.name
                              + " object; only tensors, dicts, lists, strings and numbers are read");
    case PickleKind::Global:
        // dtypes (torch.float32) and the like: their names are all a reader can use.
        return TorchValue::of(v.module + "." + v.name);
    case PickleKind::PersistentId: break;
    }
    throw CheckpointError(where() + ": holds a " + v.describe() + " outside a tensor");
}

}  // namespace

TorchValue toTorchValue(TorchPickle& pickle, const PickleValue& value, const std::string& path, int depth)
{
    std::size_t budget = 0;
    return convert(pickle, value, path, depth, budget);
}

TorchValue readTorchFile(const std::filesystem::path& file)
{
    TorchPickle pickle(file);
    return toTorchValue(pickle, pickle.root(), "");
}

}  // namespace scns
