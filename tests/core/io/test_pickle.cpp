// The pickle reader on streams CPython writes (protocols 0, 2, 4, 5), the numpy and bytes
// conversions, and malformed streams.
#include "common/errors.h"
#include "io/pickle.h"
#include "io/pickle_convert.h"
#include "test_files.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace scns;

namespace {

// Writes p<protocol>.pkl for each protocol into argv[1].
const char* writerScript = R"PY(
import collections, os, pickle, sys
import numpy as np

class Point:
    pass

class StorageIds(pickle.Pickler):
    def __init__(self, f, protocol):
        super().__init__(f, protocol=protocol)
        self.protocol_used = protocol
    def persistent_id(self, obj):
        if isinstance(obj, Point) and getattr(obj, 'storage', False):
            return 'storage-0' if self.protocol_used == 0 else ('storage', 'key0', 3)
        return None

shared = [7, 8]
p = Point(); p.x = 1; p.name = 'pt'
s = Point(); s.storage = True
obj = {
    'none': None, 't': True, 'f': False,
    'small': 5, 'neg': -3, 'int300': 300, 'int70000': 70000, 'big': 2**40,
    'minint': -2**63, 'maxint': 2**63 - 1,
    'float': 1.5, 'negfloat': -2.25e-300,
    'str': 'h\u00e9llo \u2603 \\ \n end', 'long_str': 'x' * 300,
    'bytes': b'\x00\x01\xff\\\n', 'empty_bytes': b'', 'long_bytes': b'y' * 300,
    'bytearray': bytearray(b'xyz'),
    'list': [1, 2, 3], 'empty_list': [], 'tuple1': (1,), 'tuple2': (1, 'a'), 'tuple3': (1, 2, 3),
    'tuple4': (1, 2, 3, 4), 'empty_tuple': (),
    'nested': {'a': [1, {'b': 2}]},
    'shared_a': shared, 'shared_b': shared,
    'ordered': collections.OrderedDict([('k', 1), ('j', 2)]),
    'point': p, 'storage': s,
    'u1': np.array([[1, 2, 3], [4, 5, 255]], dtype=np.uint8),
    'i8': np.arange(-2, 4, dtype=np.int64),
    'be_i4': np.array([-1, 2, -300], dtype='>i4'),
    'f4': np.array([0.5, -1.25], dtype=np.float32),
    'fortran': np.asfortranarray(np.arange(6, dtype=np.uint8).reshape(2, 3)),
    'empty_arr': np.zeros((0, 4), dtype=np.uint8),
}
for proto in (0, 2, 4, 5):
    with open(os.path.join(sys.argv[1], 'p%d.pkl' % proto), 'wb') as f:
        StorageIds(f, protocol=proto).dump(obj)

class BadArray:
    def __reduce__(self):
        return (np.core.multiarray._reconstruct, (np.ndarray, (0,), b'b'),
                (1, (2, 3), np.dtype('u1'), False, b'12345'))
with open(os.path.join(sys.argv[1], 'short_array.pkl'), 'wb') as f:
    pickle.dump({'a': BadArray()}, f, protocol=2)
)PY";

template <typename F>
QString errorOf(F&& f)
{
    try {
        f();
    } catch (const DataError& e) {
        return QString::fromStdString(e.what());
    }
    return QStringLiteral("no error");
}

Bytes bytesOf(std::initializer_list<int> values)
{
    Bytes b;
    for (int v : values)
        b.push_back(static_cast<std::uint8_t>(v));
    return b;
}

Bytes bytesOf(const std::string& s)
{
    return Bytes(s.begin(), s.end());
}

// A Python-like repr, for compact expectations.
std::string repr(const PickleValue& v, int depth = 0)
{
    if (depth > 8)
        return "...";
    auto join = [&](const std::vector<const PickleValue*>& items) {
        std::string out;
        for (std::size_t i = 0; i < items.size(); ++i)
            out += (i ? ", " : "") + repr(*items[i], depth + 1);
        return out;
    };
    switch (v.kind) {
    case PickleKind::None: return "None";
    case PickleKind::Bool: return v.boolean ? "True" : "False";
    case PickleKind::Int: return std::to_string(v.integer);
    case PickleKind::Float: return std::to_string(v.real);
    case PickleKind::String: return "'" + v.text + "'";
    case PickleKind::Bytes: return std::string(v.byteArray ? "bytearray" : "b") + "'" + v.textOrBytes() + "'";
    case PickleKind::List: return "[" + join(v.items) + "]";
    case PickleKind::Tuple: return "(" + join(v.items) + ")";
    case PickleKind::Dict: {
        std::string out = "{";
        for (std::size_t i = 0; i < v.entries.size(); ++i)
            out += (i ? ", " : "") + repr(*v.entries[i].first, depth + 1) + ": " + repr(*v.entries[i].second, depth + 1);
        return out + "}";
    }
    case PickleKind::Global: return v.module + "." + v.name;
    case PickleKind::Object:
        return v.module + "." + v.name + repr(*v.args, depth + 1)
               + (v.state ? " state " + repr(*v.state, depth + 1) : std::string());
    case PickleKind::PersistentId: return "pid " + repr(*v.args, depth + 1);
    }
    return "?";
}

}  // namespace

