#include "io/pickle.h"

#include "common/errors.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <cstdio>
#include <unordered_map>

namespace scns {

namespace {

// Opcode bytes, named as in CPython's Lib/pickle.py.
enum Op : std::uint8_t {
    MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2', FLOAT = 'F', INT = 'I',
    BININT = 'J', BININT1 = 'K', LONG = 'L', BININT2 = 'M', NONE = 'N', PERSID = 'P',
    BINPERSID = 'Q', REDUCE = 'R', STRING = 'S', BINSTRING = 'T', SHORT_BINSTRING = 'U',
    UNICODE = 'V', BINUNICODE = 'X', APPEND = 'a', BUILD = 'b', GLOBAL = 'c', DICT = 'd',
    EMPTY_DICT = '}', APPENDS = 'e', GET = 'g', BINGET = 'h', INST = 'i', LONG_BINGET = 'j',
    LIST = 'l', EMPTY_LIST = ']', OBJ = 'o', PUT = 'p', BINPUT = 'q', LONG_BINPUT = 'r',
    SETITEM = 's', TUPLE = 't', EMPTY_TUPLE = ')', SETITEMS = 'u', BINFLOAT = 'G',
    PROTO = 0x80, NEWOBJ = 0x81, EXT1 = 0x82, EXT2 = 0x83, EXT4 = 0x84, TUPLE1 = 0x85,
    TUPLE2 = 0x86, TUPLE3 = 0x87, NEWTRUE = 0x88, NEWFALSE = 0x89, LONG1 = 0x8a, LONG4 = 0x8b,
    BINBYTES = 'B', SHORT_BINBYTES = 'C',
    SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e, EMPTY_SET = 0x8f,
    ADDITEMS = 0x90, FROZENSET = 0x91, NEWOBJ_EX = 0x92, STACK_GLOBAL = 0x93, MEMOIZE = 0x94,
    FRAME = 0x95, BYTEARRAY8 = 0x96, NEXT_BUFFER = 0x97, READONLY_BUFFER = 0x98,
};

const char* opName(std::uint8_t op)
{
    switch (op) {
    case MARK: return "MARK"; case STOP: return "STOP"; case POP: return "POP";
    case POP_MARK: return "POP_MARK"; case DUP: return "DUP"; case FLOAT: return "FLOAT";
    case INT: return "INT"; case BININT: return "BININT"; case BININT1: return "BININT1";
    case LONG: return "LONG"; case BININT2: return "BININT2"; case NONE: return "NONE";
    case PERSID: return "PERSID"; case BINPERSID: return "BINPERSID"; case REDUCE: return "REDUCE";
    case STRING: return "STRING"; case BINSTRING: return "BINSTRING";
    case SHORT_BINSTRING: return "SHORT_BINSTRING"; case UNICODE: return "UNICODE";
    case BINUNICODE: return "BINUNICODE"; case APPEND: return "APPEND"; case BUILD: return "BUILD";
    case GLOBAL: return "GLOBAL"; case DICT: return "DICT"; case EMPTY_DICT: return "EMPTY_DICT";
    case APPENDS: return "APPENDS"; case GET: return "GET"; case BINGET: return "BINGET";
    case INST: return "INST"; case LONG_BINGET: return "LONG_BINGET"; case LIST: return "LIST";
    case EMPTY_LIST: return "EMPTY_LIST"; case OBJ: return "OBJ"; case PUT: return "PUT";
    case BINPUT: return "BINPUT"; case LONG_BINPUT: return "LONG_BINPUT"; case SETITEM: return "SETITEM";
    case TUPLE: return "TUPLE"; case EMPTY_TUPLE: return "EMPTY_TUPLE"; case SETITEMS: return "SETITEMS";
    case BINFLOAT: return "BINFLOAT"; case PROTO: return "PROTO"; case NEWOBJ: return "NEWOBJ";
    case EXT1: return "EXT1"; case EXT2: return "EXT2"; case EXT4: return "EXT4";
    case TUPLE1: return "TUPLE1"; case TUPLE2: return "TUPLE2"; case TUPLE3: return "TUPLE3";
    case NEWTRUE: return "NEWTRUE"; case NEWFALSE: return "NEWFALSE"; case LONG1: return "LONG1";
    case LONG4: return "LONG4"; case BINBYTES: return "BINBYTES"; case SHORT_BINBYTES: return "SHORT_BINBYTES";
    case SHORT_BINUNICODE: return "SHORT_BINUNICODE"; case BINUNICODE8: return "BINUNICODE8";
    case BINBYTES8: return "BINBYTES8"; case EMPTY_SET: return "EMPTY_SET"; case ADDITEMS: return "ADDITEMS";
    case FROZENSET: return "FROZENSET"; case NEWOBJ_EX: return "NEWOBJ_EX";
    case STACK_GLOBAL: return "STACK_GLOBAL"; case MEMOIZE: return "MEMOIZE"; case FRAME: return "FRAME";
    case BYTEARRAY8: return "BYTEARRAY8"; case NEXT_BUFFER: return "NEXT_BUFFER";
    case READONLY_BUFFER: return "READONLY_BUFFER";
    default: return nullptr;
    }
}

std::string hexByte(std::uint8_t b)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", b);
    return buf;
}

PickleRef makeValue(PickleKind kind)
{
    auto v = std::make_shared<PickleValue>();
    v->kind = kind;
    return v;
}

void appendUtf8(std::string& out, std::uint32_t cp)
{
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xc0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += char(0xe0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3f));
        out += char(0x80 | (cp & 0x3f));
    } else {
        out += char(0xf0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3f));
        out += char(0x80 | ((cp >> 6) & 0x3f));
        out += char(0x80 | (cp & 0x3f));
    }
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

