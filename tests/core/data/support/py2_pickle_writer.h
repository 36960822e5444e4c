#pragma once
// Writes pickle streams byte by byte the way Python 2's cPickle (protocol 2) wrote the
// original CIFAR "python version" files: SHORT_BINSTRING keys, the pixel buffer as one
// BINSTRING inside numpy.core.multiarray._reconstruct + BUILD, labels as lists filled with
// APPENDS in batches, dicts filled with SETITEMS. No Python involved, so the test does not
// depend on how today's Python would write it.
#include <cstdint>
#include <string>
#include <vector>

namespace scns::test {

class Py2PickleWriter {
public:
    std::vector<std::uint8_t> bytes;

    void proto2() { op(0x80); byte(2); }
    void stop() { op('.'); }
    void mark() { op('('); }
    void emptyDict() { op('}'); put(); }
    void emptyList() { op(']'); put(); }
    void setItems() { op('u'); }
    void appends() { op('e'); }
    void tuple() { op('t'); }
    void none() { op('N'); }
    void newFalse() { op(0x89); }

    void str(const std::string& s)
    {
        if (s.size() < 256) {
            op('U');
            byte(static_cast<std::uint8_t>(s.size()));
        } else {
            op('T');
            le32(static_cast<std::uint32_t>(s.size()));
        }
        bytes.insert(bytes.end(), s.begin(), s.end());
        put();
    }

    void binstring(const std::vector<std::uint8_t>& data)
    {
        op('T');
        le32(static_cast<std::uint32_t>(data.size()));
        bytes.insert(bytes.end(), data.begin(), data.end());
        put();
    }

    void integer(std::int64_t v)
    {
        if (v >= 0 && v < 256) {
            op('K');
            byte(static_cast<std::uint8_t>(v));
        } else if (v >= 0 && v < 65536) {
            op('M');
            byte(static_cast<std::uint8_t>(v));
            byte(static_cast<std::uint8_t>(v >> 8));
        } else {
            op('J');
            le32(static_cast<std::uint32_t>(static_cast<std::int32_t>(v)));
        }
    }

    void global(const std::string& module, const std::string& name)
    {
        op('c');
        bytes.insert(bytes.end(), module.begin(), module.end());
        byte('\n');
        bytes.insert(bytes.end(), name.begin(), name.end());
        byte('\n');
        put();
    }

    void reduce() { op('R'); put(); }
    void build() { op('b'); }

    // A list of ints, appended 1000 at a time as cPickle batches them.
    void intList(const std::vector<std::int64_t>& values)
    {
        emptyList();
        for (std::size_t i = 0; i < values.size(); i += 1000) {
            mark();
            for (std::size_t k = i; k < values.size() && k < i + 1000; ++k)
                integer(values[k]);
            appends();
        }
    }

    void stringList(const std::vector<std::string>& values)
    {
        emptyList();
        mark();
        for (const auto& v : values)
            str(v);
        appends();
    }

    // A uint8 ndarray as numpy wrote it under Python 2.
    void uint8Array(const std::vector<std::int64_t>& shape, const std::vector<std::uint8_t>& data)
    {
        global("numpy.core.multiarray", "_reconstruct");
        global("numpy", "ndarray");
        integer(0);
        op(0x85);  // TUPLE1
        str("b");
        op(0x87);  // TUPLE3
        reduce();
        mark();
        integer(1);
        if (shape.size() == 2) {  // TUPLE2, as in the original files
            integer(shape[0]);
            integer(shape[1]);
            op(0x86);
        } else {
            mark();
            for (const auto d : shape)
                integer(d);
            tuple();
        }
        global("numpy", "dtype");
        str("u1");
        integer(0);
        integer(1);
        op(0x87);
        reduce();
        mark();
        integer(3);
        str("|");
        none();
        none();
        none();
        integer(-1);
        integer(-1);
        integer(0);
        tuple();
        build();
        newFalse();
        binstring(data);
        tuple();
        build();
    }

private:
    std::uint32_t m_memo = 0;

    void op(std::uint8_t c) { bytes.push_back(c); }
    void byte(std::uint8_t c) { bytes.push_back(c); }
    void le32(std::uint32_t v)
    {
        for (int i = 0; i < 4; ++i)
            bytes.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    // BINPUT, then LONG_BINPUT past 255 memo entries, as cPickle does.
    void put()
    {
        if (m_memo < 256) {
            op('q');
            byte(static_cast<std::uint8_t>(m_memo));
        } else {
            op('r');
            le32(m_memo);
        }
        ++m_memo;
    }
};

}  // namespace scns::test
