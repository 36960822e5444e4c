#include "io/pickle_convert.h"

#include "common/errors.h"

#include <bit>
#include <charconv>
#include <cstring>

namespace scns {

namespace {

bool isGlobalNamed(const PickleValue& v, std::initializer_list<const char*> modules, const char* name)
{
    if (v.kind != PickleKind::Object && v.kind != PickleKind::Global)
        return false;
    if (v.name != name)
        return false;
    for (const char* m : modules)
        if (v.module == m)
            return true;
    return false;
}

bool isBuiltin(const PickleValue& v, const char* name)
{
    return isGlobalNamed(v, {"builtins", "__builtin__"}, name);
}

const PickleValue& arg(const PickleValue& object, std::size_t i)
{
    return *object.args->items[i];
}

std::size_t argCount(const PickleValue& object)
{
    return object.args ? object.args->items.size() : 0;
}

// Decodes UTF-8 text whose code points are all below 256 back into the bytes it spells.
Bytes latin1FromUtf8(const std::string& text, const std::string& context)
{
    Bytes out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            out.push_back(c);
            i += 1;
        } else if ((c & 0xe0) == 0xc0 && i + 1 < text.size()) {
            const unsigned cp = ((c & 0x1fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3fu);
            if (cp > 0xff)
                throw DataError(context + ": latin-1 encoded bytes contain code point U+"
                                + std::to_string(cp) + " above U+00FF");
            out.push_back(static_cast<std::uint8_t>(cp));
            i += 2;
        } else {
            throw DataError(context + ": latin-1 encoded bytes contain a character above U+00FF at byte "
                            + std::to_string(i));
        }
    }
    return out;
}

bool isLatin1Name(const std::string& encoding)
{
    return encoding == "latin1" || encoding == "latin-1" || encoding == "iso-8859-1" || encoding == "iso8859-1";
}

std::int64_t requireInt(const PickleValue& v, const std::string& context, const char* what)
{
    if (v.kind == PickleKind::Int)
        return v.integer;
    if (v.kind == PickleKind::Bool)
        return v.boolean ? 1 : 0;
    throw DataError(context + ": expected an int for " + what + ", found a " + v.describe());
}

std::vector<std::int64_t> shapeOf(const PickleValue& v, const std::string& context)
{
    if (v.kind != PickleKind::Tuple && v.kind != PickleKind::List)
        throw DataError(context + ": expected the array shape as a tuple, found a " + v.describe());
    std::vector<std::int64_t> shape;
    for (const auto& item : v.items) {
        const std::int64_t d = requireInt(*item, context, "an array dimension");
        if (d < 0)
            throw DataError(context + ": negative array dimension " + std::to_string(d));
        shape.push_back(d);
    }
    return shape;
}

// numpy.dtype(typestr, align, copy) with BUILD state (version, byteorder, ...).
void applyDtype(const PickleValue& v, NumpyArray& array, const std::string& context)
{
    if (!isGlobalNamed(v, {"numpy"}, "dtype") || v.kind != PickleKind::Object || argCount(v) < 1
        || !arg(v, 0).isText())
        throw DataError(context + ": expected a numpy.dtype, found a " + v.describe());
    std::string code = arg(v, 0).textOrBytes();
    array.byteOrder = '=';
    if (!code.empty() && (code[0] == '<' || code[0] == '>' || code[0] == '|' || code[0] == '=')) {
        array.byteOrder = code[0];
        code.erase(0, 1);
    }
    if (v.state && v.state->kind == PickleKind::Tuple && v.state->items.size() >= 2 && v.state->items[1]->isText()) {
        const std::string order = v.state->items[1]->textOrBytes();
        if (order.size() == 1)
            array.byteOrder = order[0];
    }
    array.dtype = code;
    const char kind = array.kind();
    const int size = array.itemSize();
    const bool known = (kind == 'b' && size == 1) || ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8))
                       || (kind == 'f' && (size == 4 || size == 8));
    if (!known)
        throw DataError(context + ": unsupported numpy dtype '" + code
                        + "' (expected b1, i1-i8, u1-u8, f4 or f8)");
}

// Bytes the array's shape and dtype need; shapes past 2^50 bytes are refused outright.
std::int64_t neededBytes(const NumpyArray& array, const std::string& context)
{
    std::int64_t expected = array.itemSize();
    for (const std::int64_t d : array.shape) {
        if (d != 0 && expected > (std::int64_t(1) << 50) / d)
            throw DataError(context + ": array shape " + array.shapeText() + " is implausibly large");
        expected *= d;
    }
    return expected;
}

std::size_t rawSizeBound(const PickleValue& value);

