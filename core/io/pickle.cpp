#include "io/pickle.h"

#include "common/errors.h"
#include "io/pickle_detail.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <cstdio>
#include <unordered_map>

namespace scns {

using namespace pickle_detail;

namespace {

std::string hexByte(std::uint8_t b)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", b);
    return buf;
}

// A name from the file, shown in a message: printable ASCII only, at most 80 characters.
std::string quoted(const std::string& s)
{
    std::string out = "'";
    for (std::size_t i = 0; i < s.size() && i < 80; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return out + (s.size() > 80 ? "...'" : "'");
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

}  // namespace

class PickleParser {
public:
    PickleParser(const Bytes& data, const std::string& source, const PickleOptions& options, Pickle& out)
        : m_data(data), m_source(source), m_options(options), m_out(out), m_pos(options.offset)
    {
    }

    std::size_t run()
    {
        if (m_pos > m_data.size())
            throw DataError(m_source + ": bad pickle: starts at offset " + std::to_string(m_pos) + ", past the end ("
                            + std::to_string(m_data.size()) + " bytes)");
        while (m_pos < m_data.size()) {
            m_opOffset = m_pos;
            m_op = m_data[m_pos++];
            if (m_op == STOP) {
                m_out.m_root = pop();
                return m_pos;
            }
            step();
        }
        throw DataError(m_source + ": truncated pickle: the stream ends at offset " + std::to_string(m_data.size())
                        + " without a STOP opcode");
    }

private:
    const Bytes& m_data;
    const std::string& m_source;
    const PickleOptions& m_options;
    Pickle& m_out;
    std::size_t m_pos = 0;
    std::size_t m_opOffset = 0;
    std::uint8_t m_op = 0;
    std::vector<PickleValue*> m_stack;
    std::vector<std::size_t> m_marks;  // stack sizes at each MARK, as CPython's metastack
    std::unordered_map<std::uint64_t, PickleValue*> m_memo;

    [[noreturn]] void fail(const std::string& what) const
    {
        const char* name = opName(m_op);
        throw DataError(m_source + ": bad pickle: opcode " + (name ? name : "?") + " (" + hexByte(m_op)
                        + ") at offset " + std::to_string(m_opOffset) + ": " + what);
    }

    const std::uint8_t* take(std::uint64_t n)
    {
        const std::uint64_t remaining = m_data.size() - m_pos;
        if (n > remaining)
            fail("truncated: needs " + std::to_string(n) + " bytes but only " + std::to_string(remaining)
                 + " remain");
        const std::uint8_t* p = m_data.data() + m_pos;
        m_pos += static_cast<std::size_t>(n);
        return p;
    }

    std::uint64_t readUint(int n)
    {
        const std::uint8_t* p = take(n);
        std::uint64_t v = 0;
        for (int i = n - 1; i >= 0; --i)
            v = (v << 8) | p[i];
        return v;
    }

    std::string_view readLine()
    {
        for (std::size_t i = m_pos; i < m_data.size(); ++i) {
            if (m_data[i] == '\n') {
                std::string_view line(reinterpret_cast<const char*>(m_data.data() + m_pos), i - m_pos);
                m_pos = i + 1;
                return line;
            }
        }
        fail("truncated: no newline ends the argument");
    }

    Bytes readBytes(std::uint64_t n)
    {
        const std::uint8_t* p = take(n);
        return Bytes(p, p + n);
    }

    std::string readString(std::uint64_t n)
    {
        const std::uint8_t* p = take(n);
        return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
    }

    PickleValue* makeValue(PickleKind kind)
    {
        if (m_out.m_values.size() >= m_options.maxValues)
            fail("more than " + std::to_string(m_options.maxValues) + " values: the limit for this kind of file");
        PickleValue& v = m_out.m_values.emplace_back();
        v.kind = kind;
        return &v;
    }

    void push(PickleValue* v) { m_stack.push_back(v); }

    std::size_t floor() const { return m_marks.empty() ? 0 : m_marks.back(); }

    PickleValue* pop()
    {
        if (m_stack.size() <= floor())
            fail(m_stack.empty() ? "the stack is empty" : "the stack is empty above the last MARK");
        PickleValue* v = m_stack.back();
        m_stack.pop_back();
        return v;
    }

    PickleValue* top()
    {
        if (m_stack.size() <= floor())
            fail(m_stack.empty() ? "the stack is empty" : "the stack is empty above the last MARK");
        return m_stack.back();
    }

    std::vector<const PickleValue*> popToMark()
    {
        if (m_marks.empty())
            fail("no MARK on the stack");
        const std::size_t mark = m_marks.back();
        m_marks.pop_back();
        std::vector<const PickleValue*> items(m_stack.begin() + static_cast<std::ptrdiff_t>(mark), m_stack.end());
        m_stack.resize(mark);
        return items;
    }

    std::int64_t parseInt(std::string_view text)
    {
        std::string_view s = trim(text);
        if (!s.empty() && s.front() == '+')
            s.remove_prefix(1);
        std::int64_t v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec == std::errc::result_out_of_range)
            fail("integer " + std::string(text) + " does not fit in 64 bits");
        if (ec != std::errc() || end != s.data() + s.size() || s.empty())
            fail("expected a decimal integer, found '" + std::string(text) + "'");
        return v;
    }

    std::int64_t decodeLong(const std::uint8_t* p, std::uint64_t n)
    {
        if (n == 0)
            return 0;
        const std::uint64_t low = std::min<std::uint64_t>(n, 8);
        const bool negative = (p[low - 1] & 0x80) != 0;
        for (std::uint64_t i = 8; i < n; ++i)
            if (p[i] != (negative ? 0xff : 0x00))
                fail("a " + std::to_string(n) + "-byte integer does not fit in 64 bits");
        std::uint64_t v = negative ? ~std::uint64_t(0) : 0;
        for (std::uint64_t i = 0; i < low; ++i) {
            v &= ~(std::uint64_t(0xff) << (8 * i));
            v |= std::uint64_t(p[i]) << (8 * i);
        }
        return static_cast<std::int64_t>(v);
    }

    PickleValue* makeInt(std::int64_t v)
    {
        auto r = makeValue(PickleKind::Int);
        r->integer = v;
        return r;
    }

    PickleValue* makeBool(bool b)
    {
        auto r = makeValue(PickleKind::Bool);
        r->boolean = b;
        return r;
    }

    PickleValue* makeBytes(Bytes b, bool byteArray = false)
    {
        auto r = makeValue(PickleKind::Bytes);
        r->bytes = std::move(b);
        r->byteArray = byteArray;
        return r;
    }

    PickleValue* makeString(std::string s)
    {
        auto r = makeValue(PickleKind::String);
        r->text = std::move(s);
        return r;
    }

    std::string rawUnicode(std::string_view line)
    {
        std::string decoded, error;
        if (!decodeRawUnicode(line, decoded, error))
            fail(error);
        return decoded;
    }

    PickleValue* memoGet(std::uint64_t key)
    {
        const auto it = m_memo.find(key);
        if (it == m_memo.end())
            fail("memo key " + std::to_string(key) + " was never stored");
        return it->second;
    }

    void setItems(PickleValue& target, const std::vector<const PickleValue*>& kv)
    {
        if (target.kind != PickleKind::Dict && target.kind != PickleKind::Object)
            fail("cannot set items on a " + target.describe());
        if (kv.size() % 2 != 0)
            fail("odd number of keys and values (" + std::to_string(kv.size()) + ")");
        for (std::size_t i = 0; i < kv.size(); i += 2)
            target.entries.emplace_back(kv[i], kv[i + 1]);
    }

    void appendItems(PickleValue& target, const std::vector<const PickleValue*>& items)
    {
        if (target.kind != PickleKind::List && target.kind != PickleKind::Object)
            fail("cannot append to a " + target.describe());
        target.items.insert(target.items.end(), items.begin(), items.end());
    }

    PickleValue* makeTuple(std::vector<const PickleValue*> items)
    {
        auto t = makeValue(PickleKind::Tuple);
        t->items = std::move(items);
        return t;
    }

    PickleValue* makeGlobal(std::string module, std::string name)
    {
        if (m_options.allowGlobal && !m_options.allowGlobal(module, name))
            throw DataError(m_source + ": refused: the pickle names " + quoted(module + "." + name) + " at offset "
                            + std::to_string(m_opOffset) + "; "
                            + (m_options.refusal.empty() ? "not an allowed global" : m_options.refusal));
        auto g = makeValue(PickleKind::Global);
        g->module = std::move(module);
        g->name = std::move(name);
        return g;
    }

    // REDUCE and NEWOBJ: only calls of a global are representable without executing code.
    PickleValue* makeObject(const PickleValue* callable, const PickleValue* args)
    {
        if (callable->kind != PickleKind::Global)
            fail("expected a global (class or function) to call, found a " + callable->describe());
        if (args->kind != PickleKind::Tuple)
            fail("expected an argument tuple for " + callable->module + "." + callable->name + ", found a "
                 + args->describe());
        auto o = makeValue(PickleKind::Object);
        o->module = callable->module;
        o->name = callable->name;
        o->args = args;
        return o;
    }

    void step()
    {
        switch (m_op) {
        case PROTO: {
            const std::uint64_t proto = readUint(1);
            if (proto > 5)
                fail("unsupported pickle protocol " + std::to_string(proto) + " (this reader knows 0 to 5)");
            break;
        }
        case FRAME: {
            // Frames only group opcodes for buffered reading; the contents follow inline.
            const std::uint64_t size = readUint(8);
            if (size > m_data.size() - m_pos)
                fail("truncated: the frame announces " + std::to_string(size) + " bytes but only "
                     + std::to_string(m_data.size() - m_pos) + " remain");
            break;
        }
        case MARK:
            if (m_marks.size() >= m_options.maxMarks)
                fail("nested more than " + std::to_string(m_options.maxMarks) + " levels deep");
            m_marks.push_back(m_stack.size());
            break;
        case POP:
            if (!m_marks.empty() && m_stack.size() == m_marks.back())
                m_marks.pop_back();
            else
                pop();
            break;
        case POP_MARK: popToMark(); break;
        case DUP: push(top()); break;

        case NONE: push(makeValue(PickleKind::None)); break;
        case NEWTRUE: push(makeBool(true)); break;
        case NEWFALSE: push(makeBool(false)); break;
        case BININT: push(makeInt(static_cast<std::int32_t>(readUint(4)))); break;
        case BININT1: push(makeInt(static_cast<std::int64_t>(readUint(1)))); break;
        case BININT2: push(makeInt(static_cast<std::int64_t>(readUint(2)))); break;
        case INT: {
            const std::string_view line = trim(readLine());
            if (line == "00")
                push(makeBool(false));
            else if (line == "01")
                push(makeBool(true));
            else
                push(makeInt(parseInt(line)));
            break;
        }
        case LONG: {
            std::string_view line = trim(readLine());
            if (!line.empty() && line.back() == 'L')
                line.remove_suffix(1);
            push(makeInt(parseInt(line)));
            break;
        }
        case LONG1: {
            const std::uint64_t n = readUint(1);
            push(makeInt(decodeLong(take(n), n)));
            break;
        }
        case LONG4: {
            const auto n = static_cast<std::int32_t>(readUint(4));
            if (n < 0)
                fail("negative byte count " + std::to_string(n));
            push(makeInt(decodeLong(take(std::uint64_t(n)), std::uint64_t(n))));
            break;
        }
        case BINFLOAT: {
            const std::uint8_t* p = take(8);
            std::uint64_t bits = 0;
            for (int i = 0; i < 8; ++i)  // big-endian, unlike every other binary argument
                bits = (bits << 8) | p[i];
            double d;
            std::memcpy(&d, &bits, sizeof d);
            auto r = makeValue(PickleKind::Float);
            r->real = d;
            push(r);
            break;
        }
        case FLOAT: {
            const std::string_view line = trim(readLine());
            double d = 0;
            // from_chars ignores the C locale, which Qt applications set from the environment.
            const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), d);
            if (ec != std::errc() || end != line.data() + line.size())
                fail("expected a decimal number, found '" + std::string(line) + "'");
            auto r = makeValue(PickleKind::Float);
            r->real = d;
            push(r);
            break;
        }

        case BINSTRING: {
            const auto n = static_cast<std::int32_t>(readUint(4));
            if (n < 0)
                fail("negative length " + std::to_string(n));
            push(makeBytes(readBytes(std::uint64_t(n))));
            break;
        }
        case SHORT_BINSTRING: push(makeBytes(readBytes(readUint(1)))); break;
        case STRING: {
            const std::string_view line = readLine();
            if (line.size() < 2 || line.front() != line.back() || (line.front() != '\'' && line.front() != '"'))
                fail("the STRING argument is not quoted");
            Bytes decoded;
            std::string error;
            if (!decodeEscapes(line.substr(1, line.size() - 2), decoded, error))
                fail(error);
            push(makeBytes(std::move(decoded)));
            break;
        }
        case BINBYTES: push(makeBytes(readBytes(readUint(4)))); break;
        case SHORT_BINBYTES: push(makeBytes(readBytes(readUint(1)))); break;
        case BINBYTES8: push(makeBytes(readBytes(readUint(8)))); break;
        case BYTEARRAY8: push(makeBytes(readBytes(readUint(8)), true)); break;
        case BINUNICODE: push(makeString(readString(readUint(4)))); break;
        case SHORT_BINUNICODE: push(makeString(readString(readUint(1)))); break;
        case BINUNICODE8: push(makeString(readString(readUint(8)))); break;
        case UNICODE: push(makeString(rawUnicode(readLine()))); break;

        case EMPTY_TUPLE: push(makeValue(PickleKind::Tuple)); break;
        case EMPTY_LIST: push(makeValue(PickleKind::List)); break;
        case EMPTY_DICT: push(makeValue(PickleKind::Dict)); break;
        case TUPLE: push(makeTuple(popToMark())); break;
        case TUPLE1:
        case TUPLE2:
        case TUPLE3: {
            const std::size_t n = m_op - TUPLE1 + 1;
            if (m_stack.size() < floor() + n)
                fail("needs " + std::to_string(n) + " values on the stack");
            std::vector<const PickleValue*> items(m_stack.end() - static_cast<std::ptrdiff_t>(n), m_stack.end());
            m_stack.resize(m_stack.size() - n);
            push(makeTuple(std::move(items)));
            break;
        }
        case LIST: {
            auto l = makeValue(PickleKind::List);
            l->items = popToMark();
            push(l);
            break;
        }
        case DICT: {
            auto d = makeValue(PickleKind::Dict);
            auto kv = popToMark();
            setItems(*d, kv);
            push(d);
            break;
        }
        case APPEND: {
            const PickleValue* v = pop();
            appendItems(*top(), {v});
            break;
        }
        case APPENDS: {
            auto items = popToMark();
            appendItems(*top(), items);
            break;
        }
        case SETITEM: {
            const PickleValue* value = pop();
            const PickleValue* key = pop();
            setItems(*top(), {key, value});
            break;
        }
        case SETITEMS: {
            auto kv = popToMark();
            setItems(*top(), kv);
            break;
        }

        case PUT: m_memo[std::uint64_t(parseInt(readLine()))] = top(); break;
        case BINPUT: { const auto k = readUint(1); m_memo[k] = top(); break; }
        case LONG_BINPUT: { const auto k = readUint(4); m_memo[k] = top(); break; }
        case MEMOIZE: { const auto k = m_memo.size(); m_memo[k] = top(); break; }
        case GET: push(memoGet(std::uint64_t(parseInt(readLine())))); break;
        case BINGET: push(memoGet(readUint(1))); break;
        case LONG_BINGET: push(memoGet(readUint(4))); break;

        case GLOBAL: {
            std::string module(trim(readLine()));
            std::string name(trim(readLine()));
            push(makeGlobal(std::move(module), std::move(name)));
            break;
        }
        case STACK_GLOBAL: {
            const PickleValue* name = pop();
            const PickleValue* module = pop();
            if (!name->isText() || !module->isText())
                fail("expected module and name strings, found a " + module->describe() + " and a "
                     + name->describe());
            push(makeGlobal(module->textOrBytes(), name->textOrBytes()));
            break;
        }
        case REDUCE:
        case NEWOBJ: {
            const PickleValue* args = pop();
            const PickleValue* callable = pop();
            push(makeObject(callable, args));
            break;
        }
        case BUILD: {
            const PickleValue* state = pop();
            PickleValue& target = *top();
            if (target.kind != PickleKind::Object)
                fail("cannot set state on a " + target.describe());
            target.state = state;
            break;
        }
        case PERSID: {
            auto p = makeValue(PickleKind::PersistentId);
            p->args = makeString(rawUnicode(readLine()));
            m_out.m_persistentIds.push_back(p);
            push(p);
            break;
        }
        case BINPERSID: {
            auto p = makeValue(PickleKind::PersistentId);
            p->args = pop();
            m_out.m_persistentIds.push_back(p);
            push(p);
            break;
        }

        default:
            if (opName(m_op))
                fail("this reader does not support the opcode (data sets do not need it)");
            throw DataError(m_source + ": bad pickle: unknown opcode " + hexByte(m_op) + " at offset "
                            + std::to_string(m_opOffset));
        }
    }
};