class Parser {
public:
    Parser(const Bytes& data, const std::string& source) : m_data(data), m_source(source) {}

    PickleRef run()
    {
        while (m_pos < m_data.size()) {
            m_opOffset = m_pos;
            m_op = m_data[m_pos++];
            if (m_op == STOP)
                return pop();
            step();
        }
        throw DataError(m_source + ": truncated pickle: the stream ends at offset " + std::to_string(m_data.size())
                        + " without a STOP opcode");
    }

private:
    const Bytes& m_data;
    const std::string& m_source;
    std::size_t m_pos = 0;
    std::size_t m_opOffset = 0;
    std::uint8_t m_op = 0;
    std::vector<PickleRef> m_stack;
    std::vector<std::size_t> m_marks;  // stack sizes at each MARK, as CPython's metastack
    std::unordered_map<std::uint64_t, PickleRef> m_memo;

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

    void push(PickleRef v) { m_stack.push_back(std::move(v)); }

    std::size_t floor() const { return m_marks.empty() ? 0 : m_marks.back(); }

    PickleRef pop()
    {
        if (m_stack.size() <= floor())
            fail(m_stack.empty() ? "the stack is empty" : "the stack is empty above the last MARK");
        PickleRef v = std::move(m_stack.back());
        m_stack.pop_back();
        return v;
    }

    PickleRef& top()
    {
        if (m_stack.size() <= floor())
            fail(m_stack.empty() ? "the stack is empty" : "the stack is empty above the last MARK");
        return m_stack.back();
    }