class TestPickle : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString error = scns::test::runPython(QString::fromUtf8(writerScript), {m_dir.path()});
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void pythonStreams_data()
    {
        QTest::addColumn<int>("protocol");
        QTest::newRow("protocol 0") << 0;
        QTest::newRow("protocol 2") << 2;
        QTest::newRow("protocol 4") << 4;
        QTest::newRow("protocol 5") << 5;
    }

    void pythonStreams()
    {
        QFETCH(int, protocol);
        const std::filesystem::path path = std::filesystem::path(m_dir.path().toStdString())
                                           / ("p" + std::to_string(protocol) + ".pkl");
        const Pickle root = readPickleFile(path);
        QCOMPARE(root->kind, PickleKind::Dict);
        const PickleValue& d = root.root();
        auto at = [&](const char* key) -> const PickleValue& {
            const PickleValue* v = d.find(key);
            if (!v)
                throw std::runtime_error(std::string("missing key ") + key);
            return *v;
        };

        QCOMPARE(at("none").kind, PickleKind::None);
        QCOMPARE(at("t").kind, PickleKind::Bool);
        QCOMPARE(at("t").boolean, true);
        QCOMPARE(at("f").boolean, false);
        QCOMPARE(at("small").integer, std::int64_t(5));
        QCOMPARE(at("neg").integer, std::int64_t(-3));
        QCOMPARE(at("int300").integer, std::int64_t(300));
        QCOMPARE(at("int70000").integer, std::int64_t(70000));
        QCOMPARE(at("big").integer, std::int64_t(1) << 40);
        QCOMPARE(at("minint").integer, std::numeric_limits<std::int64_t>::min());
        QCOMPARE(at("maxint").integer, std::numeric_limits<std::int64_t>::max());
        QCOMPARE(at("float").kind, PickleKind::Float);
        QCOMPARE(at("float").real, 1.5);
        QCOMPARE(at("negfloat").real, -2.25e-300);

        QCOMPARE(at("str").kind, PickleKind::String);
        QCOMPARE(at("str").text, std::string("h\xc3\xa9llo \xe2\x98\x83 \\ \n end"));
        QCOMPARE(at("long_str").text, std::string(300, 'x'));

        const Bytes expectedBytes = bytesOf({0, 1, 0xff, '\\', '\n'});
        QCOMPARE(pickleBytes(at("bytes"), "bytes"), expectedBytes);
        QCOMPARE(pickleBytes(at("empty_bytes"), "empty"), Bytes{});
        QCOMPARE(pickleBytes(at("long_bytes"), "long"), Bytes(300, 'y'));
        QCOMPARE(pickleBytes(at("bytearray"), "bytearray"), bytesOf("xyz"));
        if (protocol >= 3)
            QCOMPARE(at("bytes").kind, PickleKind::Bytes);
        else  // Python 3 spells bytes as _codecs.encode(text, 'latin1') before protocol 3
            QCOMPARE(at("bytes").kind, PickleKind::Object);

        QCOMPARE(pickleIntSequence(at("list"), "list"), (std::vector<std::int64_t>{1, 2, 3}));
        QCOMPARE(at("list").kind, PickleKind::List);
        QCOMPARE(at("empty_list").items.size(), std::size_t(0));
        QCOMPARE(at("tuple1").kind, PickleKind::Tuple);
        QCOMPARE(at("tuple1").items.size(), std::size_t(1));
        QCOMPARE(at("tuple2").items.at(1)->text, std::string("a"));
        QCOMPARE(pickleIntSequence(at("tuple3"), "t3"), (std::vector<std::int64_t>{1, 2, 3}));
        QCOMPARE(pickleIntSequence(at("tuple4"), "t4"), (std::vector<std::int64_t>{1, 2, 3, 4}));
        QCOMPARE(at("empty_tuple").kind, PickleKind::Tuple);
        QCOMPARE(at("empty_tuple").items.size(), std::size_t(0));

        const PickleValue& nested = at("nested");
        QCOMPARE(nested.kind, PickleKind::Dict);
        const PickleValue* inner = nested.find("a");
        QVERIFY(inner);
        QCOMPARE(inner->items.size(), std::size_t(2));
        QCOMPARE(inner->items[1]->find("b")->integer, std::int64_t(2));

        // The memo makes one object appear twice.
        QCOMPARE(&at("shared_a"), &at("shared_b"));
        QCOMPARE(pickleIntSequence(at("shared_b"), "shared"), (std::vector<std::int64_t>{7, 8}));

        const PickleValue& ordered = at("ordered");
        QCOMPARE(ordered.kind, PickleKind::Object);
        QCOMPARE(ordered.module, std::string("collections"));
        QCOMPARE(ordered.name, std::string("OrderedDict"));
        QCOMPARE(ordered.entries.size(), std::size_t(2));
        QCOMPARE(ordered.find("k")->integer, std::int64_t(1));
        QCOMPARE(ordered.find("j")->integer, std::int64_t(2));

        const PickleValue& point = at("point");
        QCOMPARE(point.kind, PickleKind::Object);
        if (protocol >= 2) {  // NEWOBJ
            QCOMPARE(point.name, std::string("Point"));
        } else {  // copyreg._reconstructor(Point, object, None)
            QCOMPARE(point.name, std::string("_reconstructor"));
            QCOMPARE(point.args->items.at(0)->kind, PickleKind::Global);
            QCOMPARE(point.args->items.at(0)->name, std::string("Point"));
        }
        QVERIFY(point.state);
        QCOMPARE(point.state->find("x")->integer, std::int64_t(1));
        QCOMPARE(point.state->find("name")->text, std::string("pt"));

        const PickleValue& storage = at("storage");
        QCOMPARE(storage.kind, PickleKind::PersistentId);
        QVERIFY(storage.args);
        if (protocol == 0) {
            QCOMPARE(storage.args->text, std::string("storage-0"));
        } else {
            QCOMPARE(storage.args->kind, PickleKind::Tuple);
            QCOMPARE(storage.args->items.size(), std::size_t(3));
            QCOMPARE(storage.args->items[1]->text, std::string("key0"));
            QCOMPARE(storage.args->items[2]->integer, std::int64_t(3));
        }

        const NumpyArray u1 = pickleNumpyArray(at("u1"), "u1");
        QCOMPARE(u1.shape, (std::vector<std::int64_t>{2, 3}));
        QCOMPARE(u1.dtype, std::string("u1"));
        QCOMPARE(u1.data, bytesOf({1, 2, 3, 4, 5, 255}));
        QCOMPARE(u1.fortranOrder, false);

        QCOMPARE(pickleIntSequence(at("i8"), "i8"), (std::vector<std::int64_t>{-2, -1, 0, 1, 2, 3}));
        const NumpyArray be = pickleNumpyArray(at("be_i4"), "be");
        QCOMPARE(be.byteOrder, '>');
        QCOMPARE(pickleIntSequence(at("be_i4"), "be"), (std::vector<std::int64_t>{-1, 2, -300}));

        const NumpyArray f4 = pickleNumpyArray(at("f4"), "f4");
        QCOMPARE(f4.dtype, std::string("f4"));
        QCOMPARE(f4.data.size(), std::size_t(8));
        float values[2];
        std::memcpy(values, f4.data.data(), sizeof values);
        QCOMPARE(values[0], 0.5f);
        QCOMPARE(values[1], -1.25f);

        const NumpyArray fortran = pickleNumpyArray(at("fortran"), "fortran");
        QCOMPARE(fortran.fortranOrder, true);
        QCOMPARE(fortran.data, bytesOf({0, 3, 1, 4, 2, 5}));

        const NumpyArray empty = pickleNumpyArray(at("empty_arr"), "empty");
        QCOMPARE(empty.shape, (std::vector<std::int64_t>{0, 4}));
        QVERIFY(empty.data.empty());
    }

    void conversionErrors()
    {
        const auto path = std::filesystem::path(m_dir.path().toStdString()) / "short_array.pkl";
        const Pickle root = readPickleFile(path);
        QString message = errorOf([&] { pickleNumpyArray(*root->find("a"), "ctx"); });
        QVERIFY2(message.contains("needs 6 bytes of data, found 5"), qPrintable(message));
        message = errorOf([&] { pickleNumpyArray(root.root(), "ctx"); });
        QVERIFY2(message.contains("expected a numpy array, found a dict"), qPrintable(message));
        message = errorOf([&] { pickleIntSequence(root.root(), "ctx"); });
        QVERIFY2(message.startsWith("ctx: expected a list of ints"), qPrintable(message));
        message = errorOf([&] { pickleBytes(root.root(), "ctx"); });
        QVERIFY2(message.contains("expected bytes"), qPrintable(message));
    }

    // Protocol 0 written by hand: Python 2's STRING with escapes, INT booleans, LONG, FLOAT.
    void protocolZeroText()
    {
        const Bytes stream = bytesOf("(dp0\nS'k\\x41\\n\\'q\\\\'\np1\nI01\nsS\"b\"\nL12345678901234L\nsVu\\u00e9\\U0001f600\nF-0.5\ns.");
        const Pickle root = parsePickle(stream, "mem");
        QCOMPARE(root->kind, PickleKind::Dict);
        QCOMPARE(root->entries.size(), std::size_t(3));
        QCOMPARE(root->entries[0].first->bytes, bytesOf("kA\n'q\\"));
        QCOMPARE(root->entries[0].second->kind, PickleKind::Bool);
        QCOMPARE(root->find("b")->integer, std::int64_t(12345678901234));
        QCOMPARE(root->entries[2].first->text, std::string("u\xc3\xa9\xf0\x9f\x98\x80"));
        QCOMPARE(root->entries[2].second->real, -0.5);
    }

    // Values are owned by the Pickle, so self-reference and deep nesting neither leak nor
    // overflow the stack when freed.
    void cyclesAndDeepNesting()
    {
        {
            const Pickle self = parsePickle(bytesOf(std::string("]q\x00h\x00" "a.", 7)), "self");
            QCOMPARE(self->kind, PickleKind::List);
            QCOMPARE(self->items.size(), std::size_t(1));
            QCOMPARE(self->items[0], &self.root());
        }
        constexpr int depth = 300000;
        Bytes deep(depth, ']');
        deep.insert(deep.end(), depth - 1, 'a');
        deep.push_back('.');
        const Pickle nested = parsePickle(deep, "deep");
        const PickleValue* v = &nested.root();
        int levels = 1;
        while (!v->items.empty()) {
            v = v->items[0];
            ++levels;
        }
        QCOMPARE(levels, depth);
    }

    // Opcodes CPython rarely or never emits for small data, written by hand.
    void handWritten_data()
    {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<QString>("expected");
        auto row = [](const char* name, const std::string& s, const char* expected) {
            QTest::newRow(name) << QByteArray(s.data(), static_cast<qsizetype>(s.size())) << QString(expected);
        };
        using namespace std::string_literals;
        row("BINUNICODE8", "\x8d\x03\0\0\0\0\0\0\0" "abc."s, "'abc'");
        row("BINBYTES8", "\x8e\x02\0\0\0\0\0\0\0" "xy."s, "b'xy'");
        row("BYTEARRAY8", "\x96\x01\0\0\0\0\0\0\0" "z."s, "bytearray'z'");
        row("BINSTRING and SHORT_BINSTRING", "(T\x02\0\0\0" "abU\x01" "ct."s, "(b'ab', b'c')");
        row("negative BININT", "J\xfe\xff\xff\xff."s, "-2");
        row("BININT2", "M\x01\x02."s, "513");
        row("LONG1 negative", "\x8a\x02\x00\xff."s, "-256");
        row("LONG1 zero length", "\x8a\x00."s, "0");
        row("LONG4", "\x8b\x09\0\0\0\x01\0\0\0\0\0\0\0\0."s, "1");
        row("LONG4 minimum int64", "\x8b\x08\0\0\0\0\0\0\0\0\0\0\x80."s, "-9223372036854775808");
        row("BINFLOAT", "G\x3f\xf8\0\0\0\0\0\0."s, "1.500000");
        row("LONG_BINPUT and LONG_BINGET", "]r\x00\x01\0\0j\x00\x01\0\0\x86."s, "([], [])");
        row("PUT and GET", "]p7\ng7\n\x86."s, "([], [])");
        row("DUP and POP", "K\x01\x32\x30K\x02\x86."s, "(1, 2)");
        row("POP_MARK", "K\x05(K\x01K\x02\x31."s, "5");
        row("POP of a bare MARK", "K\x05(0."s, "5");
        row("EMPTY_TUPLE, TUPLE1-3", "(K\x01\x85K\x01K\x02\x86K\x01K\x02K\x03\x87)t."s, "((1), (1, 2), (1, 2, 3), ())");
        row("DICT and SETITEM", "(K\x01K\x02" "dK\x03K\x04s."s, "{1: 2, 3: 4}");
        row("LIST and APPEND", "(K\x01lK\x02" "a."s, "[1, 2]");
        row("STACK_GLOBAL and NEWOBJ", "\x8c\x01m\x8c\x01n\x93K\x01\x85\x81}b."s, "m.n(1) state {}");
        row("GLOBAL and REDUCE", "cmod.sub\nfn\n)R."s, "mod.sub.fn()");
        row("PERSID", "Pkey\\u00e9\n."s, "pid 'key\xc3\xa9'");
        row("BINPERSID", "K\x07Q."s, "pid 7");
        row("INT booleans", "(I00\nI01\nI-12\nt."s, "(False, True, -12)");
        row("NONE, NEWTRUE, NEWFALSE", "N\x88\x89\x87."s, "(None, True, False)");
        row("bytes after STOP ignored", "K\x01.garbage"s, "1");
    }

    void handWritten()
    {
        QFETCH(QByteArray, stream);
        QFETCH(QString, expected);
        const Pickle p = parsePickle(Bytes(stream.begin(), stream.end()), "mem");
        QCOMPARE(QString::fromStdString(repr(p.root())), expected);
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<QString>("expected");
        auto row = [](const char* name, const std::string& s, const char* expected) {
            QTest::newRow(name) << QByteArray(s.data(), static_cast<qsizetype>(s.size())) << QString(expected);
        };
        using namespace std::string_literals;
        row("unknown opcode", "\x80\x02\xff."s, "unknown opcode 0xff at offset 2");
        row("unsupported opcode", "\x80\x04\x8f."s, "opcode EMPTY_SET (0x8f) at offset 2");
        row("bad protocol", "\x80\x09."s, "unsupported pickle protocol 9");
        row("empty", ""s, "without a STOP opcode");
        row("no stop", "\x80\x02K\x01"s, "without a STOP opcode");
        row("truncated unicode", "\x80\x02X\x10\x00\x00\x00" "ab"s, "truncated: needs 16 bytes but only 2 remain");
        row("huge bytes8", "\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\x7f"s, "truncated: needs");
        row("huge frame", "\x80\x04\x95\x00\x00\x00\x00\x00\x01\x00\x00N."s, "the frame announces");
        row("stop on empty stack", "."s, "opcode STOP (0x2e) at offset 0: the stack is empty");
        row("missing memo", "h\x05."s, "memo key 5 was never stored");
        row("setitem on list", "]K\x01K\x02s."s, "cannot set items on a list");
        row("append to dict", "}K\x01" "a."s, "cannot append to a dict");
        row("appends without mark", "]e."s, "no MARK on the stack");
        row("pop below mark", "K\x01(\x85."s, "needs 1 values on the stack");
        row("long1 too big", "\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01."s, "does not fit in 64 bits");
        row("long text too big", "L99999999999999999999999L\n."s, "does not fit in 64 bits");
        row("int not a number", "I12x\n."s, "expected a decimal integer");
        row("reduce non-global", "K\x01)R."s, "expected a global (class or function) to call, found a int");
        row("build on int", "K\x01}b."s, "cannot set state on a int");
        row("unquoted string", "Sabc\n."s, "not quoted");
        row("line without newline", "I12"s, "no newline");
        row("negative binstring", "T\xff\xff\xff\xff."s, "negative length");
    }

    void malformed()
    {
        QFETCH(QByteArray, stream);
        QFETCH(QString, expected);
        const Bytes bytes(stream.begin(), stream.end());
        const QString message = errorOf([&] { parsePickle(bytes, "/some/file.pkl"); });
        QVERIFY2(message.startsWith("/some/file.pkl: "), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void missingFile()
    {
        const QString message = errorOf([&] { readPickleFile("/nonexistent/x.pkl"); });
        QVERIFY2(message.contains("/nonexistent/x.pkl: file not found"), qPrintable(message));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestPickle)
#include "test_pickle.moc"