std::string PickleValue::textOrBytes() const
{
    if (kind == PickleKind::String)
        return text;
    if (kind == PickleKind::Bytes)
        return std::string(bytes.begin(), bytes.end());
    return {};
}

const PickleValue* PickleValue::find(std::string_view key) const
{
    if (kind != PickleKind::Dict && kind != PickleKind::Object)
        return nullptr;
    for (const auto& [k, v] : entries) {
        if (k->kind == PickleKind::String && k->text == key)
            return v;
        if (k->kind == PickleKind::Bytes && k->bytes.size() == key.size()
            && std::equal(k->bytes.begin(), k->bytes.end(), key.begin(),
                          [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); }))
            return v;
    }
    return nullptr;
}

std::string PickleValue::describe() const
{
    switch (kind) {
    case PickleKind::None: return "None";
    case PickleKind::Bool: return "bool";
    case PickleKind::Int: return "int";
    case PickleKind::Float: return "float";
    case PickleKind::Bytes: return (byteArray ? "bytearray of " : "bytes of ") + std::to_string(bytes.size());
    case PickleKind::String: return "str";
    case PickleKind::List: return "list of " + std::to_string(items.size());
    case PickleKind::Tuple: return "tuple of " + std::to_string(items.size());
    case PickleKind::Dict: return "dict";
    case PickleKind::Global: return "global " + module + "." + name;
    case PickleKind::Object: return "object " + module + "." + name;
    case PickleKind::PersistentId: return "persistent id";
    }
    return "value";
}

Pickle parsePickle(const Bytes& data, const std::string& sourceName)
{
    return parsePickle(data, sourceName, PickleOptions{});
}

Pickle parsePickle(const Bytes& data, const std::string& sourceName, const PickleOptions& options, std::size_t* end)
{
    Pickle pickle;
    const std::size_t stop = PickleParser(data, sourceName, options, pickle).run();
    if (end)
        *end = stop;
    return pickle;
}

Pickle readPickleFile(const std::filesystem::path& path)
{
    return parsePickle(readFileBytes(path), path.string());
}

}  // namespace scns