    std::vector<PickleRef> popToMark()
    {
        if (m_marks.empty())
            fail("no MARK on the stack");
        const std::size_t mark = m_marks.back();
        m_marks.pop_back();
        std::vector<PickleRef> items(std::make_move_iterator(m_stack.begin() + mark),
                                     std::make_move_iterator(m_stack.end()));
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

    PickleRef makeInt(std::int64_t v)
    {
        auto r = makeValue(PickleKind::Int);
        r->integer = v;
        return r;
    }

    PickleRef makeBool(bool b)
    {
        auto r = makeValue(PickleKind::Bool);
        r->boolean = b;
        return r;
    }

    PickleRef makeBytes(Bytes b, bool byteArray = false)
    {
        auto r = makeValue(PickleKind::Bytes);
        r->bytes = std::move(b);
        r->byteArray = byteArray;
        return r;
    }

    PickleRef makeString(std::string s)
    {
        auto r = makeValue(PickleKind::String);
        r->text = std::move(s);
        return r;
    }

    // Python's escape_decode, as the protocol-0 STRING opcode uses on a repr()'d str.
    Bytes decodeEscapes(std::string_view s)
    {
        Bytes out;
        out.reserve(s.size());
        for (std::size_t i = 0; i < s.size(); ++i) {
            const char c = s[i];
            if (c != '\\' || i + 1 == s.size()) {
                out.push_back(std::uint8_t(c));
                continue;
            }
            const char e = s[++i];
            switch (e) {
            case '\n': break;
            case '\\': out.push_back('\\'); break;
            case '\'': out.push_back('\''); break;
            case '"': out.push_back('"'); break;
            case 'a': out.push_back('\a'); break;
            case 'b': out.push_back('\b'); break;
            case 'f': out.push_back('\f'); break;
            case 'n': out.push_back('\n'); break;
            case 'r': out.push_back('\r'); break;
            case 't': out.push_back('\t'); break;
            case 'v': out.push_back('\v'); break;
            case 'x': {
                if (i + 2 >= s.size() || hexValue(s[i + 1]) < 0 || hexValue(s[i + 2]) < 0)
                    fail("invalid \\x escape in a STRING argument");
                out.push_back(std::uint8_t(hexValue(s[i + 1]) * 16 + hexValue(s[i + 2])));
                i += 2;
                break;
            }
            default:
                if (e >= '0' && e <= '7') {
                    int v = e - '0';
                    for (int k = 0; k < 2 && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7'; ++k)
                        v = v * 8 + (s[++i] - '0');
                    out.push_back(std::uint8_t(v & 0xff));
                } else {  // unknown escapes stay as written, as in Python
                    out.push_back('\\');
                    out.push_back(std::uint8_t(e));
                }
            }
        }
        return out;
    }

    // Python's raw-unicode-escape decoding (protocol-0 UNICODE): bytes are Latin-1 code
    // points, except \uXXXX and \UXXXXXXXX escapes.
    std::string decodeRawUnicode(std::string_view s)
    {
        std::string out;
        out.reserve(s.size());
        for (std::size_t i = 0; i < s.size(); ++i) {
            const auto c = static_cast<unsigned char>(s[i]);
            if (c == '\\' && i + 1 < s.size() && (s[i + 1] == 'u' || s[i + 1] == 'U')) {
                const std::size_t digits = s[i + 1] == 'u' ? 4 : 8;
                if (i + 2 + digits > s.size())
                    fail("truncated \\u escape in a UNICODE argument");
                std::uint32_t cp = 0;
                for (std::size_t k = 0; k < digits; ++k) {
                    const int h = hexValue(s[i + 2 + k]);
                    if (h < 0)
                        fail("invalid \\u escape in a UNICODE argument");
                    cp = cp * 16 + std::uint32_t(h);
                }
                if (cp > 0x10ffff)
                    fail("code point beyond U+10FFFF in a UNICODE argument");
                appendUtf8(out, cp);
                i += 1 + digits;
            } else {
                appendUtf8(out, c);
            }
        }
        return out;
    }

    PickleRef memoGet(std::uint64_t key)
    {
        const auto it = m_memo.find(key);
        if (it == m_memo.end())
            fail("memo key " + std::to_string(key) + " was never stored");
        return it->second;
    }

    void setItems(PickleValue& target, std::vector<PickleRef>& kv)
    {
        if (target.kind != PickleKind::Dict && target.kind != PickleKind::Object)
            fail("cannot set items on a " + target.describe());
        if (kv.size() % 2 != 0)
            fail("odd number of keys and values (" + std::to_string(kv.size()) + ")");
        for (std::size_t i = 0; i < kv.size(); i += 2)
            target.entries.emplace_back(std::move(kv[i]), std::move(kv[i + 1]));
    }

    void appendItems(PickleValue& target, std::vector<PickleRef>& items)
    {
        if (target.kind != PickleKind::List && target.kind != PickleKind::Object)
            fail("cannot append to a " + target.describe());
        for (auto& item : items)
            target.items.push_back(std::move(item));
    }

    PickleRef makeTuple(std::vector<PickleRef> items)
    {
        auto t = makeValue(PickleKind::Tuple);
        t->items = std::move(items);
        return t;
    }

    PickleRef makeGlobal(std::string module, std::string name)
    {
        auto g = makeValue(PickleKind::Global);
        g->module = std::move(module);
        g->name = std::move(name);
        return g;
    }

    // REDUCE and NEWOBJ: only calls of a global are representable without executing code.
    PickleRef makeObject(const PickleRef& callable, PickleRef args)
    {
        if (callable->kind != PickleKind::Global)
            fail("expected a global (class or function) to call, found a " + callable->describe());
        if (args->kind != PickleKind::Tuple)
            fail("expected an argument tuple for " + callable->module + "." + callable->name + ", found a "
                 + args->describe());
        auto o = makeValue(PickleKind::Object);
        o->module = callable->module;
        o->name = callable->name;
        o->args = std::move(args);
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
        case MARK: m_marks.push_back(m_stack.size()); break;
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
            push(makeBytes(decodeEscapes(line.substr(1, line.size() - 2))));
            break;
        }
        case BINBYTES: push(makeBytes(readBytes(readUint(4)))); break;
        case SHORT_BINBYTES: push(makeBytes(readBytes(readUint(1)))); break;
        case BINBYTES8: push(makeBytes(readBytes(readUint(8)))); break;
        case BYTEARRAY8: push(makeBytes(readBytes(readUint(8)), true)); break;
        case BINUNICODE: push(makeString(readString(readUint(4)))); break;
        case SHORT_BINUNICODE: push(makeString(readString(readUint(1)))); break;
        case BINUNICODE8: push(makeString(readString(readUint(8)))); break;
        case UNICODE: push(makeString(decodeRawUnicode(readLine()))); break;

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
            std::vector<PickleRef> items(std::make_move_iterator(m_stack.end() - n),
                                         std::make_move_iterator(m_stack.end()));
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
            PickleRef v = pop();
            std::vector<PickleRef> one{std::move(v)};
            appendItems(*top(), one);
            break;
        }
        case APPENDS: {
            auto items = popToMark();
            appendItems(*top(), items);
            break;
        }
        case SETITEM: {
            PickleRef value = pop();
            PickleRef key = pop();
            std::vector<PickleRef> kv{std::move(key), std::move(value)};
            setItems(*top(), kv);
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
            PickleRef name = pop();
            PickleRef module = pop();
            if (!name->isText() || !module->isText())
                fail("expected module and name strings, found a " + module->describe() + " and a "
                     + name->describe());
            push(makeGlobal(module->textOrBytes(), name->textOrBytes()));
            break;
        }
        case REDUCE:
        case NEWOBJ: {
            PickleRef args = pop();
            PickleRef callable = pop();
            push(makeObject(callable, std::move(args)));
            break;
        }
        case BUILD: {
            PickleRef state = pop();
            PickleValue& target = *top();
            if (target.kind != PickleKind::Object)
                fail("cannot set state on a " + target.describe());
            target.state = std::move(state);
            break;
        }
        case PERSID: {
            auto p = makeValue(PickleKind::PersistentId);
            p->args = makeString(decodeRawUnicode(readLine()));
            push(p);
            break;
        }
        case BINPERSID: {
            auto p = makeValue(PickleKind::PersistentId);
            p->args = pop();
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

}  // namespace

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
            return v.get();
        if (k->kind == PickleKind::Bytes && k->bytes.size() == key.size()
            && std::equal(k->bytes.begin(), k->bytes.end(), key.begin(),
                          [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); }))
            return v.get();
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

PickleRef parsePickle(const Bytes& data, const std::string& sourceName)
{
    return Parser(data, sourceName).run();
}

PickleRef readPickleFile(const std::filesystem::path& path)
{
    return parsePickle(readFileBytes(path), path.string());
}

}  // namespace scns