// Checked before the data are copied: a shape claiming more than the pickle holds is
// refused without allocating anything for it.
void checkAvailable(const NumpyArray& array, const PickleValue& raw, const std::string& context)
{
    const std::int64_t expected = neededBytes(array, context);
    const std::size_t bound = rawSizeBound(raw);
    if (static_cast<std::uint64_t>(expected) > bound)
        throw DataError(context + ": numpy array of shape " + array.shapeText() + " and dtype " + array.dtype
                        + " needs " + std::to_string(expected) + " bytes of data, found "
                        + std::to_string(bound));
}

void checkSize(const NumpyArray& array, const std::string& context)
{
    const std::int64_t expected = neededBytes(array, context);
    if (static_cast<std::int64_t>(array.data.size()) != expected)
        throw DataError(context + ": numpy array of shape " + array.shapeText() + " and dtype " + array.dtype
                        + " needs " + std::to_string(expected) + " bytes of data, found "
                        + std::to_string(array.data.size()));
}

// (text, 'latin1') as the arguments of _codecs.encode, bytes or bytearray.
bool isLatin1Args(const PickleValue& object)
{
    return argCount(object) == 2 && arg(object, 0).kind == PickleKind::String && arg(object, 1).isText()
           && isLatin1Name(arg(object, 1).textOrBytes());
}

// Bytes, or _codecs.encode(text, 'latin1'): what Python 3 writes for bytes at protocols 0-2.
bool directBytes(const PickleValue& value, const std::string& context, Bytes& out)
{
    if (value.kind == PickleKind::Bytes) {
        out = value.bytes;
        return true;
    }
    if (isGlobalNamed(value, {"_codecs"}, "encode") && value.kind == PickleKind::Object && isLatin1Args(value)) {
        out = latin1FromUtf8(arg(value, 0).text, context);
        return true;
    }
    return false;
}

bool bytesLike(const PickleValue& value, const std::string& context, Bytes& out)
{
    if (directBytes(value, context, out))
        return true;
    // builtins.bytes() for b'', bytearray(<bytes>) or bytearray(text, 'latin-1') before protocol 5.
    if (value.kind == PickleKind::Object && (isBuiltin(value, "bytes") || isBuiltin(value, "bytearray"))) {
        if (argCount(value) == 0) {
            out.clear();
            return true;
        }
        if (argCount(value) == 1 && directBytes(arg(value, 0), context, out))
            return true;
        if (isLatin1Args(value)) {
            out = latin1FromUtf8(arg(value, 0).text, context);
            return true;
        }
    }
    return false;
}

// Bytes the raw value will give, or an upper bound for latin-1 text (one byte per char at
// most): lets the array size be checked before anything is copied.
std::size_t rawSizeBound(const PickleValue& value)
{
    if (value.kind == PickleKind::Bytes)
        return value.bytes.size();
    for (const PickleValue* v : {&value, value.args && !value.args->items.empty() ? value.args->items[0] : nullptr}) {
        if (!v)
            continue;
        if (v->kind == PickleKind::Bytes)
            return v->bytes.size();
        if (v->kind == PickleKind::Object && v->args && !v->args->items.empty()
            && v->args->items[0]->kind == PickleKind::String)
            return v->args->items[0]->text.size();
        if (v->kind == PickleKind::String)
            return v->text.size();
    }
    return static_cast<std::size_t>(-1);
}

}  // namespace

bool pickleText(const PickleValue& value, const std::string& context, std::string& out)
{
    if (value.isText()) {
        out = value.textOrBytes();
        return true;
    }
    Bytes bytes;
    if (!bytesLike(value, context, bytes))
        return false;
    out.assign(bytes.begin(), bytes.end());
    return true;
}

const PickleValue* pickleDictFind(const PickleValue& dict, std::string_view key, const std::string& context)
{
    if (const PickleValue* v = dict.find(key))
        return v;
    if (dict.kind != PickleKind::Dict && dict.kind != PickleKind::Object)
        return nullptr;
    std::string text;
    for (const auto& [k, v] : dict.entries)
        if (k->kind == PickleKind::Object && pickleText(*k, context, text) && text == key)
            return v;
    return nullptr;
}

int NumpyArray::itemSize() const
{
    if (dtype.size() < 2)
        return 0;
    int size = 0;
    const auto [end, ec] = std::from_chars(dtype.data() + 1, dtype.data() + dtype.size(), size);
    return (ec == std::errc() && end == dtype.data() + dtype.size()) ? size : 0;
}

std::int64_t NumpyArray::elementCount() const
{
    std::int64_t n = 1;
    for (const std::int64_t d : shape)
        n *= d;
    return n;
}

std::string NumpyArray::shapeText() const
{
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + (shape.size() == 1 ? ",)" : ")");
}

Bytes pickleBytes(const PickleValue& value, const std::string& context)
{
    Bytes out;
    if (bytesLike(value, context, out))
        return out;
    throw DataError(context + ": expected bytes, found a " + value.describe());
}

bool isNumpyArray(const PickleValue& value)
{
    return value.kind == PickleKind::Object
           && (isGlobalNamed(value, {"numpy.core.multiarray", "numpy._core.multiarray"}, "_reconstruct")
               || isGlobalNamed(value, {"numpy.core.numeric", "numpy._core.numeric"}, "_frombuffer"));
}

NumpyArray pickleNumpyArray(const PickleValue& value, const std::string& context)
{
    if (!isNumpyArray(value))
        throw DataError(context + ": expected a numpy array, found a " + value.describe());
    NumpyArray array;
    if (value.name == "_frombuffer") {
        // _frombuffer(buffer, dtype, shape, order): protocol 5 with in-band buffers.
        if (argCount(value) != 4)
            throw DataError(context + ": numpy _frombuffer takes 4 arguments, found "
                            + std::to_string(argCount(value)));
        applyDtype(arg(value, 1), array, context);
        array.shape = shapeOf(arg(value, 2), context);
        array.fortranOrder = arg(value, 3).textOrBytes() == "F";
        checkAvailable(array, arg(value, 0), context);
        array.data = pickleBytes(arg(value, 0), context);
    } else {
        // _reconstruct(ndarray, (0,), b'b') then BUILD with
        // (version, shape, dtype, is_fortran, rawdata); old numpy omits the version.
        const PickleValue* state = value.state;
        if (!state || state->kind != PickleKind::Tuple || (state->items.size() != 5 && state->items.size() != 4))
            throw DataError(context + ": numpy array state should be a tuple (version, shape, dtype, fortran, "
                            "data), found " + (state ? "a " + state->describe() : std::string("none")));
        const std::size_t o = state->items.size() == 5 ? 1 : 0;
        array.shape = shapeOf(*state->items[o], context);
        applyDtype(*state->items[o + 1], array, context);
        array.fortranOrder = requireInt(*state->items[o + 2], context, "the Fortran-order flag") != 0;
        const PickleValue& raw = *state->items[o + 3];
        if (raw.kind == PickleKind::List)
            throw DataError(context + ": numpy array of Python objects is not supported");
        checkAvailable(array, raw, context);
        array.data = pickleBytes(raw, context);
    }
    checkSize(array, context);
    return array;
}

std::vector<std::int64_t> pickleIntSequence(const PickleValue& value, const std::string& context)
{
    std::vector<std::int64_t> out;
    if (value.kind == PickleKind::List || value.kind == PickleKind::Tuple) {
        out.reserve(value.items.size());
        for (std::size_t i = 0; i < value.items.size(); ++i) {
            const PickleValue& v = *value.items[i];
            if (v.kind != PickleKind::Int && v.kind != PickleKind::Bool)
                throw DataError(context + ": expected ints, found a " + v.describe() + " at index "
                                + std::to_string(i));
            out.push_back(v.kind == PickleKind::Int ? v.integer : (v.boolean ? 1 : 0));
        }
        return out;
    }
    if (!isNumpyArray(value))
        throw DataError(context + ": expected a list of ints or an integer numpy array, found a " + value.describe());
    const NumpyArray a = pickleNumpyArray(value, context);
    const char kind = a.kind();
    if (a.shape.size() != 1 || (kind != 'i' && kind != 'u' && kind != 'b'))
        throw DataError(context + ": expected a one-dimensional integer array, found shape " + a.shapeText()
                        + " and dtype " + a.dtype);
    const int size = a.itemSize();
    const bool bigEndian = a.byteOrder == '>' || (a.byteOrder == '=' && std::endian::native == std::endian::big);
    out.resize(static_cast<std::size_t>(a.elementCount()));
    for (std::size_t i = 0; i < out.size(); ++i) {
        const std::uint8_t* p = a.data.data() + i * size;
        std::uint64_t bits = 0;
        for (int b = 0; b < size; ++b)
            bits |= std::uint64_t(p[bigEndian ? size - 1 - b : b]) << (8 * b);
        if (kind == 'i' && size < 8 && (bits >> (8 * size - 1)) & 1)
            bits |= ~std::uint64_t(0) << (8 * size);  // sign-extend
        if (kind == 'u' && size == 8 && bits > std::uint64_t(INT64_MAX))
            throw DataError(context + ": value at index " + std::to_string(i) + " does not fit in int64");
        out[i] = static_cast<std::int64_t>(bits);
    }
    return out;
}

std::vector<std::string> pickleStringSequence(const PickleValue& value, const std::string& context)
{
    if (value.kind != PickleKind::List && value.kind != PickleKind::Tuple)
        throw DataError(context + ": expected a list of strings, found a " + value.describe());
    std::vector<std::string> out;
    out.reserve(value.items.size());
    for (std::size_t i = 0; i < value.items.size(); ++i) {
        std::string text;
        if (!pickleText(*value.items[i], context, text))
            throw DataError(context + ": expected strings, found a " + value.items[i]->describe() + " at index "
                            + std::to_string(i));
        out.push_back(std::move(text));
    }
    return out;
}

}  // namespace scns
